"""Turning user text into things safe to draw: never markup, never raw control characters."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

from exporters.render.terminal_safe import visible

# Colours for the tags the metrics know about; other tags get a neutral badge.
TAG_STYLES: dict[str, str] = {
    "impact-start": "bold white on dark_red",
    "detected": "bold black on yellow",
    "responded": "bold black on cyan",
    "escalation": "bold white on magenta",
    "false-lead": "bold white on grey37",
    "cause-identified": "bold black on orange1",
    "mitigated": "bold black on green",
    "resolved": "bold white on dark_green",
}
OTHER_TAG_STYLE = "black on grey70"


def literal(text: str, style: str = "") -> Text:
    """User text shown exactly as typed (markup is not interpreted, controls escaped)."""
    return Text(visible(text), style=style, end="")


def one_line(text: str) -> str:
    return visible(" ".join(text.split()))


def tag_badges(tags: Iterable[str]) -> Text:
    badges = Text(end="")
    for number, tag in enumerate(tags):
        if number:
            badges.append(" ")
        badges.append(f" {visible(tag)} ", style=TAG_STYLES.get(tag, OTHER_TAG_STYLE))
    return badges
