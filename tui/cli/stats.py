"""``workbook stats``: figures across incidents."""

from __future__ import annotations

import click

from tui.cli.context import Context, echo_json, pass_ctx


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--since", metavar="DATE", help="Only incidents that started on or after DATE.")
@click.option("--severity", metavar="SEV-n", help="Only incidents of this severity.")
@pass_ctx
def stats(context: Context, as_json: bool, since: str | None, severity: str | None) -> None:
    """Figures across incidents: durations, detection, false leads, open action items."""
    from models.stats import compute_stats, parse_severity, parse_since

    since_day = parse_since(since) if since is not None else None
    wanted = parse_severity(severity) if severity is not None else None
    figures = compute_stats(
        context.store.all_snapshots(), now=context.now(), since=since_day, severity=wanted
    )
    if as_json:
        echo_json(figures.as_dict())
        return
    from exporters.render.stats_text import render_text
    from exporters.render.terminal_safe import visible

    click.echo(render_text(figures, escape=visible), nl=False)
