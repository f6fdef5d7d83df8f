"""Figures across incidents as text: ``workbook stats`` and the tables of the stats screen.

Aligned columns within 80 characters; the figures themselves come from :mod:`models.stats`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from typing import Final

from models.stats import GroupStats, Stats
from models.timeparse import format_duration

# Column widths of the by-severity and by-month tables: 74 characters in all, so they fit
# an 80-column terminal with room for a border or a scroll bar.
_LABEL = 8
_TIME = 8
_TABLE_HEADER = (
    f"{'':<{_LABEL}}  {'n':>3}  {'ongoing':>7}  {'duration':>{_TIME}}  {'p90':>{_TIME}}  "
    f"{'detect':>{_TIME}}  {'mitigate':>{_TIME}}  {'FL':>4}  {'esc':>4}"
)
TABLE_LEGEND: Final = (
    "duration, detect, mitigate: medians; p90: 90th percentile of duration;",
    "FL: share of resolved time on false leads; esc: escalations per incident.",
)


def _minutes(value: float | None) -> str:
    return format_duration(value)


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _days(value: float) -> str:
    return f"{math.floor(value)}d"


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def incidents_phrase(count: int) -> str:
    return f"{count} incident" if count == 1 else f"{count} incidents"


def summary_lines(stats: Stats) -> list[str]:
    """The overall figures: what the incidents add up to, in eight short lines."""
    overall = stats.overall
    scope = [stats.severity or "all severities"]
    scope.append(f"since {stats.since.isoformat()}" if stats.since else "all time")
    lines = [
        f"{incidents_phrase(overall.incidents)} ({overall.resolved} resolved, "
        f"{overall.ongoing} ongoing) · {' · '.join(scope)}",
        "",
        f"{'':<18}{'median':>10}{'p90':>10}{'from':>8}",
    ]
    for label, spread in (
        ("Duration", overall.duration),
        ("Time to detect", overall.time_to_detect),
        ("Time to mitigate", overall.time_to_mitigate),
    ):
        lines.append(
            f"{label:<18}{_minutes(spread.median):>10}{_minutes(spread.p90):>10}{spread.count:>8}"
        )
    lines.append(
        f"{'False leads':<18}{_share(overall.false_lead_share):>10}  of resolved time "
        f"({_minutes(overall.false_lead_minutes)})"
    )
    lines.append(
        f"{'Escalations':<18}{_ratio(overall.escalations_per_incident):>10}  per incident "
        f"({overall.escalations} in all)"
    )
    return lines


def group_table_lines(title: str, groups: Sequence[tuple[str | None, GroupStats]]) -> list[str]:
    """A table of figures by severity or by month; an incident without a start is ``—``."""
    lines = [f"{title:<{_LABEL}}" + _TABLE_HEADER[_LABEL:]]
    for key, group in groups:
        lines.append(
            f"{_fit(key or '—', _LABEL):<{_LABEL}}  {group.incidents:>3}  {group.ongoing:>7}  "
            f"{_minutes(group.duration.median):>{_TIME}}  "
            f"{_minutes(group.duration.p90):>{_TIME}}  "
            f"{_minutes(group.time_to_detect.median):>{_TIME}}  "
            f"{_minutes(group.time_to_mitigate.median):>{_TIME}}  "
            f"{_share(group.false_lead_share):>4}  {_ratio(group.escalations_per_incident):>4}"
        )
    return lines


def owner_lines(stats: Stats, *, escape: Callable[[str], str] = str) -> list[str]:
    """Open action items by owner, most first; ``escape`` makes owner names safe to print."""
    if not stats.open_actions:
        return ["No open action items."]
    lines = [
        f"Open action items: {stats.open_action_count}",
        f"{'owner':<30}  {'open':>5}  {'oldest':>7}  {'median age':>10}",
    ]
    for owner in stats.open_actions:
        lines.append(
            f"{_fit(escape(owner.owner), 30):<30}  {owner.count:>5}  "
            f"{_days(owner.oldest_days):>7}  {_days(owner.median_age_days):>10}"
        )
    return lines


def render_text(stats: Stats, *, escape: Callable[[str], str] = str) -> str:
    """``workbook stats`` for a person: aligned columns within 80 characters."""
    if stats.overall.incidents == 0:
        filters = stats.severity is not None or stats.since is not None
        return ("No incidents match these filters.\n") if filters else "No incidents yet.\n"
    blocks = [
        summary_lines(stats),
        group_table_lines("Severity", stats.by_severity),
        group_table_lines("Month", stats.by_month),
        [*TABLE_LEGEND, *textwrap.wrap(stats.note, 76)],
        owner_lines(stats, escape=escape),
    ]
    return "\n\n".join("\n".join(line.rstrip() for line in block) for block in blocks) + "\n"
