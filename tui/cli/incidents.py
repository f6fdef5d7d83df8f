"""Commands on whole incidents: ``new``, ``set``, ``show`` and ``list``."""

from __future__ import annotations

from collections.abc import Sequence

import click

from tui.cli.context import Context, echo_json, fail, pass_ctx
from tui.cli.free_text import FreeText, TextCommand


@click.command(cls=TextCommand)
@click.argument("title", cls=FreeText)
@click.option("--severity", default="SEV-3", show_default=True, help="SEV-1 (worst) … SEV-5.")
@click.option("--tz", "zone_name", metavar="ZONE", help="IANA time zone (default: config).")
@click.option("--service", "services", multiple=True, metavar="NAME", help="Affected service.")
@click.option("--started", metavar="TIME", help="When the impact began (default: not set).")
@pass_ctx
def new(
    context: Context,
    title: str,
    severity: str,
    zone_name: str | None,
    services: Sequence[str],
    started: str | None,
) -> None:
    """Start a new incident; prints its slug."""
    from models.timeparse import parse_time, resolve_zone
    from models.vocabulary import normalize_severity

    zone = resolve_zone(zone_name or context.settings.timezone)
    normalize_severity(severity)
    if not title.strip():
        fail("the title is empty: give the incident a short name")
    started_at = parse_time(started, zone=zone, now=context.now()) if started else None
    incident = context.store.create_incident(
        title, severity=severity, timezone=zone.key, services=services, started_at=started_at
    )
    click.echo(incident.slug)


@click.command("set")
@click.argument("ref")
@click.argument("assignments", nargs=-1, required=True, metavar="FIELD=VALUE...")
@pass_ctx
def set_cmd(context: Context, ref: str, assignments: Sequence[str]) -> None:
    """Set incident and impact fields by their JSON names (VALUE @FILE reads a file)."""
    from models.fields import parse_incident_assignments
    from models.timeparse import resolve_zone

    incident, incident_id = context.incident(ref)
    changes = parse_incident_assignments(
        assignments, zone=resolve_zone(incident.timezone), now=context.now()
    )
    context.store.update_incident(incident_id, changes)


@click.command()
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def show(context: Context, ref: str, as_json: bool) -> None:
    """Show an incident: figures, timeline, action items, warnings."""
    from models.metrics import compute_metrics

    snap, incident_id = context.snapshot(ref)
    now = context.now()
    metrics = compute_metrics(snap.incident, snap.entries, now=now)
    if as_json:
        from exporters.render.json_view import incident_dict

        data = incident_dict(
            snap.incident,
            snap.entries,
            snap.action_items,
            now=now,
            metrics=metrics,
            attachments=snap.attachments,
        )
        publication = context.publications().latest(incident_id)
        if publication is not None:
            from exporters.publish.status import publication_dict

            data["publication"] = publication_dict(publication)
        echo_json(data)
    else:
        from exporters.render.plain_text import render_show

        click.echo(
            render_show(snap.incident, snap.entries, snap.action_items, metrics, now=now),
            nl=False,
        )
        publication = context.publications().latest(incident_id)
        if publication is not None:
            from exporters.publish.status import publication_lines

            for line in publication_lines(publication):
                click.echo(line)


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def list_cmd(context: Context, as_json: bool) -> None:
    """List incidents, newest first."""
    print_list(context, as_json=as_json)


def print_list(context: Context, *, as_json: bool) -> None:
    from exporters.render.json_view import list_row
    from models.metrics import compute_metrics

    now = context.now()
    rows = []
    for snap in sorted(context.store.all_snapshots(), key=lambda s: -(s.incident.id or 0)):
        metrics = compute_metrics(snap.incident, snap.entries, now=now)
        rows.append(list_row(snap.incident, metrics, snap.action_items))
    if as_json:
        echo_json(rows)
        return
    from exporters.render.plain_text import render_list

    click.echo(render_list(rows), nl=False)
