"""Commands on timeline entries: ``log``, ``edit``, ``history``, ``tag``, ``delete``,
``restore``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from tui.cli.context import Context, echo_json, pass_ctx
from tui.cli.free_text import FreeText, TextCommand

if TYPE_CHECKING:
    from datetime import datetime

    from models.tables import Incident


def _parse_at(context: Context, incident: Incident, incident_id: int, text: str | None) -> datetime:
    """The time typed for an entry of ``incident``; nothing (or blanks) means now."""
    from models.timeline import time_reference
    from models.timeparse import parse_time, resolve_zone

    now = context.now()
    zone = resolve_zone(incident.timezone)
    if text is None or not text.strip():
        # The live case needs no look at the timeline, however long it is.
        return parse_time(text, zone=zone, now=now)
    snap = context.store.snapshot(incident_id)
    reference = time_reference(snap.incident, snap.entries, now=now)
    return parse_time(text, zone=zone, now=now, reference=reference)


@click.command(cls=TextCommand)
@click.argument("ref")
@click.argument("text", cls=FreeText)
@click.option("--at", "at_text", metavar="TIME", help="When it happened (default: now).")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Tag (repeatable).")
@click.option("--author", help="Who logged it (default: config author).")
@pass_ctx
def log(
    context: Context,
    ref: str,
    text: str,
    at_text: str | None,
    tags: Sequence[str],
    author: str | None,
) -> None:
    """Log a timeline entry; prints its id."""
    from models.vocabulary import normalize_tags

    incident, incident_id = context.incident(ref)
    normalize_tags(list(tags))
    at = _parse_at(context, incident, incident_id, at_text)
    entry = context.store.log_entry(incident_id, text, at=at, tags=tags, author=author)
    click.echo(entry.id)


@click.command()
@click.argument("ref")
@click.argument("entry", type=int)
@click.option("--text", help="New text.")
@click.option("--at", "at_text", metavar="TIME", help="New time.")
@pass_ctx
def edit(context: Context, ref: str, entry: int, text: str | None, at_text: str | None) -> None:
    """Change an entry's text or time; the earlier version is kept."""
    if text is None and at_text is None:
        raise click.UsageError("give --text and/or --at")
    incident, incident_id = context.incident(ref)
    at = _parse_at(context, incident, incident_id, at_text) if at_text is not None else None
    context.store.edit_entry(incident_id, entry, text=text, at=at)


@click.command()
@click.argument("ref")
@click.argument("entry", type=int)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def history(context: Context, ref: str, entry: int, as_json: bool) -> None:
    """Every version of an entry, oldest first, ending with the current one."""
    from exporters.render.json_view import entry_dict, revision_dict

    incident, incident_id = context.incident(ref)
    current = context.store.get_entry(incident_id, entry)
    revisions = context.store.history(incident_id, entry)
    if as_json:
        data = {
            "entry": entry_dict(current),
            "deleted": current.deleted_at is not None,
            "revisions": [revision_dict(r) for r in revisions],
        }
        echo_json(data)
        return
    from exporters.render.plain_text import render_history

    click.echo(render_history(current, revisions, timezone=incident.timezone), nl=False)


@click.command()
@click.argument("ref")
@click.argument("entry", type=int)
@click.argument("tags", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Take the tags off instead.")
@pass_ctx
def tag(context: Context, ref: str, entry: int, tags: Sequence[str], remove: bool) -> None:
    """Add tags to an entry (or --remove them)."""
    _, incident_id = context.incident(ref)
    updated = context.store.tag_entry(incident_id, entry, tags, remove=remove)
    click.echo(" ".join(updated.tags))


@click.command()
@click.argument("ref")
@click.argument("entry", type=int)
@pass_ctx
def delete(context: Context, ref: str, entry: int) -> None:
    """Delete an entry (restorable with `restore`)."""
    _, incident_id = context.incident(ref)
    context.store.delete_entry(incident_id, entry)


@click.command()
@click.argument("ref")
@click.argument("entry", type=int)
@pass_ctx
def restore(context: Context, ref: str, entry: int) -> None:
    """Bring back a deleted entry."""
    _, incident_id = context.incident(ref)
    context.store.restore_entry(incident_id, entry)
