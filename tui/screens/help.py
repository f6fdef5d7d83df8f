"""F1: every key of the screen underneath, generated from its bindings, and the syntax."""

from __future__ import annotations

from itertools import groupby
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from models.vocabulary import KNOWN_TAGS, TAG_ALIASES
from tui.commands import bound_actions

QUICK_ENTRY_HELP = """\
Quick entry:  [TIME] text #tag #tag   then Enter
  TIME (optional, first): 10:45  2:30pm  2:30 pm  -5m  -1h30m  2026-03-02 23:50
  A #word anywhere is a tag and leaves the text; \\# keeps a literal #.
  #123 (digits only) and C# (inside a word) stay text.
  A pasted block is one entry, line breaks kept (⏎ in the bar); ctrl+t logs
  each line with a timestamp of its own at that time instead."""


def _aliases_text() -> str:
    by_tag: dict[str, list[str]] = {}
    for alias, tag in TAG_ALIASES.items():
        by_tag.setdefault(tag, []).append("#" + alias)
    lines = ["Tags and their short forms:"]
    for tag in KNOWN_TAGS:
        short = ", ".join(by_tag.get(tag, []))
        lines.append(f"  #{tag:<17} {short}")
    lines.append("  any other lowercase-hyphenated word, like #db-failover")
    return "\n".join(lines)


class HelpScreen(ModalScreen[None]):
    HELP_GROUP: ClassVar[str] = "Help"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,f1,q",
            "dismiss",
            "Close help",
            id="help.close",
            tooltip="Close this help screen",
        ),
    ]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self._under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(self._keys_table(), id="help-keys")
            yield Static(Text(QUICK_ENTRY_HELP), id="help-quick-entry")
            yield Static(Text(_aliases_text()), id="help-tags")
            yield Static(
                Text("ctrl+p opens the command palette with all of these.  Esc closes help."),
                id="help-footer",
            )

    def _keys_table(self) -> Text:
        lines = Text(end="")
        ordered = sorted(bound_actions(self._under), key=lambda b: b.group == "Workbook")
        for number, (group, members) in enumerate(groupby(ordered, key=lambda b: b.group)):
            if number:
                lines.append("\n")
            lines.append(group + "\n", style="bold underline")
            for bound in members:
                key = self.app.get_key_display(bound.binding)
                lines.append(f"  {key:<8} ", style="bold")
                lines.append(bound.title)
                if bound.binding.tooltip:
                    lines.append(f" — {bound.binding.tooltip}", style="dim")
                lines.append("\n")
        return lines
