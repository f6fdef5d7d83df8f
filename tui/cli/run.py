"""``workbook run REF [--tag TAG]... [--no-output] -- CMD...``: a command into the timeline.

The command is started first (:mod:`tui.launch`, :mod:`tui.run_relay`); once it has ended,
this module writes one entry (the command line, how it ended, how long it ran; at the time
it started, by the configured author, tagged ``command`` and any ``--tag``) with what it
printed attached. Secrets are redacted before anything is kept, in the record or on disk.

When the database cannot take the entry (locked beyond the busy timeout, the server
down, the file unreachable), the entry and its output are kept in the drafts file of that
database, under ``run:…``, as the workbook keeps entries whose write has not landed; the
next ``workbook run`` or ``workbook log`` on the same database writes them. Each keeps the
moment it was first sent, so a write that landed unseen is found, never made twice.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from tui.cli.context import Context, frozen_or_real_clock, pass_ctx

if TYPE_CHECKING:
    from tui.drafts import Drafts
    from tui.launch import RunRequest
    from tui.run_relay import Ran

PENDING_RUN = "run:"


@dataclass(frozen=True)
class PendingRun:
    """A run's entry as it will be written (already redacted), kept until it lands."""

    ref: str
    at: str  # ISO 8601: the moment the command started
    sent_at: str  # ISO 8601: the first try to write it, kept as the entry's created_at
    text: str
    tags: list[str]
    author: str
    output: str | None
    output_name: str


@click.command(context_settings={"ignore_unknown_options": False})
@click.argument("ref")
@click.argument("command", nargs=-1, required=True, metavar="-- CMD [ARG]...")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Tag (repeatable).")
@click.option("--no-output", is_flag=True, help="Log the command only, not what it printed.")
@pass_ctx
def run(
    context: Context, ref: str, command: Sequence[str], tags: Sequence[str], no_output: bool
) -> None:
    """Run CMD as if typed at the prompt, and log it: the command line, its exit status
    and how long it ran, tagged `command`, with what it printed attached. Exits with the
    command's own status."""
    from tui.launch import RunRequest, execute

    request = RunRequest(context.db_option, ref, list(tags), no_output, list(command))
    # SystemExit, not click's Exit: click hands Exit's code back as a return value, which
    # the program would then ignore.
    sys.exit(execute(request))


def record_run(request: RunRequest, tags: list[str], ran: Ran, started: float) -> int:
    """Write the entry for a command that ran (or keep it for later); the exit status of
    ``workbook run``: the command's own, or 1 for a refused entry after a command that
    succeeded."""
    from exporters.command_record import (
        COMMAND_TAG,
        command_line,
        entry_text,
        output_name,
        output_text,
    )
    from tui.errors import describe

    context = Context(request.db)
    try:
        settings = context.settings
        clock = frozen_or_real_clock()  # a frozen one (WORKBOOK_NOW) for demos and tests
        at = clock() if os.environ.get("WORKBOOK_NOW") else datetime.fromtimestamp(started, UTC)
        line = command_line(request.command)
        text = entry_text(line, status=ran.status, seconds=ran.seconds, died_of=ran.signal)
        output = None
        limit = int(settings.run_output_limit)
        if not request.no_output and limit > 0:
            output = output_text(ran.output, dropped=ran.output_dropped, limit=limit) or None
        pending = PendingRun(
            ref=request.ref,
            at=at.isoformat(),
            sent_at=datetime.now(UTC).isoformat(),
            text=text,
            tags=[COMMAND_TAG, *(t for t in tags if t != COMMAND_TAG)],
            author=settings.author,
            output=output if output and output.strip() else None,
            output_name=output_name(request.command),
        )
    except (click.ClickException, ValueError) as exc:
        return _refused(describe(exc), ran.status)
    drafts = _drafts(context)
    try:
        _write(context, pending)
    except Exception as exc:
        if _unavailable(exc):
            where = _keep(drafts, pending)
            _say(f"not logged yet: {describe(exc)}; {where}")
            return ran.status
        if _refusal(exc):
            return _refused(describe(exc), ran.status)
        raise
    send_pending_runs(context, drafts)
    return ran.status


def _refused(why: str, status: int) -> int:
    click.echo(f"error: {why}; the command ran, nothing was logged", err=True)
    return status or 1


def _say(message: str) -> None:
    click.echo(f"workbook: {message}", err=True)


def _unavailable(exc: BaseException) -> bool:
    """The database cannot be reached or is busy: worth keeping the entry for later."""
    from models.db import DatabaseProblem

    if isinstance(exc, (OSError, DatabaseProblem)):
        return True
    module = sys.modules.get("sqlalchemy.exc")
    return module is not None and isinstance(exc, (module.OperationalError, module.InterfaceError))


def _refusal(exc: BaseException) -> bool:
    from tui.errors import expected_errors

    return isinstance(exc, expected_errors())


def _drafts(context: Context) -> Drafts | None:
    from models.location import database_url
    from tui.drafts import Drafts, default_drafts_dir

    try:
        return Drafts(default_drafts_dir(), database_url(context.db_location()))
    except (OSError, ValueError, click.ClickException):
        return None


def _write(context: Context, pending: PendingRun) -> None:
    from models.command_runs import log_command_run

    _, incident_id = context.incident(pending.ref)
    log_command_run(
        context.store,
        incident_id,
        text=pending.text,
        at=datetime.fromisoformat(pending.at),
        tags=pending.tags,
        author=pending.author,
        sent_at=datetime.fromisoformat(pending.sent_at),
        output=pending.output,
        output_name=pending.output_name,
    )


def _keep(drafts: Drafts | None, pending: PendingRun) -> str:
    """Keep the entry for the next command; where it went, for the message."""
    from tui.drafts import NO_INCIDENT

    if drafts is None:
        return "and it could not be kept: the drafts folder is unknown"
    key = PENDING_RUN + secrets.token_hex(6)
    try:
        drafts.save(NO_INCIDENT, key, json.dumps(asdict(pending), ensure_ascii=False))
    except OSError as exc:
        return f"and it could not be kept ({exc.strerror or exc})"
    return (
        f"kept in {drafts.path(NO_INCIDENT)}, logged by the next `workbook run` or "
        "`workbook log` on this database"
    )


def _read_pending(raw: str) -> PendingRun | None:
    try:
        value = json.loads(raw)
        run = PendingRun(**value)
        datetime.fromisoformat(run.at)
        datetime.fromisoformat(run.sent_at)
    except (ValueError, TypeError):
        return None  # not ours to understand: left alone
    return run


def send_pending_runs(context: Context, drafts: Drafts | None = None) -> None:
    """Write the entries earlier runs kept while the database was unavailable."""
    from tui.drafts import NO_INCIDENT
    from tui.errors import describe

    drafts = drafts or _drafts(context)
    if drafts is None:
        return
    kept = {k: v for k, v in drafts.load(NO_INCIDENT).items() if k.startswith(PENDING_RUN)}
    logged = 0
    for key, raw in kept.items():
        pending = _read_pending(raw)
        if pending is None:
            continue
        try:
            _write(context, pending)
        except Exception as exc:
            if not (_unavailable(exc) or _refusal(exc)):
                raise
            _say(
                f"an earlier run for {pending.ref!r} is still not logged ({describe(exc)}); "
                f"it stays in {drafts.path(NO_INCIDENT)}"
            )
            continue
        with contextlib.suppress(OSError):  # written: a second try finds it there
            drafts.discard(NO_INCIDENT, key)
        logged += 1
    if logged:
        runs = "an earlier run" if logged == 1 else f"{logged} earlier runs"
        _say(f"logged {runs} kept while the database was unavailable")
