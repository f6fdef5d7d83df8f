"""The postmortem as Markdown for review on GitHub: ``workbook export --format markdown``.

Sections follow the Google SRE and PagerDuty templates. Everything a person typed is either
a narrative (their own Markdown, kept as written) or escaped inline text that can forge no
heading, list, cell, link or tag. The machine-readable parts and their rules are described
in :mod:`exporters.render.workbook_format`, which reads the document back.

The output is deterministic: the same incident and ``now`` give the same bytes, LF line
endings, no trailing white space, one final newline. ``now`` only matters while the
incident is ongoing (its duration so far).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, tzinfo
from types import SimpleNamespace
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from exporters.render.attachment_blocks import attachment_blocks
from exporters.render.escaping import encode_narrative, escape_inline, narrative_is_plain
from exporters.render.mermaid import phases_diagram
from exporters.render.workbook_format import (
    ACTION_ITEMS_MARKER,
    EMPTY_PLACEHOLDER,
    FORMAT_MARKER,
    FRONT_MATTER_FIELDS,
    NO_VALUE,
    SAFE_LINK,
    TIMELINE_MARKER,
    begin_marker,
    clock_text,
    date_text,
    end_marker,
    front_matter_value,
    local_time,
    timeline_time,
)
from models.attachments import AttachmentInfo
from models.bulk import collector_paused
from models.metrics import IncidentMetrics, Milestone, compute_metrics
from models.tables import ActionItem, Incident, TimelineEntry

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_CODE_TAG: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


# An entry's values as the export reads them: (id, at, text, tags, author, deleted_at).
_EntryValues = tuple[int | None, datetime, str, Sequence[str], str, datetime | None]


def _entry_values(entry: TimelineEntry) -> _EntryValues:
    # Straight from the instance dict: SQLAlchemy's attribute descriptors cost more than
    # the rest of a row's rendering. An expired or missing attribute goes the usual way.
    values = getattr(entry, "__dict__", None)
    try:
        return (
            values["id"],  # type: ignore[index]
            values["at"],  # type: ignore[index]
            values["text"],  # type: ignore[index]
            values["tags"],  # type: ignore[index]
            values["author"],  # type: ignore[index]
            values["deleted_at"],  # type: ignore[index]
        )
    except (KeyError, TypeError):
        return (
            entry.id,
            entry.at,
            entry.text,
            entry.tags,
            entry.author,
            getattr(entry, "deleted_at", None),
        )


def _in_time_order(entries: Sequence[TimelineEntry]) -> list[_EntryValues]:
    """The live entries by instant, then id (ids of None last), else as given."""
    live = [v for v in map(_entry_values, entries) if v[5] is None]
    if all(v[1].tzinfo is UTC for v in live):
        # Times read from the database: UTC datetimes compare as instants already.
        live.sort(key=lambda v: (v[1], v[0] is None, v[0] or 0))
    else:
        # A difference, so that times in a DST fold or gap compare as the metrics see them.
        live.sort(key=lambda v: (v[1] - _EPOCH, v[0] is None, v[0] or 0))
    return live


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _duration(minutes: float | None) -> str:
    """``45s``, ``15m``, ``2h 15m``, ``1d 3h``; ``—`` when unknown."""
    if minutes is None or not math.isfinite(minutes):
        return NO_VALUE
    sign = "-" if minutes < 0 else ""
    seconds = math.floor(abs(minutes) * 60 + 0.5)
    if seconds < 60:
        return f"{sign}{seconds}s" if seconds else "0m"
    whole = math.floor(abs(minutes) + 0.5)
    days, rest = divmod(whole, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (mins, "m")) if n]
    return sign + " ".join(parts)


def _number(value: float) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _optional_cell(value: str | None) -> str:
    if value is None:
        return NO_VALUE
    text = escape_inline(value)
    return "&#8212;" if text == NO_VALUE else text


def _link_cell(link: str | None) -> str:
    if link is not None and SAFE_LINK.fullmatch(link):
        return f"<{link}>"
    return _optional_cell(link)


def _tags_cell(tags: Sequence[str]) -> str:
    return " ".join(
        f"`{tag}`" if _CODE_TAG.fullmatch(tag) else escape_inline(tag, encode_spaces=True)
        for tag in tags
        if tag
    )


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _timeline_rows(live: Sequence[_EntryValues], zone: tzinfo) -> list[str]:
    """One table row per entry. Tag lists and authors repeat, so each is escaped once."""
    tag_cells: dict[tuple[str, ...], str] = {}
    author_cells: dict[str, str] = {}
    rows = []
    for n, (_, at, text, tags, author, _) in enumerate(live, start=1):
        key = tuple(tags)
        tags_cell = tag_cells.get(key)
        if tags_cell is None:
            tags_cell = tag_cells[key] = _tags_cell(key)
        author_cell = author_cells.get(author)
        if author_cell is None:
            author_cell = author_cells[author] = escape_inline(author)
        rows.append(
            f"| {n} | {timeline_time(at, zone)} | {escape_inline(text)} | {tags_cell}"
            f" | {author_cell} |"
        )
    return rows


def _narrative(name: str, text: str) -> list[str]:
    if not text:
        return [begin_marker(name, "empty"), EMPTY_PLACEHOLDER, end_marker(name)]
    if narrative_is_plain(text):
        return [begin_marker(name), *text.split("\n"), end_marker(name)]
    return [begin_marker(name, "escaped"), *encode_narrative(text), end_marker(name)]


class _Clock:
    """Local times for people: the date only when it differs from the impact start's."""

    def __init__(self, zone: tzinfo, reference: datetime | None) -> None:
        self.zone = zone
        self.day: date | None = None if reference is None else local_time(reference, zone).date()

    def full(self, at: datetime) -> str:
        local = local_time(at, self.zone)
        label = local.tzname() or ""
        return f"{date_text(local)} {clock_text(local)} {label}".rstrip()

    def short(self, at: datetime) -> str:
        local = local_time(at, self.zone)
        if local.date() == self.day:
            return clock_text(local)
        return f"{date_text(local)} {clock_text(local)}"


def _source(milestone: Milestone) -> str:
    if milestone.source == "explicit":
        return "set on the incident"
    if milestone.source == "earliest-entry":
        return f"entry {milestone.entry_id}, the earliest; none is tagged `impact-start`"
    if milestone.entry_id is not None:
        return f"entry {milestone.entry_id}"
    return ""


def _point(clock: _Clock, milestone: Milestone, what: str) -> str:
    assert milestone.at is not None
    source = _source(milestone)
    return f"{clock.short(milestone.at)} {what}" + (f" ({source})" if source else "")


def _entries_list(numbers: Sequence[int]) -> str:
    if not numbers:
        return ""
    label = "entry" if len(numbers) == 1 else "entries"
    return f"{label} {', '.join(str(n) for n in numbers)}"


def _key_times(metrics: IncidentMetrics, clock: _Clock, zone_name: str) -> list[str]:
    start = metrics.started
    lines = [f"Times in {escape_inline(zone_name)}; every figure runs from the impact start.", ""]
    if start.at is None:
        lines.append(
            f"- **Impact started:** {NO_VALUE} (no start: tag the entry where the impact "
            "began `impact-start`)"
        )
    else:
        source = _source(start)
        lines.append(
            f"- **Impact started:** {clock.full(start.at)}" + (f" ({source})" if source else "")
        )
    spans: tuple[tuple[str, Milestone, float | None, str, str], ...] = (
        (
            "Time to detect",
            metrics.detected,
            metrics.time_to_detect_minutes,
            "detected",
            "detected",
        ),
        (
            "Time to respond",
            metrics.responded,
            metrics.time_to_respond_minutes,
            "responded",
            "responded",
        ),
        (
            "Time to escalate",
            metrics.escalated,
            metrics.time_to_escalate_minutes,
            "escalated",
            "escalation",
        ),
        (
            "Cause identified",
            metrics.cause_identified,
            None,
            "cause identified",
            "cause-identified",
        ),
        (
            "Time to mitigate",
            metrics.mitigated,
            metrics.time_to_mitigate_minutes,
            "mitigated",
            "mitigated",
        ),
        (
            "Time to resolve",
            metrics.resolved,
            metrics.time_to_resolve_minutes,
            "resolved",
            "resolved",
        ),
    )
    for label, milestone, minutes, what, tag in spans:
        if milestone.at is None:
            missing = "not resolved yet" if tag == "resolved" else f"no entry tagged `{tag}`"
            lines.append(f"- **{label}:** {NO_VALUE} ({missing})")
            continue
        if minutes is None and start.at is not None:
            minutes = (milestone.at - start.at).total_seconds() / 60
        if start.at is None:
            lines.append(f"- **{label}:** {NO_VALUE}, at {_point(clock, milestone, what)}")
        else:
            lines.append(
                f"- **{label}:** {_duration(minutes)}, from "
                f"{_point(clock, start, 'impact start')} to {_point(clock, milestone, what)}"
            )
    false_leads = f"- **False leads:** {metrics.false_leads}"
    if metrics.false_leads:
        false_leads += f", {_duration(metrics.time_on_false_leads_minutes)} lost"
        false_leads += f" ({_entries_list(metrics.false_lead_entry_ids)})"
    lines.append(false_leads)
    escalations = f"- **Escalations:** {metrics.escalations}"
    if metrics.escalations:
        escalations += f" ({_entries_list(metrics.escalation_entry_ids)})"
    lines.append(escalations)
    return lines


def _impact(
    incident: Incident, metrics: IncidentMetrics, clock: _Clock, now: datetime
) -> list[str]:
    duration = _duration(metrics.duration_minutes)
    if metrics.duration_minutes is not None and metrics.started.at is not None:
        if metrics.ongoing:
            duration += f" so far (ongoing at {clock.full(now)})"
        elif metrics.resolved.at is not None:
            duration += f" ({clock.full(metrics.started.at)} to {clock.short(metrics.resolved.at)})"
    users: list[str] = []
    if incident.users_affected_pct is not None:
        users.append(f"{_number(incident.users_affected_pct)}%")
    if incident.users_affected is not None:
        users.append(f"{_number(incident.users_affected)} users")
    users_text = NO_VALUE
    if users:
        users_text = users[0] + (f" ({users[1]})" if len(users) > 1 else "")
    revenue = NO_VALUE
    if incident.revenue_lost is not None:
        revenue = f"{incident.revenue_lost:,.2f}"
        if incident.currency:
            revenue += f" {escape_inline(incident.currency)}"
    data_loss = {True: "yes", False: "none", None: "unknown"}[incident.data_loss]
    if incident.data_loss_note:
        data_loss += f" ({escape_inline(incident.data_loss_note)})"
    slo = NO_VALUE
    if incident.slo_target_pct is not None:
        slo = f"{_number(incident.slo_target_pct)}% over {incident.slo_window_days} days"
    budget = NO_VALUE
    if metrics.error_budget_consumed_pct is not None:
        budget = f"{metrics.error_budget_consumed_pct:.1f}%"
    user_minutes = NO_VALUE if metrics.user_minutes is None else f"{metrics.user_minutes:,.0f}"
    transactions = NO_VALUE
    if incident.transactions_lost is not None:
        transactions = _number(incident.transactions_lost)
    return [
        f"- **Duration:** {duration}",
        f"- **Users affected:** {users_text}",
        f"- **Transactions lost:** {transactions}",
        f"- **Revenue lost:** {revenue}",
        f"- **Data loss:** {data_loss}",
        f"- **SLO:** {slo}",
        f"- **Error budget consumed:** {budget}",
        f"- **User-minutes:** {user_minutes}",
    ]


def render_markdown(
    incident: Incident,
    entries: Sequence[TimelineEntry],
    action_items: Sequence[ActionItem],
    *,
    now: datetime,
    attachments: Sequence[tuple[AttachmentInfo, bytes | None]] = (),
) -> str:
    """The postmortem of ``incident``; ``entries`` are its live timeline entries;
    ``attachments`` come with the bytes of the text ones (see attachment_blocks)."""
    with collector_paused():
        return _render(incident, entries, action_items, now=now, attachments=attachments)


def _render(
    incident: Incident,
    entries: Sequence[TimelineEntry],
    action_items: Sequence[ActionItem],
    *,
    now: datetime,
    attachments: Sequence[tuple[AttachmentInfo, bytes | None]],
) -> str:
    live = _in_time_order(entries)
    numbers = {v[0]: n for n, v in enumerate(live, start=1) if v[0] is not None}
    # The metrics see each entry under its row number, which is what the document cites.
    metrics = compute_metrics(
        incident,
        [
            SimpleNamespace(id=n, at=v[1], tags=v[3], deleted_at=None)
            for n, v in enumerate(live, start=1)
        ],
        now=now,
    )
    zone = _zone(incident.timezone)
    clock = _Clock(zone, metrics.started.at)

    out: list[str] = ["---", FORMAT_MARKER]
    out += [
        f"{name}: {front_matter_value(getattr(incident, name))}" for name in FRONT_MATTER_FIELDS
    ]
    out += ["---", "", f"# {escape_inline(incident.title)}".rstrip(), ""]

    about = [
        f"**Severity:** {escape_inline(incident.severity)}",
        f"**Status:** {escape_inline(incident.status)}",
        f"**Duration:** {_duration(metrics.duration_minutes)}"
        + (" (ongoing)" if metrics.ongoing else ""),
    ]
    if incident.services:
        about.append(f"**Services:** {', '.join(escape_inline(s) for s in incident.services)}")
    if incident.commander:
        about.append(f"**Commander:** {escape_inline(incident.commander)}")
    out += [" · ".join(about).rstrip(), ""]

    def section(title: str, *names: str, level: int = 2) -> None:
        out.extend([f"{'#' * level} {title}", ""])
        for name in names:
            out.extend([*_narrative(name, getattr(incident, name)), ""])

    section("Summary", "summary")
    section("Impact")
    out += [*_impact(incident, metrics, clock, now), ""]
    out += [*_narrative("impact_narrative", incident.impact_narrative), ""]
    section("Key times")
    out += [*_key_times(metrics, clock, incident.timezone), ""]
    diagram = phases_diagram(
        metrics,
        {n: values[1] for n, values in enumerate(live, start=1)},
        short_time=clock.short,
        duration=_duration,
    )
    if diagram:
        out += [*diagram, ""]

    section("Timeline")
    if live:
        out += [
            TIMELINE_MARKER,
            _row(["#", f"Time ({escape_inline(incident.timezone)})", "Event", "Tags", "Author"]),
            "|---|---|---|---|---|",
        ]
        out += _timeline_rows(live, zone)
    else:
        out.append("_No entries yet._")
    out.append("")
    labels: dict[int, tuple[int, str]] = {}
    if attachments:
        for entry_id, n in numbers.items():
            at = local_time(live[n - 1][1], zone)
            labels[entry_id] = (n, f"entry {n} ({date_text(at)} {clock_text(at)})")
        out += attachment_blocks(attachments, slug=incident.slug, labels=labels, on_entries=True)

    section("Root cause", "root_cause")
    section("Trigger", "trigger")
    section("Resolution", "resolution")
    section("Detection", "detection")

    section("Action items")
    items = sorted(action_items, key=lambda a: (a.number, a.id or 0))
    if items:
        out += [
            ACTION_ITEMS_MARKER,
            _row(["Ref", "Action", "Owner", "Priority", "Type", "Status", "Due", "Link", "From"]),
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for item in items:
            source = NO_VALUE
            number = numbers.get(item.source_entry_id)
            if number is not None:
                at = local_time(live[number - 1][1], zone)
                source = f"entry {number} ({date_text(at)} {clock_text(at)})"
            out.append(
                _row(
                    [
                        f"AI-{item.number}",
                        escape_inline(item.title),
                        _optional_cell(item.owner),
                        escape_inline(item.priority),
                        escape_inline(item.type),
                        escape_inline(item.status),
                        NO_VALUE if item.due is None else date_text(item.due),
                        _link_cell(item.link),
                        source,
                    ]
                )
            )
    else:
        out.append("_No action items yet._")
    out.append("")

    section("Lessons learned")
    section("What went well", "went_well", level=3)
    section("What went wrong", "went_wrong", level=3)
    section("Where we got lucky", "got_lucky", level=3)
    section("Supporting information", "supporting_info")
    if attachments:
        out += attachment_blocks(attachments, slug=incident.slug, labels=labels, on_entries=False)

    if metrics.warnings:
        section("Review notes")
        out += [f"- {escape_inline(w)}" for w in metrics.warnings]
        out.append("")

    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"
