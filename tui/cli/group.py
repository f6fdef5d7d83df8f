"""The ``workbook`` group: its options, what it does without a command, and how it fails.

Every expected failure ends as one ``error: …`` line on stderr: exit 1 for bad input, a
refusing database or a file problem, 2 for a mistyped command line.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from tui.cli.context import Context
from tui.cli.full_screen import run_tui


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


class WorkbookGroup(click.Group):
    """Turns every expected failure into one ``error: …`` line on stderr."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
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
    cli.main(args=list(argv) if argv is not None else None, prog_name="workbook")
