"""Reading foreign postmortems in tests, and scoring a folder against its manifest.

A manifest is a JSON list with one object per document: ``file``, ``duration_minutes``,
``accept_duration_minutes`` (other readings a careful person could defend; ``null`` there
means "no duration" is one), ``timeline_entry_count`` and ``action_item_count``, with
``accept_timeline_entry_counts`` / ``accept_action_item_counts`` where several counts are
defensible. A document passes on duration when the importer's figure is within 2 minutes of
an accepted reading, and on each count when it is within one of an accepted count: the rules
of ``../shared/corpus/README.md``.

``uv run python -m tests.exporters.ingest.helpers FOLDER`` prints the table for a folder.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from textwrap import dedent

from exporters.ingest.foreign.reader import ForeignResult, read_foreign_markdown
from exporters.ingest.importing import decode_document, imported_duration, record_metrics
from models.record import IncidentRecord
from tests.paths import FIXTURES, SHARED

TODAY = date(2025, 1, 1)
LATER = datetime(2030, 1, 1, tzinfo=UTC)
HELD_OUT = FIXTURES / "heldout"


def read(text: str, **kwargs: object) -> ForeignResult:
    return read_foreign_markdown(dedent(text), today=TODAY, strict=True, **kwargs)  # type: ignore[arg-type]


def duration(record: IncidentRecord) -> float | None:
    """The duration as the workbook itself computes it from the record."""
    return imported_duration(record_metrics(record, now=LATER))


def texts(record: IncidentRecord) -> list[str]:
    return [e.text for e in record.entries]


def tagged(record: IncidentRecord, tag: str) -> list[str]:
    return [e.text for e in record.entries if tag in e.tags]


def warned(record: IncidentRecord, *words: str) -> bool:
    return any(all(w.lower() in message.lower() for w in words) for message in record.warnings)


@dataclass
class DocumentScore:
    file: str
    duration: float | None
    accepted: list[float | None]
    entries: int
    expected_entries: list[int]
    actions: int
    expected_actions: list[int]
    warnings: list[str]

    @property
    def duration_ok(self) -> bool:
        if self.duration is None:
            return None in self.accepted  # "no duration" is a defensible reading there
        return any(a is not None and abs(self.duration - a) <= 2 for a in self.accepted)

    @property
    def entries_ok(self) -> bool:
        return any(abs(self.entries - n) <= 1 for n in self.expected_entries)

    @property
    def actions_ok(self) -> bool:
        return any(abs(self.actions - n) <= 1 for n in self.expected_actions)

    def line(self) -> str:
        def mark(ok: bool) -> str:
            return "ok  " if ok else "MISS"

        return (
            f"{self.file:36} duration {self.duration!s:>7} {mark(self.duration_ok)} "
            f"(accepted {self.accepted})  entries {self.entries}/{self.expected_entries} "
            f"{mark(self.entries_ok)}  actions {self.actions}/{self.expected_actions} "
            f"{mark(self.actions_ok)}"
        )


@dataclass
class ManifestScore:
    documents: list[DocumentScore] = field(default_factory=list)

    @property
    def durations(self) -> int:
        return sum(d.duration_ok for d in self.documents)

    @property
    def entries(self) -> int:
        return sum(d.entries_ok for d in self.documents)

    @property
    def actions(self) -> int:
        return sum(d.actions_ok for d in self.documents)

    def summary(self) -> str:
        n = len(self.documents)
        return (
            f"durations {self.durations}/{n}, entries {self.entries}/{n}, "
            f"actions {self.actions}/{n}"
        )

    def misses(self) -> list[str]:
        return [
            d.line()
            for d in self.documents
            if not (d.duration_ok and d.entries_ok and d.actions_ok)
        ]


def score_manifest(folder: Path) -> ManifestScore:
    """Read every document a manifest names (strictly: a crash fails the test) and score it."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    score = ManifestScore()
    for facts in manifest:
        text = decode_document((folder / facts["file"]).read_bytes())
        record = read_foreign_markdown(text, filename=facts["file"], strict=True).record
        score.documents.append(
            DocumentScore(
                file=facts["file"],
                duration=duration(record),
                accepted=[facts["duration_minutes"], *facts.get("accept_duration_minutes", [])],
                entries=len(record.entries),
                expected_entries=[
                    facts["timeline_entry_count"],
                    *facts.get("accept_timeline_entry_counts", []),
                ],
                actions=len(record.action_items),
                expected_actions=[
                    facts["action_item_count"],
                    *facts.get("accept_action_item_counts", []),
                ],
                warnings=list(record.warnings),
            )
        )
    return score


def main(argv: list[str]) -> int:
    folders = [Path(a) for a in argv] or [SHARED / "corpus", SHARED / "corpus2", HELD_OUT]
    for folder in folders:
        if not (folder / "manifest.json").is_file():
            print(f"{folder}: no manifest.json", file=sys.stderr)
            return 1
        score = score_manifest(folder)
        print(folder)
        for document in score.documents:
            print("  " + document.line())
        print("  " + score.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
