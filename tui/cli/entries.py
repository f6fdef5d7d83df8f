"""Commands on timeline entries: ``log``, ``edit``, ``history``, ``tag``, ``delete``,
``restore``."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from tui.cli.context import Context, echo_json, fail, pass_ctx
from tui.cli.free_text import FreeText, TextCommand

if TYPE_CHECKING:
    from datetime import datetime

    from models.store import NewEntry
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


STDIN = "-"


def _read_stdin() -> str:
    from models.log_lines import trim_block

    if sys.stdin.isatty():  # nothing piped: waiting for typing would look like a hang
        fail(
            "nothing is piped in: `-` reads the text from a pipe, "
            "as in `echo db down | workbook log REF -`"
        )
    # Read as bytes: a stray invalid byte in a pasted log is shown as U+FFFD, not a crash.
    buffer = getattr(sys.stdin, "buffer", None)
    raw = buffer.read().decode("utf-8", errors="replace") if buffer else sys.stdin.read()
    text = trim_block(raw)
    if not text.strip():
        fail(
            "standard input is empty: pipe in the text to log, "
            "as in `echo db down | workbook log REF -`"
        )
    return text


@click.command(cls=TextCommand)
@click.argument("ref")
@click.argument("text", cls=FreeText)
@click.option("--at", "at_text", metavar="TIME", help="When it happened (default: now).")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Tag (repeatable).")
@click.option("--author", help="Who logged it (default: config author).")
@click.option(
    "--lines",
    "by_line",
    is_flag=True,
    help="One entry per line with a timestamp of its own, at that time (untimed lines stay "
    "with the entry above).",
)
@click.option("--dry-run", is_flag=True, help="Print what would be logged; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def log(
    context: Context,
    ref: str,
    text: str,
    at_text: str | None,
    tags: Sequence[str],
    author: str | None,
    by_line: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Log a timeline entry; prints its id. TEXT `-` reads it from standard input."""
    from models.log_lines import LogLinesError, read_timed_entries, size_problem, trim_block
    from models.store import NewEntry
    from models.vocabulary import normalize_tags

    if by_line and at_text is not None:
        raise click.UsageError("--at and --lines do not go together: each line gives its own time")
    clean_tags = normalize_tags(list(tags))
    body = _read_stdin() if text == STDIN else text
    incident, incident_id = context.incident(ref)
    if by_line:
        from models.timeline import time_reference
        from models.timeparse import resolve_zone

        now = context.now()
        snap = context.store.snapshot(incident_id)
        reference = time_reference(snap.incident, snap.entries, now=now)
        try:
            timed = read_timed_entries(
                body, zone=resolve_zone(incident.timezone), now=now, reference=reference
            )
        except LogLinesError as exc:
            fail(str(exc))
        wanted = [NewEntry(t.at, t.text, clean_tags) for t in timed]
    else:
        if "\n" in body or "\r" in body:
            body = trim_block(body)
        problem = size_problem(body)
        if problem is not None:
            fail(f"the text is {problem}: nothing logged (--lines logs it line by line)")
        at = _parse_at(context, incident, incident_id, at_text)
        wanted = [NewEntry(at, body, clean_tags)]
    if dry_run:
        _say_planned(wanted, incident.timezone, as_json=as_json)
        return
    logged = context.store.log_entries(incident_id, wanted, author=author)
    from tui.cli.run import send_pending_runs

    send_pending_runs(context)  # entries `workbook run` kept while the database was away
    if as_json:
        from exporters.render.json_view import entry_dict

        echo_json({"dry_run": False, "entries": [entry_dict(e) for e in logged]})
        return
    for entry in logged:
        click.echo(entry.id)


def _say_planned(wanted: Sequence[NewEntry], timezone: str, *, as_json: bool) -> None:
    """What ``--dry-run`` prints: every entry that would be logged, then a summary."""
    from exporters.render.json_view import iso_utc

    if as_json:
        planned = [
            {"id": None, "at": iso_utc(e.at), "text": e.text, "tags": list(e.tags)} for e in wanted
        ]
        echo_json({"dry_run": True, "entries": planned})
        return
    from exporters.render.terminal_safe import visible
    from models.timeparse import format_local, zone_or_utc

    zone = zone_or_utc(timezone)
    for entry in wanted:
        lines = entry.text.split("\n")
        more = (
            f"  (+{len(lines) - 1} line{'s' if len(lines) > 2 else ''})" if len(lines) > 1 else ""
        )
        tags = "".join(f" #{tag}" for tag in entry.tags)
        click.echo(
            f"{format_local(entry.at, zone, seconds=True)}  {visible(lines[0].strip())}{tags}{more}"
        )
    first, last = min(e.at for e in wanted), max(e.at for e in wanted)
    count = len(wanted)
    span = format_local(first, zone, seconds=True)
    if count > 1:
        span += " to " + format_local(last, zone, seconds=True)
    click.echo(f"would log {count} entr{'ies' if count > 1 else 'y'}, {span}; nothing written")


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
