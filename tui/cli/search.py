"""``workbook search``: find earlier incidents by what was written in them."""

from __future__ import annotations

from collections.abc import Callable

import click

from tui.cli.context import Context, echo_json, pass_ctx
from tui.cli.free_text import FreeText, TextCommand


@click.command(cls=TextCommand)
@click.argument("query", nargs=-1, required=True, cls=FreeText)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--since", metavar="DATE", help="Only incidents that started on or after DATE.")
@click.option("--severity", metavar="SEV-n", help="Only incidents of this severity.")
@click.option(
    "--limit",
    type=click.IntRange(1, 1000),
    default=20,
    show_default=True,
    help="How many hits at most.",
)
@pass_ctx
def search(
    context: Context,
    query: tuple[str, ...],
    as_json: bool,
    since: str | None,
    severity: str | None,
    limit: int,
) -> None:
    """Search titles, narrative sections, timeline entries and action items.

    QUERY: words (each a word start), "a phrase", -word to leave out, tag:TAG, service:NAME.
    Quote the whole query, or put -- before it, when it holds a -word.
    """
    from models.search import search as run_search
    from models.search_query import parse_query
    from models.stats import parse_severity, parse_since

    typed = " ".join(query)
    parsed = parse_query(typed)  # refused before the database is opened
    since_day = parse_since(since) if since is not None else None
    wanted = parse_severity(severity) if severity is not None else None
    hits = run_search(context.store.engine, parsed, since=since_day, severity=wanted, limit=limit)
    if as_json:
        echo_json({"query": typed, "hits": [hit.as_dict() for hit in hits]})
        return
    if not hits:
        click.echo("No matches.")
        return
    from exporters.render.terminal_safe import visible

    for hit in hits:
        when = hit.at.strftime("%Y-%m-%d %H:%M UTC") if hit.at is not None else "-"
        click.echo(f"{hit.slug}  {visible(hit.where)}  {when}  {visible(hit.incident_title)}")
        click.echo("    " + _marked(hit.snippet, hit.spans, visible))


def _marked(text: str, spans: tuple[tuple[int, int], ...], escape: Callable[[str], str]) -> str:
    """The snippet made safe for a terminal, its matches in bold (dropped when piped)."""
    out: list[str] = []
    last = 0
    for start, end in spans:
        out.append(escape(text[last:start]))
        out.append(click.style(escape(text[start:end]), bold=True, underline=True))
        last = end
    out.append(escape(text[last:]))
    return "".join(out)
