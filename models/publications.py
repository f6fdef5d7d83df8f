"""Where each incident was published, and what: the review loop's memory, in the database.

One row per incident and place (docs repository, folder, branch). It remembers the bytes
last published (their blob id, the commit that carried them and the text itself: the
common ancestor of a three-way merge with the reviewers' edits), which timeline entry
became which row of the published table (entry ids belong to this database, so they are
kept here and not in the shared repository), and the last commit known to be on the
remote branch, so that ``workbook show`` and the TUI can say when the branch is ahead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import JSON, Column, Engine, Text, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.sessions import reading, writing
from models.timeparse import utc_now
from models.types import UTCDateTime


class Publication(SQLModel, table=True):
    __tablename__ = "publication"
    __table_args__ = (
        UniqueConstraint("incident_id", "repo", "folder", "branch", name="uq_publication_place"),
    )

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True, ondelete="CASCADE")
    repo: str  # the docs repository's top folder, absolute
    folder: str = "postmortems"  # --dir, inside the repository
    branch: str
    remote: str | None = None  # set once a push was asked for
    path: str = ""  # <folder>/<slug>.md, as committed
    blob_sha: str = ""  # the blob id of the bytes last published
    commit_sha: str = ""  # the commit that carries them
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # The entry id behind each row of the published timeline, in row order.
    entry_ids: list[int | None] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    pushed_commit: str | None = None  # the last commit known to be on the remote branch
    published_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(UTCDateTime(), nullable=False)
    )

    @property
    def ahead(self) -> bool:
        """The branch holds a commit its remote has not got (a push failed or was not asked)."""
        return (
            self.remote is not None
            and bool(self.commit_sha)
            and self.commit_sha != self.pushed_commit
        )


class Publications:
    """Reads and writes of the publication table; each write is one committed transaction."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.engine = engine
        self.clock = clock

    def latest(self, incident_id: int) -> Publication | None:
        """The incident's most recent publication, anywhere."""
        with reading(self.engine) as session:
            return session.exec(
                select(Publication)
                .where(Publication.incident_id == incident_id)
                .order_by(col(Publication.published_at).desc(), col(Publication.id).desc())
            ).first()

    def find(self, incident_id: int, repo: str, folder: str, branch: str) -> Publication | None:
        with reading(self.engine) as session:
            return _find(session, incident_id, repo, folder, branch)

    def save(self, publication: Publication) -> Publication:
        """Insert or replace the row for the publication's incident and place."""
        with writing(self.engine) as session:
            return save_publication(session, publication)

    def mark_pushed(
        self,
        incident_id: int,
        repo: str,
        folder: str,
        branch: str,
        commit: str,
        *,
        remote: str | None = None,
    ) -> Publication | None:
        """Remember that the remote branch holds ``commit`` (and, when given, which remote
        that is); None when nothing was published to that place."""
        with writing(self.engine) as session:
            row = _find(session, incident_id, repo, folder, branch)
            if row is None:
                return None
            if remote is not None:
                row.remote = remote
            row.pushed_commit = commit
            session.add(row)
            return row


def save_publication(session: Session, publication: Publication) -> Publication:
    """Insert or replace, inside the caller's transaction, the row for the publication's
    incident and place."""
    row = _find(
        session, publication.incident_id, publication.repo, publication.folder, publication.branch
    )
    values = publication.model_dump(exclude={"id"})
    if row is None:
        row = Publication(**values)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.add(row)
    return row


def _find(
    session: Session, incident_id: int, repo: str, folder: str, branch: str
) -> Publication | None:
    return session.exec(
        select(Publication).where(
            Publication.incident_id == incident_id,
            Publication.repo == repo,
            Publication.folder == folder,
            Publication.branch == branch,
        )
    ).first()
