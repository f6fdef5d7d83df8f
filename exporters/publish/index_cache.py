"""The folder index's rows, remembered between publishes by file name and blob id.

Rebuilding ``<dir>/README.md`` needs one row per postmortem in the folder. A row depends
only on the file's name and bytes, and git names the bytes (the blob id), so a row worked
out once stays right for as long as that blob is on the branch: a publish re-reads only
the postmortems that are new or changed since the last one. The cache lives in the user's
cache folder, one small JSON file per docs repository and folder; it is only ever a
shortcut, so a missing, unreadable or half-written file just means reading the blobs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Final

from exporters.publish.index import ROW_FORMAT, IndexRow

_MISSING: Final = object()


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("incident-workbook"))


class IndexRowCache:
    """Rows by ``(file name, blob id)``; None remembers a file that is not a workbook one."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._rows: dict[str, list[str] | None] | None = None
        self._used: dict[str, list[str] | None] = {}

    @classmethod
    def for_folder(cls, cache_dir: Path | None, repo: str, folder: str) -> IndexRowCache:
        if cache_dir is None:
            return cls(None)
        key = hashlib.sha256(f"{repo}\0{folder}".encode()).hexdigest()[:24]
        return cls(cache_dir / "publish-index" / f"{key}.json")

    def _load(self) -> dict[str, list[str] | None]:
        if self._rows is None:
            self._rows = {}
            if self.path is not None:
                with contextlib.suppress(OSError, ValueError, UnicodeDecodeError):
                    data = json.loads(self.path.read_text(encoding="utf-8"))
                    if isinstance(data, dict) and data.get("format") == ROW_FORMAT:
                        rows = data.get("rows")
                        if isinstance(rows, dict):
                            self._rows = rows
        return self._rows

    def lookup(self, name: str, blob: str) -> tuple[bool, IndexRow | None]:
        """(known?, the row or None for a file that is not a workbook postmortem)."""
        key = f"{blob} {name}"
        cells: Any = self._load().get(key, _MISSING)
        if cells is None:
            self._used[key] = None
            return True, None
        if isinstance(cells, list) and len(cells) == 5 and all(isinstance(c, str) for c in cells):
            self._used[key] = cells
            return True, IndexRow(name, *cells)
        return False, None

    def remember(self, name: str, blob: str, row: IndexRow | None) -> None:
        cells = None
        if row is not None:
            cells = [row.date, row.title, row.severity, row.duration, row.status]
        self._used[f"{blob} {name}"] = cells

    def save(self) -> None:
        """Keep the rows of this build only (so the file never grows past the folder),
        written atomically; a cache that cannot be written is simply not kept."""
        if self.path is None or self._used == self._load():
            return
        data = json.dumps({"format": ROW_FORMAT, "rows": self._used}, ensure_ascii=False)
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Not fsynced: after a crash a torn file is read as no cache at all.
            handle, name = tempfile.mkstemp(dir=self.path.parent, prefix=".rows-", suffix=".tmp")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(data)
                os.replace(name, self.path)
            except OSError:
                Path(name).unlink(missing_ok=True)
                raise
        self._rows = dict(self._used)
