"""The ``workbook`` command line: the group, and every command by family.

Only ``workbook``, ``open`` and ``demo`` load Textual; everything else stays light so
that scripts and a slow jump host get their answer quickly. Heavy modules are imported
inside the commands for the same reason: ``workbook --help`` must not pay for SQLAlchemy.
"""

from __future__ import annotations

from tui.cli import (
    actions,
    attachments,
    config,
    documents,
    entries,
    full_screen,
    incidents,
    publishing,
    run,
    search,
    stats,
)
from tui.cli.group import cli, main

__all__ = ["cli", "main"]

for _command in (
    full_screen.open_cmd,
    full_screen.demo,
    incidents.new,
    incidents.set_cmd,
    incidents.show,
    incidents.list_cmd,
    entries.log,
    entries.edit,
    entries.history,
    entries.tag,
    entries.delete,
    entries.restore,
    run.run,
    attachments.attach,
    attachments.attachment,
    actions.action,
    actions.action_update,
    documents.export,
    documents.import_cmd,
    publishing.publish,
    publishing.pull,
    stats.stats,
    search.search,
    config.config,
):
    cli.add_command(_command)
