"""``workbook config``: the effective settings and where each came from."""

from __future__ import annotations

import click

from tui.cli.context import Context, echo_json, pass_ctx


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def config(context: Context, as_json: bool) -> None:
    """Print the effective settings and where each came from."""
    settings = context.settings
    values = dict(settings.values)
    sources = dict(settings.sources)
    if context.db_option:
        values["db"], sources["db"] = context.db_option, "--db / WORKBOOK_DB"
    elif values.get("db") is None:
        values["db"] = context.db_location()
    from models.location import shown_location

    # A PostgreSQL URL may carry a password: it is never printed.
    values["db"] = shown_location(values["db"])
    if as_json:
        out = {k: {"value": v, "source": sources.get(k, "default")} for k, v in values.items()}
        out["config_file"] = {"value": str(settings.path), "source": "WORKBOOK_CONFIG or default"}
        out["site_config_file"] = {"value": str(settings.site_path), "source": "default"}
        echo_json(out)
        return
    from exporters.render.plain_text import render_config

    present = settings.path is not None and settings.path.exists()
    site_present = settings.site_path is not None and settings.site_path.exists()
    text = render_config(values, sources, config_file=settings.path, present=present)
    site_line = f"site config file: {settings.site_path}" + (
        "" if site_present else " (not present)"
    )
    click.echo(site_line + "\n" + text, nl=False)
