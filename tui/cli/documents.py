"""Commands between the database and documents: ``export`` and ``import``."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from tui.cli.context import Context, echo_json, fail, pass_ctx


@click.command()
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

    snap, _ = context.snapshot(ref)
    if fmt == "markdown":
        snap = context.store.with_attachment_data(snap)
    text = render_incident(snap, fmt, now=context.now())
    # Files that are not text are linked from the Markdown and written beside it.
    files = [(a, data) for a, data in snap.attached() if not a.is_text and data is not None]
    if output is None:
        sys.stdout.write(text)
        if files:
            click.echo(
                f"note: {len(files)} attached file(s) are linked, not written: "
                "use -o FILE to write them beside the postmortem",
                err=True,
            )
        return
    from pathlib import Path

    from exporters.files import write_atomically, write_bytes_atomically
    from exporters.render.attachment_blocks import attached_file_path

    target = Path(output).expanduser()
    for info, data in files:
        path = target.parent / attached_file_path(snap.incident.slug, info.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomically(path, data)
    write_atomically(target, text)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--dry-run", is_flag=True, help="Read and report, write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--explain",
    is_flag=True,
    help="Write nothing; say where the start, end and duration of each came from.",
)
@pass_ctx
def import_cmd(
    context: Context, paths: Sequence[str], dry_run: bool, as_json: bool, explain: bool
) -> None:
    """Import postmortems (files or folders of Markdown)."""
    from pathlib import Path

    from exporters.ingest.importing import (
        collect_files,
        explain_lines,
        import_paths,
        preview_line,
        preview_paths,
    )

    files = collect_files(Path(p) for p in paths)
    if not files:
        fail("no Markdown or text files found in " + ", ".join(str(p) for p in paths))
    if dry_run or explain:
        previews = preview_paths(files, now=context.now())
        if as_json:
            echo_json(previews)
        else:
            for p in previews:
                if explain:
                    for line in explain_lines(p):
                        click.echo(line)
                else:
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
