"""The ``workbook`` group: its options, what it does without a command, and how it fails.

Every expected failure ends as one ``error: …`` line on stderr: exit 1 for bad input, a
refusing database or a file problem, 2 for a mistyped command line or a full-screen command
started without a terminal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from contextlib import suppress
from typing import Any, NoReturn

import click

from tui.cli.context import Context
from tui.cli.full_screen import LeftEarly, run_tui
from tui.errors import describe, expected_errors


class WorkbookGroup(click.Group):
    """Turns every expected failure into one ``error: …`` line on stderr."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            _exit("interrupted", 130)
        except click.UsageError as exc:
            hint = f" (see {exc.ctx.command_path} --help)" if exc.ctx else ""
            _exit(f"{describe(exc)}{hint}", 2)
        except (click.ClickException, ValueError, OSError) as exc:
            # Caught before the rest: telling the others apart loads SQLAlchemy.
            code = exc.exit_code if isinstance(exc, click.ClickException) else 1
            _exit(describe(exc), code)
        except Exception as exc:
            if isinstance(exc, expected_errors()):
                _exit(describe(exc), 1)
            raise


def _exit(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


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
        run_tui(ctx.obj, incident_ref=None)


def main(argv: Sequence[str] | None = None) -> None:
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="workbook")
    except LeftEarly as left:
        # Drafts saved, writes settled, the database let go: all that is left is the
        # interpreter taking its heap apart, which measured 0.3 to 0.9 s on a busy jump
        # host, out of the 2 s a workbook that lost its terminal has to be gone in.
        for stream in (sys.stdout, sys.stderr):
            with suppress(OSError, ValueError):
                stream.flush()
        os._exit(left.code if isinstance(left.code, int) else 1)
