"""Text typed but not yet sent, kept on disk so a hang-up or a killed terminal loses nothing.

One small JSON file per database and incident, under the user's state folder (tests pass
their own folder). Every change is written at once; an empty text removes its key. A form's
fields are kept as one JSON object under the form's key; text typed before an incident exists
(the new-incident form) is kept under incident id ``NO_INCIDENT``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

NO_INCIDENT = 0  # SQLite ids start at 1: this file holds drafts that belong to no incident yet
NEW_INCIDENT_DRAFT = "new-incident"


def default_drafts_dir() -> Path:
    from platformdirs import user_state_dir

    return Path(user_state_dir("incident-workbook")) / "drafts"


class Drafts:
    """Drafts for one database, by incident id and field key (``quick-entry``, …)."""

    def __init__(self, folder: Path, database: str) -> None:
        self.folder = folder
        self._prefix = hashlib.sha256(database.encode("utf-8")).hexdigest()[:16]

    def path(self, incident_id: int) -> Path:
        return self.folder / f"{self._prefix}-{incident_id}.json"

    def load(self, incident_id: int) -> dict[str, str]:
        try:
            data = json.loads(self.path(incident_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): v for k, v in data.items() if isinstance(v, str) and v}

    def load_form(self, incident_id: int, key: str) -> dict[str, str] | None:
        """A form's kept field values (field name to raw text), or None when there are none."""
        raw = self.load(incident_id).get(key)
        if not raw:
            return None
        try:
            loaded = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(loaded, dict):
            return None
        return {str(k): v for k, v in loaded.items() if isinstance(v, str)} or None

    def save(self, incident_id: int, key: str, text: str) -> None:
        """Remember ``text`` under ``key``; raises OSError when the disk refuses."""
        self.save_many(incident_id, {key: text})

    def save_many(self, incident_id: int, texts: dict[str, str]) -> None:
        """Remember each text under its key (an empty one drops the key), in one write."""
        drafts = self.load(incident_id)
        changed = False
        for key, text in texts.items():
            if text.strip():
                if drafts.get(key) != text:
                    drafts[key] = text
                    changed = True
            elif key in drafts:
                del drafts[key]
                changed = True
        if changed:
            self._write(incident_id, drafts)

    def discard(self, incident_id: int, key: str) -> None:
        self.save(incident_id, key, "")

    def _write(self, incident_id: int, drafts: dict[str, str]) -> None:
        path = self.path(incident_id)
        if not drafts:
            path.unlink(missing_ok=True)
            return
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".draft-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(drafts, handle, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
