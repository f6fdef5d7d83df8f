"""The incident's phases as a Mermaid flowchart, for review on GitHub and GitLab.

Impact start → detected → mitigated → resolved, each with its time and its offset from the
start, and every false lead and escalation hung off the phase it happened in. Labels hold
only times and figures the workbook computed, never text a person typed, so nothing in a
label needs escaping. Every node and every edge is one line, and a phase that is not
tagged yet keeps its line (marked as missing), so one new timeline entry changes a line or
two of the diagram, not all of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Final

from models.metrics import IncidentMetrics, Milestone

FENCE: Final = "```"

# Node shapes: stadium for the ends, rectangles for the phases between them.
_SHAPES: Final = {"started": ('(["', '"])'), "resolved": ('(["', '"])')}
_BOX: Final = ('["', '"]')
_STYLES: Final = (
    "classDef missing stroke-dasharray: 3 3",
    "classDef falseLead stroke-dasharray: 6 3",
    "classDef escalation stroke-width: 3px",
)


@dataclass(frozen=True)
class _Phase:
    node: str
    label: str
    milestone: Milestone


def _phases(metrics: IncidentMetrics) -> list[_Phase]:
    return [
        _Phase("started", "Impact start", metrics.started),
        _Phase("detected", "Detected", metrics.detected),
        _Phase("mitigated", "Mitigated", metrics.mitigated),
        _Phase("resolved", "Resolved", metrics.resolved),
    ]


def phases_diagram(
    metrics: IncidentMetrics,
    entry_times: Mapping[int, datetime],
    *,
    short_time: Callable[[datetime], str],
    duration: Callable[[float | None], str],
) -> list[str]:
    """The lines of a fenced ``mermaid`` block, or none when the start is unknown.

    ``entry_times`` maps the entry numbers the metrics were computed with (the timeline's
    ``#``) to their times; ``short_time`` and ``duration`` format as the document does.
    """
    start = metrics.started.at
    if start is None:
        return []
    phases = _phases(metrics)
    lines = [f"{FENCE}mermaid", "flowchart LR"]
    for phase in phases:
        opening, closing = _SHAPES.get(phase.node, _BOX)
        at = phase.milestone.at
        if at is None:
            missing = "not yet" if phase.node == "resolved" and metrics.ongoing else "not tagged"
            lines.append(f"    {phase.node}{opening}{phase.label}<br>{missing}{closing}:::missing")
            continue
        when = short_time(at)
        if phase.node != "started":
            offset = duration((at - start).total_seconds() / 60)
            # A milestone logged before the start (a warning in the review notes) shows its
            # own minus sign rather than "+-".
            when += " · " + (offset if offset.startswith("-") else "+" + offset)
        lines.append(f"    {phase.node}{opening}{phase.label}<br>{when}{closing}")
    lines += [f"    {a.node} --> {b.node}" for a, b in pairwise(phases)]
    lines += _marks(
        "fl",
        "False lead",
        ("{{", "}}"),
        "falseLead",
        metrics.false_lead_entry_ids,
        phases,
        entry_times,
        short_time,
    )
    lines += _marks(
        "esc",
        "Escalation",
        (">", "]"),
        "escalation",
        metrics.escalation_entry_ids,
        phases,
        entry_times,
        short_time,
    )
    lines += [f"    {style}" for style in _STYLES]
    lines.append(FENCE)
    return lines


def _marks(
    prefix: str,
    label: str,
    shape: tuple[str, str],
    style: str,
    numbers: Sequence[int],
    phases: Sequence[_Phase],
    entry_times: Mapping[int, datetime],
    short_time: Callable[[datetime], str],
) -> list[str]:
    """A node per marked entry, joined by a dotted line to the phase it happened in."""
    lines: list[str] = []
    for ordinal, number in enumerate(numbers, start=1):
        at = entry_times.get(number)
        if at is None:
            continue
        node = f"{prefix}{ordinal}"
        opening, closing = shape
        lines.append(f'    {node}{opening}"{label}<br>{short_time(at)}"{closing}:::{style}')
        lines.append(f"    {_phase_at(at, phases)} -.- {node}")
    return lines


def _phase_at(at: datetime, phases: Sequence[_Phase]) -> str:
    """The last phase reached at ``at`` (the impact start for anything earlier)."""
    current = phases[0].node
    for phase in phases:
        reached = phase.milestone.at
        if reached is not None and reached <= at:
            current = phase.node
    return current
