"""The ``workbook`` command line.

Only ``workbook``, ``open`` and ``demo`` load Textual; everything else stays light so
that scripts and a slow jump host get their answer quickly. Heavy modules are imported
inside the commands for the same reason: ``workbook --help`` must not pay for SQLAlchemy.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from models.config import Settings
    from models.store import IncidentSnapshot, Store
    from models.tables import Incident


class Context:
    """What every command shares: the database location, settings and the open store."""

    def __init__(self, db: str | None) -> None:
        self.db_option = db
        self._settings: Settings | None = None
        self._store: Store | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from models.config import load_settings

            self._settings = load_settings()
        return self._settings

    def db_location(self) -> str:
        from models.location import default_db_path

        return self.db_option or self.settings.db or str(default_db_path())

    @property
    def store(self) -> Store:
        if self._store is None:
            from models.db import open_database
            from models.store import Store

            # Settings and clock first: a bad config file or WORKBOOK_NOW must not leave a
            # new, empty database behind.
            settings, clock = self.settings, _clock()
            engine = open_database(self.db_location())
            self._store = Store(engine, author=settings.author, clock=clock)
        return self._store

    @property
    def store_is_open(self) -> bool:
        return self._store is not None

    def now(self) -> datetime:
        return self.store.clock()


pass_ctx = click.make_pass_decorator(Context)


def _clock() -> Callable[[], datetime]:
    """The real clock, or a frozen one from WORKBOOK_NOW (scripted demos and tests)."""
    from datetime import datetime

    from models.timeparse import utc_now

    frozen = os.environ.get("WORKBOOK_NOW")
    if not frozen:
        return utc_now
    try:
        moment = datetime.fromisoformat(frozen)
    except ValueError:
        fail(f"WORKBOOK_NOW={frozen!r} is not an ISO time such as 2026-03-02T23:55:00+00:00")
    if moment.tzinfo is None:
        fail("WORKBOOK_NOW needs an offset, such as 2026-03-02T23:55:00+00:00")
    return lambda: moment


def fail(message: str) -> NoReturn:
    raise click.ClickException(message)


def echo_json(data: Any) -> None:
    import json

    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


class WorkbookGroup(click.Group):
    """Turns every expected failure into one ``error: …`` line on stderr."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("error: interrupted", err=True)
            sys.exit(130)
        except click.UsageError as exc:
            hint = f" (see {exc.ctx.command_path} --help)" if exc.ctx else ""
            click.echo(f"error: {_one_line(exc.format_message())}{hint}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"error: {_one_line(exc.format_message())}", err=True)
            sys.exit(1)
        except (ValueError, OSError) as exc:
            click.echo(f"error: {_describe(exc)}", err=True)
            sys.exit(1)
        except Exception as exc:
            from sqlalchemy.exc import SQLAlchemyError

            from models.db import DatabaseProblem

            if isinstance(exc, DatabaseProblem):
                click.echo(f"error: {_describe(exc)}", err=True)
                sys.exit(1)
            if isinstance(exc, SQLAlchemyError):
                orig = getattr(exc, "orig", None) or exc
                click.echo(
                    f"error: the database refused the change ({_one_line(str(orig))}); "
                    "nothing was written",
                    err=True,
                )
                sys.exit(1)
            raise


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _describe(exc: BaseException) -> str:
    if isinstance(exc, UnicodeEncodeError) and exc.reason == "surrogates not allowed":
        # Bytes that were not UTF-8 on the command line (Python keeps them as surrogates).
        return (
            "the text is not valid UTF-8: set the terminal to UTF-8 (e.g. LANG=C.UTF-8) "
            "and type it again"
        )
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror.lower()}{where}"
    return _one_line(str(exc))


@click.group(
    cls=WorkbookGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    metavar="PATH",
    envvar="WORKBOOK_DB",
    help="Database file (default: the user data folder; env WORKBOOK_DB).",
)
@click.version_option(package_name="incident-workbook", prog_name="workbook")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """Incident Workbook: keep the record of an outage and turn it into a postmortem.

    Run without a command to open the full-screen workbook on the incident list.
    """
    ctx.obj = Context(db)
    if ctx.invoked_subcommand is None:
        _run_tui(ctx.obj, incident_ref=None)


def _run_tui(context: Context, *, incident_ref: str | None) -> None:
    if incident_ref is None and not context.store_is_open:
        _run_list_quickly(context)
        return
    store = context.store
    incident_id = store.resolve_ref(incident_ref).id if incident_ref else None
    from tui.app import make_app

    make_app(store=store, settings=context.settings, incident_id=incident_id).run()


def _run_list_quickly(context: Context) -> None:
    """The incident list drawn from rows read with plain sqlite3 while Textual loads.

    SQLAlchemy, SQLModel and the migration check take longer to load than Textual itself;
    the app opens the store in a thread after its first frame. A file that is missing, at
    another schema revision or not ours takes the usual way: open (create, migrate) first.
    """
    import threading

    from models.listing import IncidentRow, read_list_rows
    from models.location import database_url, sqlite_file

    settings, clock = context.settings, _clock()  # a bad config or clock fails here, first
    url = database_url(context.db_location())
    path = sqlite_file(url)
    read: list[list[IncidentRow] | None] = []
    reader = threading.Thread(
        target=lambda: read.append(read_list_rows(path) if path else None),
        name="first-list-read",
        daemon=True,
    )
    reader.start()  # sqlite3 lets go of the GIL while it reads: this overlaps the import
    from tui.app import make_app

    reader.join()
    rows = read[0] if read else None
    if rows is None:
        make_app(store=context.store, settings=settings).run()
        return
    make_app(
        store=lambda: context.store, settings=settings, clock=clock, database=url, first_rows=rows
    ).run()


@cli.command("open")
@click.argument("ref")
@pass_ctx
def open_cmd(context: Context, ref: str) -> None:
    """Open the full-screen workbook on one incident."""
    _run_tui(context, incident_ref=ref)


@cli.command()
@click.option("--print", "print_only", is_flag=True, help="List the sample incidents and exit.")
@pass_ctx
def demo(context: Context, print_only: bool) -> None:
    """The workbook on a throwaway database holding the sample incidents."""
    import tempfile
    from pathlib import Path

    from exporters.ingest.importing import import_paths
    from sample_incidents import sample_paths

    with tempfile.TemporaryDirectory(prefix="workbook-demo-") as folder:
        context.db_option = str(Path(folder) / "demo.db")
        for result in import_paths(context.store, sample_paths()):
            if result.error:
                fail(f"{result.file}: {result.error}")
        if print_only:
            _print_list(context, as_json=False)
            return
        _run_tui(context, incident_ref=None)


# -- incidents ---------------------------------------------------------------------------


@cli.command()
@click.argument("title")
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


@cli.command("set")
@click.argument("ref")
@click.argument("assignments", nargs=-1, required=True, metavar="FIELD=VALUE...")
@pass_ctx
def set_cmd(context: Context, ref: str, assignments: Sequence[str]) -> None:
    """Set incident and impact fields by their JSON names (VALUE @FILE reads a file)."""
    from models.fields import parse_incident_assignments
    from models.timeparse import resolve_zone

    incident = context.store.resolve_ref(ref)
    changes = parse_incident_assignments(
        assignments, zone=resolve_zone(incident.timezone), now=context.now()
    )
    context.store.update_incident(incident.id, changes)  # type: ignore[arg-type]


@cli.command()
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def show(context: Context, ref: str, as_json: bool) -> None:
    """Show an incident: figures, timeline, action items, warnings."""
    from models.metrics import compute_metrics

    snap = _snapshot(context, ref)
    now = context.now()
    metrics = compute_metrics(snap.incident, snap.entries, now=now)
    if as_json:
        from exporters.render.json_view import incident_dict

        data = incident_dict(
            snap.incident, snap.entries, snap.action_items, now=now, metrics=metrics
        )
        publication = _publications(context).latest(snap.incident.id)  # type: ignore[arg-type]
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
        publication = _publications(context).latest(snap.incident.id)  # type: ignore[arg-type]
        if publication is not None:
            from exporters.publish.status import publication_lines

            for line in publication_lines(publication):
                click.echo(line)


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def list_cmd(context: Context, as_json: bool) -> None:
    """List incidents, newest first."""
    _print_list(context, as_json=as_json)


def _print_list(context: Context, *, as_json: bool) -> None:
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
    from exporters.render.terminal_safe import visible
    from models.timeparse import format_duration

    if not rows:
        click.echo('No incidents yet. Start one with: workbook new "Short title"')
        return
    for row in rows:
        started = (row["started_at"] or "—")[:16].replace("T", " ")
        click.echo(
            f"{row['id']:>4}  {started:<16}  {row['severity']}  {row['status']:<13}  "
            f"{format_duration(row['duration_minutes']):>9}  {visible(row['slug'])}"
        )


# -- timeline ----------------------------------------------------------------------------


def _snapshot(context: Context, ref: str) -> IncidentSnapshot:
    incident = context.store.resolve_ref(ref)
    return context.store.snapshot(incident.id)  # type: ignore[arg-type]


def _parse_at(context: Context, incident: Incident, text: str | None) -> datetime:
    """The time typed for an entry of ``incident``; nothing (or blanks) means now."""
    from models.timeline import time_reference
    from models.timeparse import parse_time, resolve_zone

    now = context.now()
    zone = resolve_zone(incident.timezone)
    if text is None or not text.strip():
        # The live case needs no look at the timeline, however long it is.
        return parse_time(text, zone=zone, now=now)
    snap = context.store.snapshot(incident.id)  # type: ignore[arg-type]
    reference = time_reference(snap.incident, snap.entries, now=now)
    return parse_time(text, zone=zone, now=now, reference=reference)


@cli.command()
@click.argument("ref")
@click.argument("text")
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

    incident = context.store.resolve_ref(ref)
    normalize_tags(list(tags))
    at = _parse_at(context, incident, at_text)
    entry = context.store.log_entry(
        incident.id,  # type: ignore[arg-type]
        text,
        at=at,
        tags=tags,
        author=author,
    )
    click.echo(entry.id)


@cli.command()
@click.argument("ref")
@click.argument("entry", type=int)
@click.option("--text", help="New text.")
@click.option("--at", "at_text", metavar="TIME", help="New time.")
@pass_ctx
def edit(context: Context, ref: str, entry: int, text: str | None, at_text: str | None) -> None:
    """Change an entry's text or time; the earlier version is kept."""
    if text is None and at_text is None:
        raise click.UsageError("give --text and/or --at")
    incident = context.store.resolve_ref(ref)
    at = _parse_at(context, incident, at_text) if at_text is not None else None
    context.store.edit_entry(incident.id, entry, text=text, at=at)  # type: ignore[arg-type]


@cli.command()
@click.argument("ref")
@click.argument("entry", type=int)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def history(context: Context, ref: str, entry: int, as_json: bool) -> None:
    """Every version of an entry, oldest first, ending with the current one."""
    from exporters.render.json_view import entry_dict, revision_dict

    incident = context.store.resolve_ref(ref)
    current = context.store.get_entry(incident.id, entry)  # type: ignore[arg-type]
    revisions = context.store.history(incident.id, entry)  # type: ignore[arg-type]
    if as_json:
        data = {
            "entry": entry_dict(current),
            "deleted": current.deleted_at is not None,
            "revisions": [revision_dict(r) for r in revisions],
        }
        echo_json(data)
        return
    from exporters.render.terminal_safe import visible
    from models.timeparse import format_local, resolve_zone

    zone = resolve_zone(incident.timezone)
    for number, rev in enumerate(revisions, start=1):
        click.echo(
            f"v{number}  {format_local(rev.at, zone)}  {visible(rev.text)}"
            f"  {' '.join('#' + t for t in rev.tags)}"
            f"  (replaced {format_local(rev.replaced_at, zone)} by {visible(rev.replaced_by)})"
        )
    state = " (deleted)" if current.deleted_at else ""
    click.echo(
        f"now {format_local(current.at, zone)}  {visible(current.text)}"
        f"  {' '.join('#' + t for t in current.tags)}{state}"
    )


@cli.command()
@click.argument("ref")
@click.argument("entry", type=int)
@click.argument("tags", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Take the tags off instead.")
@pass_ctx
def tag(context: Context, ref: str, entry: int, tags: Sequence[str], remove: bool) -> None:
    """Add tags to an entry (or --remove them)."""
    incident = context.store.resolve_ref(ref)
    updated = context.store.tag_entry(incident.id, entry, tags, remove=remove)  # type: ignore[arg-type]
    click.echo(" ".join(updated.tags))


@cli.command()
@click.argument("ref")
@click.argument("entry", type=int)
@pass_ctx
def delete(context: Context, ref: str, entry: int) -> None:
    """Delete an entry (restorable with `restore`)."""
    incident = context.store.resolve_ref(ref)
    context.store.delete_entry(incident.id, entry)  # type: ignore[arg-type]


@cli.command()
@click.argument("ref")
@click.argument("entry", type=int)
@pass_ctx
def restore(context: Context, ref: str, entry: int) -> None:
    """Bring back a deleted entry."""
    incident = context.store.resolve_ref(ref)
    context.store.restore_entry(incident.id, entry)  # type: ignore[arg-type]


# -- action items ------------------------------------------------------------------------


@cli.command()
@click.argument("ref")
@click.argument("title")
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
    incident = context.store.resolve_ref(ref)
    item = context.store.add_action(
        incident.id,  # type: ignore[arg-type]
        checked["title"],
        owner=checked["owner"],
        priority=checked["priority"],
        type=checked["type"],
        due=checked["due"],
        link=checked["link"],
        source_entry_id=source_entry,
    )
    click.echo(item.ref)


@cli.command("action-update")
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
    incident = context.store.resolve_ref(ref)
    context.store.update_action(incident.id, action_ref, changes)  # type: ignore[arg-type]


# -- documents ---------------------------------------------------------------------------


@cli.command()
@click.argument("ref")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json", "html"]),
    default="markdown",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write to FILE instead of stdout.",
)
@pass_ctx
def export(context: Context, ref: str, fmt: str, output: str | None) -> None:
    """Write the postmortem as Markdown, a self-contained HTML page or the show --json object."""
    from exporters.render.formats import render_incident

    snap = _snapshot(context, ref)
    text = render_incident(snap, fmt, now=context.now())
    if output is None:
        sys.stdout.write(text)
        return
    from pathlib import Path

    from exporters.files import write_atomically

    write_atomically(Path(output), text)


def _publications(context: Context) -> Any:
    from models.publications import Publications

    return Publications(context.store.engine, clock=context.store.clock)


def _docs_repo(context: Context, incident_id: int, given: str | None) -> Path:
    """--repo, else where the incident was last published, else config docs_repo."""
    from pathlib import Path

    if given is not None:
        return Path(given)
    latest = _publications(context).latest(incident_id)
    if latest is not None:
        return Path(latest.repo)
    if context.settings.docs_repo:
        return Path(context.settings.docs_repo)
    fail("give --repo DIR (a clone of the docs repo), or set docs_repo in config.toml")


@cli.command()
@click.argument("ref")
@click.option(
    "--repo",
    type=click.Path(file_okay=False),
    help="The docs repo (default: where REF was published last, else config docs_repo).",
)
@click.option(
    "--dir", "folder", default="postmortems", show_default=True, help="Folder in the repo."
)
@click.option("--branch", metavar="NAME", help="Branch to commit on (default: postmortem/SLUG).")
@click.option("--push", is_flag=True, help="Push the branch to the remote (never forced).")
@click.option("--remote", metavar="NAME", help="Remote to check and push to (default: origin).")
@click.option("--redact", is_flag=True, help="Replace likely secrets with [REDACTED].")
@click.option("--message", metavar="TEXT", help="Commit message instead of the default.")
@pass_ctx
def publish(
    context: Context,
    ref: str,
    repo: str | None,
    folder: str,
    branch: str | None,
    push: bool,
    remote: str | None,
    redact: bool,
    message: str | None,
) -> None:
    """Commit the postmortem to a review branch of a git docs repo; prints the commit."""
    from exporters.publish.apply import apply_publish
    from exporters.publish.index_cache import default_cache_dir
    from exporters.publish.plan import PublishRequest, configured_identity, plan_publish

    snap = _snapshot(context, ref)
    assert snap.incident.id is not None
    author, email, fallback_author = configured_identity(context.settings)
    request = PublishRequest(
        repo=_docs_repo(context, snap.incident.id, repo),
        folder=folder,
        branch=branch,
        push=push,
        remote=remote,
        redact=redact,
        message=message,
        author=author,
        email=email,
        fallback_author=fallback_author,
        cache_dir=default_cache_dir(),
    )
    publications = _publications(context)
    now = context.now()
    plan = plan_publish(snap, request, publications, now=now)
    for line in plan.summary_lines():
        click.echo(line)
    result = apply_publish(plan, publications, now=now)
    if result.pushed:
        click.echo(f"pushed {plan.branch} to {plan.remote}")
    click.echo(result.commit or "unchanged")
    if result.push_error is not None:
        kept = "the commit is kept" if result.commit else "nothing was lost"
        fail(f"{result.push_error}; {kept} on {plan.branch} in {plan.repo_path}, not pushed")


@cli.command()
@click.argument("ref")
@click.option(
    "--repo",
    type=click.Path(file_okay=False),
    help="The docs repo (default: where REF was published last, else config docs_repo).",
)
@click.option("--branch", metavar="NAME", help="Review branch (default: postmortem/SLUG).")
@click.option("--remote", metavar="NAME", help="Fetch the branch from this remote first.")
@pass_ctx
def pull(
    context: Context, ref: str, repo: str | None, branch: str | None, remote: str | None
) -> None:
    """Merge reviewers' edits of the published postmortem back into the incident."""
    from exporters.publish.review.pull import pull_review

    snap = _snapshot(context, ref)
    assert snap.incident.id is not None
    outcome = pull_review(
        context.store,
        _publications(context),
        snap,
        repo=_docs_repo(context, snap.incident.id, repo),
        branch=branch,
        remote=remote,
        now=context.now(),
    )
    for line in outcome.report_lines():
        click.echo(line)


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--dry-run", is_flag=True, help="Read and report, write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def import_cmd(context: Context, paths: Sequence[str], dry_run: bool, as_json: bool) -> None:
    """Import postmortems (files or folders of Markdown)."""
    from pathlib import Path

    from exporters.ingest.importing import collect_files, import_paths, preview_line, preview_paths

    files = collect_files(Path(p) for p in paths)
    if not files:
        fail("no Markdown or text files found in " + ", ".join(str(p) for p in paths))
    if dry_run:
        previews = preview_paths(files, now=context.now())
        if as_json:
            echo_json(previews)
        else:
            for p in previews:
                click.echo(preview_line(p))
        unreadable = [p for p in previews if p.get("error")]
        if unreadable:
            fail(f"{len(unreadable)} of {len(previews)} files could not be read (see above)")
        return
    results = import_paths(context.store, files)
    failed = [r for r in results if r.error]
    if as_json:
        echo_json([r.as_dict() for r in results])
    else:
        for r in results:
            click.echo(r.summary_line())
    if failed:
        fail(f"{len(failed)} of {len(results)} files could not be imported (see above)")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--since", metavar="DATE", help="Only incidents that started on or after DATE.")
@click.option("--severity", metavar="SEV-n", help="Only incidents of this severity.")
@pass_ctx
def stats(context: Context, as_json: bool, since: str | None, severity: str | None) -> None:
    """Figures across incidents: durations, detection, false leads, open action items."""
    from models.stats import compute_stats, parse_severity, parse_since, render_text

    since_day = parse_since(since) if since is not None else None
    wanted = parse_severity(severity) if severity is not None else None
    figures = compute_stats(
        context.store.all_snapshots(), now=context.now(), since=since_day, severity=wanted
    )
    if as_json:
        echo_json(figures.as_dict())
        return
    from exporters.render.terminal_safe import visible

    click.echo(render_text(figures, escape=visible), nl=False)


@cli.command()
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
    if as_json:
        out = {k: {"value": v, "source": sources.get(k, "default")} for k, v in values.items()}
        out["config_file"] = {"value": str(settings.path), "source": "WORKBOOK_CONFIG or default"}
        echo_json(out)
        return
    click.echo(
        f"config file: {settings.path}"
        + ("" if settings.path and settings.path.exists() else " (not present)")
    )
    for key, value in values.items():
        shown = "true" if value is True else "false" if value is False else value
        click.echo(f"{key:<13} = {shown}    ({sources.get(key, 'default')})")


def main(argv: Sequence[str] | None = None) -> None:
    cli.main(args=list(argv) if argv is not None else None, prog_name="workbook")


if __name__ == "__main__":
    main(os.sys.argv[1:])
