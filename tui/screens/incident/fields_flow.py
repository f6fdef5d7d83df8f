"""The incident's own fields on its screen: Details and the write-up, drafts until saved."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from models.tables import Incident
from tui.screens.incident.drafts import DETAILS, writeup_key
from tui.widgets.writeup import WriteUp
from tui.writer import Write

if TYPE_CHECKING:
    from tui.screens.incident.screen import IncidentScreen


class FieldsFlow:
    """Saving Details fields and write-up sections of one incident screen."""

    def __init__(self, screen: IncidentScreen) -> None:
        self.screen = screen

    def save(
        self, changes: dict[str, Any], *, refused: str, done: Callable[[], None] | None = None
    ) -> None:
        """Write incident fields; ``refused`` starts the message when the database says no."""
        screen, incident_id = self.screen, self.screen.incident_id

        def landed(incident: Incident) -> None:
            if done is not None:
                done()
            if screen.is_attached and screen.view is not None:
                screen.view.put_incident(incident, saved=changes)
                screen.show()

        def said_no(why: str) -> None:
            if screen.is_attached:
                screen.notify(f"{refused}: {why}", severity="error", timeout=10)

        screen.write(
            Write(lambda store: store.update_incident(incident_id, changes), landed, said_no)
        )

    def keep_details(self, values: dict[str, str]) -> None:
        """Details typed and not saved (or refused): a draft until saved."""
        assert self.screen.drafts is not None
        kept = json.dumps(values, ensure_ascii=False) if values else ""
        self.screen.drafts.keep(DETAILS, kept)

    def keep_section(self, field: str, text: str) -> None:
        """A section as typed: a draft while it differs from what is stored."""
        screen = self.screen
        assert screen.view is not None and screen.drafts is not None
        stored = getattr(screen.view.incident, field)
        screen.drafts.keep(writeup_key(field), "" if text == stored else text)

    def save_section(self, field: str, text: str) -> None:
        screen, drafts = self.screen, self.screen.drafts
        assert drafts is not None

        def saved() -> None:
            drafts.drop(writeup_key(field))
            if screen.is_attached:
                screen.query_one(WriteUp).saved(field, text)

        self.save(
            {field: text},
            refused="the write-up was not saved; your text is kept as a draft",
            done=saved,
        )
