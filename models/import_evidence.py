"""Where an imported incident's start, end and duration came from, kept until checked.

``workbook import`` reads a foreign postmortem and settles on a start, an end and a
duration, each with its evidence: the line that gave it and how sure the reading is
(``stated``: the document says so in words; ``derived``: worked out from what it says;
``guessed``: a choice among readings). The evidence is stored with the incident, in the
import's own transaction, so the screen can mark those figures as imported until a
responder has looked at them.

A figure stops being "imported" in two ways, both what a person would expect:

- the responder saves the explicit start (or end) in Details, even to the same moment
  typed another way: the row is marked corrected, for good;
- the figure in use moves away from the moment the importer read: an entry tagged
  #impact-start (or #resolved) that takes over, the imported entry's time edited, its tag
  moved. The figure shown is then the responder's, so the mark is not shown
  (:func:`shown_marks`); put it back and the mark comes back: it was never checked.

The duration is worked out from the start and the end, so it is marked only while both
of them still are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Engine, Text, UniqueConstraint, update
from sqlmodel import Field, Session, SQLModel, col, select

from models.metrics import IncidentMetrics
from models.sessions import reading
from models.types import UTCDateTime

FIGURES: tuple[str, ...] = ("start", "end", "duration")
CONFIDENCES: tuple[str, ...] = ("stated", "derived", "guessed")
# Which explicit incident field each figure is, and so which save corrects it.
FIELD_OF_FIGURE: dict[str, str] = {"start": "started_at", "end": "resolved_at"}


class ImportEvidence(SQLModel, table=True):
    __tablename__ = "import_evidence"
    __table_args__ = (UniqueConstraint("incident_id", "figure", name="uq_import_evidence"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True, ondelete="CASCADE")
    figure: str  # "start", "end" or "duration"
    at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    minutes: float | None = None  # the duration's figure
    line: int | None = None  # 1-based line of the document, when one line gave it
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    confidence: str = "guessed"
    source: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    corrected_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


@dataclass(frozen=True)
class ImportedFigure:
    """One figure as the importer read it, and whether a responder has checked it since."""

    figure: str
    confidence: str
    source: str
    line: int | None = None
    text: str = ""
    at: datetime | None = None
    minutes: float | None = None
    corrected: bool = False

    @property
    def needs_check(self) -> bool:
        """Not said in so many words by the document: worth a look before publishing."""
        return self.confidence != "stated"


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def evidence_rows(
    incident_id: int, evidence: Mapping[str, Mapping[str, Any]]
) -> list[ImportEvidence]:
    """Rows for the importer's evidence (``ReadDocument.evidence``); unknown parts skipped."""
    rows = []
    for figure in FIGURES:
        found = evidence.get(figure)
        if not found:
            continue
        confidence = str(found.get("confidence") or "guessed")
        line = found.get("line")
        minutes = found.get("minutes")
        rows.append(
            ImportEvidence(
                incident_id=incident_id,
                figure=figure,
                at=_when(found.get("at")),
                minutes=float(minutes) if isinstance(minutes, int | float) else None,
                line=line if isinstance(line, int) else None,
                text=str(found.get("text") or ""),
                confidence=confidence if confidence in CONFIDENCES else "guessed",
                source=str(found.get("source") or ""),
            )
        )
    return rows


def add_evidence(
    session: Session, incident_id: int, evidence: Mapping[str, Mapping[str, Any]]
) -> None:
    """Keep the evidence inside the caller's write transaction (the import's own)."""
    for row in evidence_rows(incident_id, evidence):
        session.add(row)


def corrected_figures(fields: Iterable[str]) -> list[str]:
    """The figures that saving these incident fields corrects (the duration with either)."""
    saved = set(fields)
    figures = [figure for figure, name in FIELD_OF_FIGURE.items() if name in saved]
    return [*figures, "duration"] if figures else []


def mark_corrected(
    session: Session, incident_id: int, fields: Iterable[str], *, now: datetime
) -> None:
    """The responder saved these incident fields: their figures (and the duration built on
    them) are theirs now. Runs inside the caller's write transaction."""
    figures = corrected_figures(fields)
    if not figures:
        return
    session.execute(
        update(ImportEvidence)
        .where(
            col(ImportEvidence.incident_id) == incident_id,
            col(ImportEvidence.figure).in_(figures),
            col(ImportEvidence.corrected_at).is_(None),
        )
        .values(corrected_at=now)
    )


def with_corrections(
    imported: Mapping[str, ImportedFigure], fields: Iterable[str]
) -> dict[str, ImportedFigure]:
    """What :func:`mark_corrected` leaves, worked out without reading it back."""
    figures = set(corrected_figures(fields))
    return {
        name: replace(found, corrected=True) if name in figures else found
        for name, found in imported.items()
    }


def _figure(row: ImportEvidence) -> ImportedFigure:
    return ImportedFigure(
        figure=row.figure,
        confidence=row.confidence,
        source=row.source,
        line=row.line,
        text=row.text,
        at=row.at,
        minutes=row.minutes,
        corrected=row.corrected_at is not None,
    )


def read_evidence(session: Session, incident_id: int) -> dict[str, ImportedFigure]:
    """Figure name → its evidence, inside the caller's read (empty: not imported)."""
    rows = session.exec(
        select(ImportEvidence).where(ImportEvidence.incident_id == incident_id)
    ).all()
    return {row.figure: _figure(row) for row in rows}


def evidence_for(engine: Engine, incident_id: int) -> dict[str, ImportedFigure]:
    with reading(engine) as session:
        return read_evidence(session, incident_id)


def shown_marks(
    imported: Mapping[str, ImportedFigure], metrics: IncidentMetrics
) -> dict[str, ImportedFigure]:
    """The figures to mark as imported: not corrected, and still in use at the moment the
    importer read (whether the explicit field or the entry the importer tagged gives it)."""

    def still_imported(figure: str) -> bool:
        found = imported.get(figure)
        if found is None or found.corrected:
            return False
        milestone = metrics.started if figure == "start" else metrics.resolved
        return milestone.at is not None and (found.at is None or found.at == milestone.at)

    marks = {figure: imported[figure] for figure in ("start", "end") if still_imported(figure)}
    duration = imported.get("duration")
    if duration is not None and not duration.corrected and len(marks) == 2:
        marks["duration"] = duration
    return marks
