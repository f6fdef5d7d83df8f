"""Commands on action items: ``action`` and ``action-update``."""

from __future__ import annotations

from collections.abc import Sequence

import click

from tui.cli.context import Context, pass_ctx
from tui.cli.free_text import FreeText, TextCommand


@click.command(cls=TextCommand)
@click.argument("ref")
@click.argument("title", cls=FreeText)
@click.option("--owner", metavar="NAME")
@click.option("--priority", default="medium", show_default=True, help="high, medium or low.")
@click.option(
    "--type",
    "kind",
    default="prevent",
    show_default=True,
    help="mitigate, prevent, detect or process.",
)
@click.option("--due", metavar="DATE", help="YYYY-MM-DD or +3d / +2w.")
@click.option("--link", metavar="URL", help="Ticket or document.")
@click.option(
    "--entry", "source_entry", type=int, metavar="ENTRY", help="The timeline entry it came from."
)
@pass_ctx
def action(
    context: Context,
    ref: str,
    title: str,
    owner: str | None,
    priority: str,
    kind: str,
    due: str | None,
    link: str | None,
    source_entry: int | None,
) -> None:
    """Add an action item; prints its ref (AI-n)."""
    from models.fields import ACTION_FIELDS

    checked = {
        name: ACTION_FIELDS[name](name, value)
        for name, value in (
            ("title", title),
            ("owner", owner),
            ("priority", priority),
            ("type", kind),
            ("due", due),
            ("link", link),
        )
    }
    _, incident_id = context.incident(ref)
    item = context.store.add_action(
        incident_id,
        checked["title"],
        owner=checked["owner"],
        priority=checked["priority"],
        type=checked["type"],
        due=checked["due"],
        link=checked["link"],
        source_entry_id=source_entry,
    )
    click.echo(item.ref)


@click.command("action-update")
@click.argument("ref")
@click.argument("action_ref", metavar="AI-n")
@click.argument("assignments", nargs=-1, required=True, metavar="FIELD=VALUE...")
@pass_ctx
def action_update(context: Context, ref: str, action_ref: str, assignments: Sequence[str]) -> None:
    """Change an action item, e.g. status=done owner=bob."""
    from models.fields import parse_action_assignments
    from models.store import parse_action_ref

    parse_action_ref(action_ref)
    changes = parse_action_assignments(assignments)
    _, incident_id = context.incident(ref)
    context.store.update_action(incident_id, action_ref, changes)
