"""Small rules about a timeline that several commands share."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from models.tables import Incident, TimelineEntry


def time_reference(
    incident: Incident, entries: Sequence[TimelineEntry], *, now: datetime
) -> datetime:
    """What a bare time like ``10:45`` is read near.

    While the incident is ongoing that is now; once it is resolved, people are backfilling,
    so it is the latest entry (or the recorded resolution when there are no entries).
    """
    live = [e for e in entries if e.deleted_at is None]
    resolved = incident.resolved_at is not None or any("resolved" in e.tags for e in live)
    if not resolved:
        return now
    if live:
        return max(e.at for e in live)
    return incident.resolved_at or now


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def exported_order(entries: Iterable[TimelineEntry]) -> list[TimelineEntry]:
    """Live entries in the order of the exported timeline, whose ``#`` counts from 1.

    By instant (a difference, so times in a DST fold compare as the metrics see them), then
    by id: the same order :func:`exporters.markdown.render_markdown` numbers them in.
    """
    return sorted(
        (e for e in entries if e.deleted_at is None),
        key=lambda e: (e.at - _EPOCH, e.id is None, e.id or 0),
    )
