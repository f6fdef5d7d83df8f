"""Attachments from the workbook: a list for an entry (or the incident), a viewer for text,
saving one to a file and paging one through ``$PAGER``.

The bytes are read in a worker when asked for (an attachment may be megabytes); text is
shown literally (markup, ANSI and control characters escaped), never interpreted.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer, Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from exporters.render.terminal_safe import visible
from models.attachments import AttachmentInfo, format_size, read_attachment
from tui.errors import describe, workbook
from tui.screens.base import WorkbookModalScreen
from tui.text import literal, one_line

if TYPE_CHECKING:
    from models.store import Store

READ_GROUP = "attachment-read"
SAVE_GROUP = "attachment-save"
DEFAULT_PAGER = "less"


def attachment_line(info: AttachmentInfo) -> Text:
    """``db.log  text/plain  44 bytes`` with the name literal."""
    line = Text(end="")
    line.append(one_line(info.name), style="bold")
    line.append(f"  {one_line(info.media_type)}  {format_size(info.bytes)}", style="dim")
    return line


def literal_lines(data: bytes) -> Text:
    """The text line by line, each shown literally (tabs expanded, controls escaped)."""
    text = data.decode("utf-8", errors="replace")
    return Text("\n".join(visible(line.expandtabs(8)) for line in text.split("\n")), end="")


def page_in_pager(app: App[Any], name: str, data: bytes) -> None:
    """Hand the terminal to ``$PAGER`` (else ``less``) on a copy of the attachment."""
    command = os.environ.get("PAGER") or DEFAULT_PAGER
    suffix = Path(name).suffix[:16]
    with tempfile.NamedTemporaryFile(
        "wb", prefix="workbook-attachment-", suffix=suffix, delete=False
    ) as handle:
        handle.write(data)
        path = Path(handle.name)
    try:
        with app.suspend():
            subprocess.run([*shlex.split(command), str(path)], check=False)
    except SuspendNotSupported:
        app.notify("this terminal cannot hand over to a pager", severity="error")
    except (OSError, ValueError) as exc:
        app.notify(f"the pager did not run: {describe(exc)}", severity="error")
    finally:
        path.unlink(missing_ok=True)


class AttachmentActions(WorkbookModalScreen[None]):
    """What the list and the viewer share: read the bytes, then view, save or page them."""

    @dataclass
    class AttachmentRead(Message, bubble=False):
        """An attachment's bytes were read, for ``purpose`` (view, page or save)."""

        info: AttachmentInfo
        data: bytes
        purpose: str
        path: str | None = None

    @dataclass
    class AttachmentSaved(Message, bubble=False):
        """An attachment was written to a file."""

        path: str

    WORKER_FAILURES: ClassVar[dict[str, str]] = {
        READ_GROUP: "cannot read the attachment: {why}",
        SAVE_GROUP: "cannot save the attachment: {why}",
    }

    def __init__(self, incident_id: int) -> None:
        super().__init__()
        self.incident_id = incident_id

    def fetch(self, info: AttachmentInfo, purpose: str, path: str | None = None) -> None:
        self._read(workbook(self).store, info, purpose, path)

    @work(thread=True, exclusive=True, group=READ_GROUP, exit_on_error=False)
    def _read(self, store: Store, info: AttachmentInfo, purpose: str, path: str | None) -> None:
        meta, data = read_attachment(store.engine, self.incident_id, info.id)
        if purpose == "save" and path is not None:
            from exporters.files import write_bytes_atomically

            target = Path(path).expanduser()
            write_bytes_atomically(target, data)
            self.hand_over(self.AttachmentSaved(str(target)))
            return
        self.hand_over(self.AttachmentRead(meta, data, purpose, path))

    @on(AttachmentRead)
    def _was_read(self, event: AttachmentRead) -> None:
        if event.purpose == "page":
            page_in_pager(self.app, event.info.name, event.data)
        elif event.purpose == "view":
            self.app.push_screen(AttachmentViewer(self.incident_id, event.info, event.data))

    @on(AttachmentSaved)
    def _was_saved(self, event: AttachmentSaved) -> None:
        self.notify(f"saved to {one_line(event.path)}")

    def ask_where_to_save(self, info: AttachmentInfo) -> None:
        def chosen(path: str | None) -> None:
            if path:
                self.fetch(info, "save", path)

        self.app.push_screen(SavePrompt(info.name), chosen)


class AttachmentsScreen(AttachmentActions):
    """The attachments of an entry (or of the incident): Enter views a text one."""

    HELP_GROUP: ClassVar[str] = "Attachments"
    DEFAULT_CSS = """
    AttachmentsScreen { align: center middle; }
    AttachmentsScreen #attachments-dialog {
        width: 90%; max-width: 100; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    AttachmentsScreen #attachments-list { height: auto; max-height: 16; border: none; }
    AttachmentsScreen #attachments-status { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="attachments.close", tooltip="Back"),
        Binding("s", "save", "Save", id="attachments.save", tooltip="Save it to a file"),
        Binding("p", "page", "$PAGER", id="attachments.pager", tooltip="Open it with $PAGER"),
    ]

    def __init__(self, incident_id: int, attachments: list[AttachmentInfo], title: str) -> None:
        super().__init__(incident_id)
        self.attachments = attachments
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="attachments-dialog"):
            yield Static(literal(self.title_text, style="bold"), id="attachments-title")
            yield OptionList(
                *(Option(attachment_line(a)) for a in self.attachments), id="attachments-list"
            )
            yield Static(
                Text("Enter: view text · s: save to a file · p: $PAGER · Esc: back"),
                id="attachments-status",
            )

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        listing.focus()
        if self.attachments:
            listing.highlighted = 0

    def _current(self) -> AttachmentInfo | None:
        index = self.query_one(OptionList).highlighted
        return self.attachments[index] if index is not None else None

    @on(OptionList.OptionSelected, "#attachments-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        info = self.attachments[event.option_index]
        if not info.is_text:
            self.notify(
                f"{one_line(info.name)} is not text ({one_line(info.media_type)}): "
                "s saves it to a file, p opens it with $PAGER",
                severity="warning",
            )
            return
        self.fetch(info, "view")

    def action_save(self) -> None:
        info = self._current()
        if info is not None:
            self.ask_where_to_save(info)

    def action_page(self) -> None:
        info = self._current()
        if info is not None:
            self.fetch(info, "page")

    def action_close(self) -> None:
        self.dismiss(None)


class AttachmentViewer(AttachmentActions):
    """A text attachment, scrollable, shown exactly as stored."""

    HELP_GROUP: ClassVar[str] = "Attachment"
    DEFAULT_CSS = """
    AttachmentViewer { background: $background; }
    AttachmentViewer #viewer-title { dock: top; height: 1; background: $panel; padding: 0 1; }
    AttachmentViewer #viewer-keys { dock: bottom; height: 1; color: $text-muted; padding: 0 1; }
    AttachmentViewer #viewer-scroll { height: 1fr; padding: 0 1; }
    AttachmentViewer #viewer-text { width: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="viewer.close", tooltip="Back"),
        Binding("s", "save", "Save", id="viewer.save", tooltip="Save it to a file"),
        Binding("p", "page", "$PAGER", id="viewer.pager", tooltip="Open it with $PAGER"),
    ]

    def __init__(self, incident_id: int, info: AttachmentInfo, data: bytes) -> None:
        super().__init__(incident_id)
        self.info = info
        self.data = data

    def compose(self) -> ComposeResult:
        title = Text(end="")
        title.append_text(literal(self.info.name, style="bold"))
        title.append(f"  {one_line(self.info.media_type)}  {format_size(self.info.bytes)}")
        yield Static(title, id="viewer-title")
        with ScrollableContainer(id="viewer-scroll"):
            yield Static(literal_lines(self.data), id="viewer-text")
        yield Static(
            Text("↑↓ PgUp PgDn: scroll · s: save · p: $PAGER · Esc: back"), id="viewer-keys"
        )

    def on_mount(self) -> None:
        self.query_one("#viewer-scroll").focus()

    def action_save(self) -> None:
        self.ask_where_to_save(self.info)

    def action_page(self) -> None:
        page_in_pager(self.app, self.info.name, self.data)

    def action_close(self) -> None:
        self.dismiss(None)


class SavePrompt(WorkbookModalScreen[str | None]):
    """Where to save an attachment: a path, the attachment's name in the current folder first."""

    DEFAULT_CSS = """
    SavePrompt { align: center middle; }
    SavePrompt #save-dialog {
        width: 80%; max-width: 90; height: auto; border: round $accent;
        background: $surface; padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="save.cancel", tooltip="Save nothing"),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.default = name

    def compose(self) -> ComposeResult:
        with Vertical(id="save-dialog"):
            yield Static(Text("Save to (Enter saves, Esc cancels):"))
            yield Input(value=self.default, id="save-path")

    @on(Input.Submitted, "#save-path")
    def _submitted(self, event: Input.Submitted) -> None:
        path = event.value.strip()
        if path:
            self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)


class AttachPasteScreen(WorkbookModalScreen[bool]):
    """A paste too large for an entry: attach it to the incident as a text file instead?"""

    DEFAULT_CSS = """
    AttachPasteScreen { align: center middle; }
    AttachPasteScreen #attach-paste-dialog {
        width: 80%; max-width: 80; height: auto; border: round $warning;
        background: $surface; padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,y", "attach", "Attach", id="paste.attach", tooltip="Attach the paste"),
        Binding("escape,n", "keep", "Keep as draft", id="paste.keep", tooltip="Only keep it"),
    ]

    def __init__(self, why: str, name: str) -> None:
        super().__init__()
        self.why = why
        self.file_name = name

    def compose(self) -> ComposeResult:
        with Vertical(id="attach-paste-dialog"):
            yield Static(Text("Paste too large for an entry", style="bold"))
            message = Text(f"It is {self.why}. Attach it to the incident as ")
            message.append_text(literal(self.file_name, style="bold"))
            message.append(" instead? It is kept as a draft either way until attached.")
            yield Static(message)
            yield Static(Text("Enter or y: attach · Esc or n: keep it as a draft only"))

    def action_attach(self) -> None:
        self.dismiss(True)

    def action_keep(self) -> None:
        self.dismiss(False)
