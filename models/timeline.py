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
    return backfill_reference(incident, entries) or now


def backfill_reference(incident: Incident, entries: Sequence[TimelineEntry]) -> datetime | None:
    """The reference of a resolved incident; None while it is ongoing (then it is now)."""
    live = [e for e in entries if e.deleted_at is None]
    resolved = incident.resolved_at is not None or any("resolved" in e.tags for e in live)
    if not resolved:
        return None
    if live:
        return max(e.at for e in live)
    return incident.resolved_at


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def exported_order(entries: Iterable[TimelineEntry]) -> list[TimelineEntry]:
    """Live entries in the order of the exported timeline, whose ``#`` counts from 1.

    By instant (a difference, so times in a DST fold compare as the metrics see them), then
    by id: the same order :func:`exporters.render.markdown.render_markdown` numbers them in.
    """
    return sorted(
        (e for e in entries if e.deleted_at is None),
        key=lambda e: (e.at - _EPOCH, e.id is None, e.id or 0),
    )


class EntryFilter:
    """What the timeline filter keeps: every word of the query must match the entry.

    A ``#word`` matches a tag exactly (aliases such as ``#fl`` work as in quick entry); any
    other word matches anywhere in the text, the author or the tags, ignoring case. An
    empty query keeps everything.
    """

    def __init__(self, query: str) -> None:
        from models.vocabulary import TAG_ALIASES

        self.query = query
        self.tags: list[str] = []
        self.words: list[str] = []
        for word in query.lower().split():
            if word.startswith("#") and len(word) > 1:
                tag = word[1:]
                self.tags.append(TAG_ALIASES.get(tag, tag))
            elif word != "#":
                self.words.append(word)

    def __bool__(self) -> bool:
        return bool(self.tags or self.words)

    def narrows(self, earlier: EntryFilter) -> bool:
        """Everything this keeps, ``earlier`` kept too (the query was typed on)."""
        return self.query.startswith(earlier.query) and "#" not in earlier.query

    @staticmethod
    def haystack(entry: TimelineEntry) -> str:
        """What words are looked for in (a caller may keep it per entry)."""
        return f"{entry.text}\n{entry.author}\n{' '.join(entry.tags)}".lower()

    def matches(self, entry: TimelineEntry, haystack: str | None = None) -> bool:
        if any(tag not in entry.tags for tag in self.tags):
            return False
        if not self.words:
            return True
        text = self.haystack(entry) if haystack is None else haystack
        return all(word in text for word in self.words)
