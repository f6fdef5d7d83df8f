"""The ``workbook`` program's first step: ``workbook run`` starts its command at once.

A command run through the workbook must start as if typed at the prompt (at most 30 ms
later). Loading click and the command families alone takes longer, so a well-formed
``workbook [--db PATH] run REF [--tag TAG]... [--no-output] -- CMD...`` is read here by
hand and its command started before anything else is imported; the record is written after
(:mod:`tui.cli.run`). Every other command line, including any ``run`` this reader does not
fully understand (``--help``, a mistyped option), goes to the click CLI, which answers it
and runs the same :func:`execute`.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Sequence


class RunRequest:
    """A ``workbook run`` command line, read."""

    __slots__ = ("command", "db", "no_output", "ref", "tags")

    def __init__(
        self, db: str | None, ref: str, tags: list[str], no_output: bool, command: list[str]
    ) -> None:
        self.db = db
        self.ref = ref
        self.tags = tags
        self.no_output = no_output
        self.command = command


def parse_run(args: Sequence[str]) -> RunRequest | None:
    """The request when ``args`` is a plain ``run`` command line with ``--``, else None."""
    db: str | None = None
    index = 0
    while index < len(args) and args[index] != "run":
        word = args[index]
        if word == "--db" and index + 1 < len(args):
            db, index = args[index + 1], index + 2
        elif word.startswith("--db="):
            db, index = word.removeprefix("--db="), index + 1
        else:
            return None
    index += 1
    ref: str | None = None
    tags: list[str] = []
    no_output = False
    while index < len(args):
        word = args[index]
        if word == "--":
            command = list(args[index + 1 :])
            if ref is None or not command:
                return None
            return RunRequest(db, ref, tags, no_output, command)
        if word == "--tag" and index + 1 < len(args):
            tags.append(args[index + 1])
            index += 2
        elif word.startswith("--tag="):
            tags.append(word.removeprefix("--tag="))
            index += 1
        elif word == "--no-output":
            no_output, index = True, index + 1
        elif word.startswith("-") or ref is not None:
            return None  # for click to answer: help, a mistyped option, a missing `--`
        else:
            ref, index = word, index + 1
    return None


def execute(request: RunRequest) -> int:
    """Run the command, then log it; the exit status ``workbook run`` ends with."""
    from models.vocabulary import normalize_tags
    from tui.run_relay import run_command

    try:
        tags = normalize_tags(request.tags)
    except ValueError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    started = time.time()
    ran = run_command(request.command, keep=_keep_raw)
    from tui.cli.run import record_run

    return record_run(request, tags, ran, started)


def _keep_raw() -> int:
    """How many raw bytes to keep while the command runs (asked once it has started):
    enough for the setting's worth of plain text after colours and redraws are gone."""
    from models.config import ConfigError, load_settings

    try:
        limit = int(load_settings().run_output_limit)
    except ConfigError:
        limit = 64 * 1024  # said after the command, when the record is written
    return max(4 * limit, 256 * 1024)


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    request = parse_run(args)
    if request is None:
        from tui.cli import main as cli_main

        cli_main(args)
        return
    status = execute(request)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)
