"""What every command shares: the database, the settings, the clock, and how to give up.

Nothing heavy is imported here at load time: ``workbook --help`` loads this module and
must not pay for SQLAlchemy.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from datetime import datetime

    from models.allowances import Allowances
    from models.config import Settings
    from models.publications import Publications
    from models.store import IncidentSnapshot, Store
    from models.tables import Incident


class Context:
    """The database location, settings and the open store of one command line."""

    def __init__(self, db: str | None) -> None:
        self.db_option = db
        self._settings: Settings | None = None
        self._store: Store | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from models.config import load_settings

            self._settings = load_settings()
        return self._settings

    def db_location(self) -> str:
        from models.location import default_db_path

        return self.db_option or self.settings.db or str(default_db_path())

    @property
    def store(self) -> Store:
        if self._store is None:
            from models.db import open_database
            from models.store import Store

            # Settings and clock first: a bad config file or WORKBOOK_NOW must not leave a
            # new, empty database behind.
            settings, clock = self.settings, frozen_or_real_clock()
            engine = open_database(self.db_location())
            self._store = Store(engine, author=settings.author, clock=clock)
        return self._store

    @property
    def store_is_open(self) -> bool:
        return self._store is not None

    def now(self) -> datetime:
        return self.store.clock()

    def incident(self, ref: str) -> tuple[Incident, int]:
        """The incident ``ref`` names, and its id: every stored incident has one."""
        incident = self.store.resolve_ref(ref)
        if incident.id is None:
            fail(f"the incident {ref!r} was read without its id: the database may be damaged")
        return incident, incident.id

    def snapshot(self, ref: str) -> tuple[IncidentSnapshot, int]:
        """Everything recorded about the incident ``ref`` names, and its id."""
        _, incident_id = self.incident(ref)
        return self.store.snapshot(incident_id), incident_id

    def publications(self) -> Publications:
        from models.publications import Publications

        return Publications(self.store.engine, clock=self.store.clock)

    def allowances(self) -> Allowances:
        from models.allowances import Allowances

        return Allowances(self.store.engine, clock=self.store.clock)


pass_ctx = click.make_pass_decorator(Context)


def frozen_or_real_clock() -> Callable[[], datetime]:
    """The real clock, or a frozen one from WORKBOOK_NOW (scripted demos and tests)."""
    from datetime import datetime

    from models.timeparse import utc_now

    frozen = os.environ.get("WORKBOOK_NOW")
    if not frozen:
        return utc_now
    try:
        moment = datetime.fromisoformat(frozen)
    except ValueError:
        fail(f"WORKBOOK_NOW={frozen!r} is not an ISO time such as 2026-03-02T23:55:00+00:00")
    if moment.tzinfo is None:
        fail("WORKBOOK_NOW needs an offset, such as 2026-03-02T23:55:00+00:00")
    return lambda: moment


def fail(message: str) -> NoReturn:
    raise click.ClickException(message)


def echo_json(data: Any) -> None:
    from exporters.render.json_text import json_text

    click.echo(json_text(data), nl=False)
