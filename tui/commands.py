"""Key bindings gathered from the screen: the F1 help and the command palette read them.

Every key is defined once, as a ``Binding`` with an id, a description and a tooltip on the
widget or screen it acts on; the footer, the help screen and the palette all show those.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from textual.actions import parse
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import Screen


@dataclass(frozen=True)
class BoundAction:
    group: str
    binding: Binding
    node: DOMNode

    @property
    def title(self) -> str:
        return self.binding.description or self.binding.action


def _group_name(node: DOMNode) -> str:
    return str(getattr(type(node), "HELP_GROUP", type(node).__name__))


def bound_actions(screen: Screen[object]) -> Iterator[BoundAction]:
    """Every described binding of the app, the screen and the workbook's widgets on it.

    Textual's own widget keys (cursor movement and the like) are left to the footer.
    """
    seen: set[tuple[type[DOMNode], str]] = set()
    nodes: list[DOMNode] = [screen, *screen.walk_children(), screen.app]
    for node in nodes:
        cls = type(node)
        if not cls.__module__.startswith("tui."):
            continue
        for binding in Binding.make_bindings(cls.BINDINGS):
            name = binding.id or binding.action
            if not binding.description or (cls, name) in seen:
                continue
            seen.add((cls, name))
            yield BoundAction(_group_name(node), binding, node)


def is_enabled(bound: BoundAction) -> bool:
    _, action, params = parse(bound.binding.action)
    return bound.node.check_action(action, params) is not False


class BindingCommands(Provider):
    """Offers the current screen's key bindings as palette commands."""

    def _commands(self) -> list[tuple[str, BoundAction]]:
        found = []
        for bound in bound_actions(self.screen):
            if is_enabled(bound):
                key = self.app.get_key_display(bound.binding)
                found.append((f"{bound.title} ({key})", bound))
        return found

    def _run(self, bound: BoundAction) -> None:
        self.app.call_later(self.app.run_action, bound.binding.action, bound.node)

    async def discover(self) -> Hits:
        for text, bound in self._commands():
            yield DiscoveryHit(
                text, partial(self._run, bound), text=text, help=bound.binding.tooltip or None
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, bound in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(text),
                    partial(self._run, bound),
                    text=text,
                    help=bound.binding.tooltip or None,
                )
