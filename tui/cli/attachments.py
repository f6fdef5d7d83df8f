"""``attach`` and ``attachment``: files kept with an incident or one of its entries."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

import click

from tui.cli.context import Context, fail, pass_ctx


def _read_limited(stream: IO[bytes], limit: int, label: str) -> bytes:
    """At most ``limit`` bytes; one more byte means too large, and nothing is written."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        from models.attachments import format_size

        fail(
            f"{label} is over the attachment limit of {format_size(limit)} "
            "(setting attachment_limit); nothing was attached"
        )
    return data


@click.command()
@click.argument("ref")
@click.argument("source", metavar="PATH|-")
@click.option("--entry", "entry_id", type=int, metavar="ENTRY", help="Attach to this entry.")
@click.option("--name", metavar="NAME", help="Name to keep it under (default: the file's).")
@pass_ctx
def attach(context: Context, ref: str, source: str, entry_id: int | None, name: str | None) -> None:
    """Attach a file (or standard input, -) to an incident or one of its entries; prints its id."""
    from models.attachments import AttachmentTooLarge, add_attachment, clean_name, looks_like_text

    limit: int = context.settings.attachment_limit
    if source == "-":
        if sys.stdin.isatty():  # nothing piped: waiting for typing would look like a hang
            fail(
                "nothing is piped in: `-` reads from a pipe, "
                "as in `kubectl logs POD | workbook attach REF -`"
            )
        data = _read_limited(sys.stdin.buffer, limit, "standard input")
        label = "standard input"
        default_name = "stdin.txt" if looks_like_text(data) else "stdin.bin"
    else:
        path = Path(source).expanduser()
        if path.is_dir():
            fail(f"{source} is a folder; attach files one at a time")
        try:
            size = path.stat().st_size
            if size > limit and path.is_file():
                raise AttachmentTooLarge(path.name, size, limit)
            with path.open("rb") as handle:
                data = _read_limited(handle, limit, source)
        except OSError as exc:
            fail(f"cannot read {source}: {exc.strerror or exc}")
        label = source
        default_name = path.name
    if not data:
        fail(f"nothing to attach: {label} is empty")
    wanted = clean_name(name if name is not None else default_name)
    _, incident_id = context.incident(ref)
    info = add_attachment(
        context.store.engine,
        incident_id=incident_id,
        entry_id=entry_id,
        name=wanted,
        data=data,
        author=context.settings.author,
        limit=limit,
    )
    if info.name != wanted:
        click.echo(f"note: kept as {info.name} ({wanted} is taken)", err=True)
    click.echo(str(info.id))


@click.command()
@click.argument("ref")
@click.argument("attachment_id", metavar="ID", type=int)
@click.option("-o", "--output", metavar="FILE", help="Write to FILE (replaced atomically).")
@pass_ctx
def attachment(context: Context, ref: str, attachment_id: int, output: str | None) -> None:
    """Write one attachment back out, byte for byte (standard output by default)."""
    from models.attachments import read_attachment

    _, incident_id = context.incident(ref)
    info, data = read_attachment(context.store.engine, incident_id, attachment_id)
    if output is not None and output != "-":
        from exporters.files import write_bytes_atomically

        write_bytes_atomically(Path(output), data)
        return
    stdout = sys.stdout.buffer
    if not info.is_text and _is_terminal(stdout):
        fail(
            f"{info.name} is a binary file ({info.media_type}); "
            "use -o FILE or redirect standard output"
        )
    stdout.write(data)
    stdout.flush()


def _is_terminal(stream: IO[bytes]) -> bool:
    try:
        return os.isatty(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return False  # a test runner's buffer, a closed stream: not a terminal
