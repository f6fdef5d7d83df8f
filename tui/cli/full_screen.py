"""The commands that open the full-screen workbook: ``workbook`` itself, ``open`` and ``demo``.

Only these load Textual, and only once they know what to show.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

import click

from tui.cli.context import Context, fail, frozen_or_real_clock, pass_ctx
from tui.cli.incidents import print_list

if TYPE_CHECKING:
    from tui.app import WorkbookApp

NO_TERMINAL = (
    "the workbook needs a terminal; in scripts, cron jobs and pipes use the other commands: "
    "list, show, log, new, set, export … (see workbook --help)"
)


class NeedsTerminal(click.ClickException):
    """A full-screen command started with no terminal to draw on (exit status 2)."""

    exit_code = 2

    def __init__(self) -> None:
        super().__init__(NO_TERMINAL)


def require_terminal() -> None:
    """Refuse to start the full-screen app unless stdin, stdout and stderr are terminals.

    Without one the app would never see a key, never exit, and write screen escape codes
    into a file, a pipe or cron's mail (Textual draws on stderr; what the app prints at
    the end goes to stdout). Checked before anything is opened, so a refused start leaves
    no database behind.
    """
    if not all(_is_terminal(stream) for stream in (sys.stdin, sys.stdout, sys.stderr)):
        raise NeedsTerminal()


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except ValueError:  # closed
        return False


def run_tui(context: Context, *, incident_ref: str | None) -> None:
    require_terminal()
    if incident_ref is None and not context.store_is_open:
        _run_list_quickly(context)
        return
    store = context.store
    incident_id = store.resolve_ref(incident_ref).id if incident_ref else None
    from tui.app import make_app

    _run(make_app(store=store, settings=context.settings, incident_id=incident_id))


class LeftEarly(SystemExit):
    """The app left because its terminal went or a signal came; everything is saved.

    Raised through the commands (so a demo's throwaway folder is still removed) up to
    :func:`tui.cli.group.main`, which ends the process at once.
    """


def _run(app: WorkbookApp) -> None:
    """Run the app; leaving on a hang-up or a signal exits with the status a shell expects."""
    app.run()
    if app.leaving:
        raise LeftEarly(app.return_code or 0)
    if app.return_code:
        sys.exit(app.return_code)


def _run_list_quickly(context: Context) -> None:
    """The incident list drawn from rows read with plain sqlite3 while Textual loads.

    SQLAlchemy, SQLModel and the migration check take longer to load than Textual itself;
    the app opens the store in a thread after its first frame. A file that is missing, at
    another schema revision or not ours takes the usual way: open (create, migrate) first.
    """
    import threading

    from models.listing import IncidentRow, read_list_rows
    from models.location import database_url, sqlite_file

    # A bad config or clock fails here, first.
    settings, clock = context.settings, frozen_or_real_clock()
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
        _run(make_app(store=context.store, settings=settings))
        return
    _run(
        make_app(
            store=lambda: context.store,
            settings=settings,
            clock=clock,
            database=url,
            first_rows=rows,
        )
    )


@click.command("open")
@click.argument("ref")
@pass_ctx
def open_cmd(context: Context, ref: str) -> None:
    """Open the full-screen workbook on one incident."""
    run_tui(context, incident_ref=ref)


@click.command()
@click.option("--print", "print_only", is_flag=True, help="List the sample incidents and exit.")
@pass_ctx
def demo(context: Context, print_only: bool) -> None:
    """The workbook on a throwaway database holding the sample incidents."""
    if not print_only:
        require_terminal()
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
            print_list(context, as_json=False)
            return
        run_tui(context, incident_ref=None)
