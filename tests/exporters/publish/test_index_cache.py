"""The folder index's rows are remembered by blob id: reused while right, never stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporters.publish.git.repo import DocsRepo
from exporters.publish.index import ROW_FORMAT, IndexRow
from exporters.publish.index_cache import IndexRowCache
from tests.cli.helpers import workbook
from tests.exporters.publish.helpers import git, init_repo
from tests.exporters.publish.test_publish import new_incident, ok, published_sha


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "w.db"


def _cache_files(home: Path) -> list[Path]:
    return sorted((home / "xdg_cache_home").rglob("publish-index/*.json"))


def _rows(readme: str) -> list[str]:
    return [line for line in readme.splitlines() if line.startswith("| 20")]


def _docs_with_others(db: Path, tmp_path: Path, count: int) -> tuple[Path, list[str]]:
    """A docs repo whose main branch holds ``count`` postmortems exported by the workbook."""
    docs = init_repo(tmp_path / "docs")
    (docs / "postmortems").mkdir()
    slugs = []
    for n in range(count):
        slug = new_incident(db, f"Archived outage {n}", f"2025-0{n + 1}-10 10:00")
        (docs / "postmortems" / f"{slug}.md").write_text(ok(workbook(db, "export", slug)))
        slugs.append(slug)
    git(docs, "add", ".")
    git(docs, "commit", "-qm", "archive")
    return docs, slugs


def test_a_second_publish_reads_only_what_changed(
    db: Path, tmp_path: Path, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, others = _docs_with_others(db, tmp_path, 3)
    slug = new_incident(db)
    read: list[int] = []
    real = DocsRepo.read_blobs

    def counted(self: DocsRepo, shas: list[str]):  # type: ignore[no-untyped-def]
        read.append(len(shas))
        return real(self, shas)

    monkeypatch.setattr(DocsRepo, "read_blobs", counted)

    first = published_sha(workbook(db, "publish", slug, "--repo", str(docs)))
    assert read == [3]
    assert len(_cache_files(isolated_environment)) == 1

    # A reviewer retitles one archived postmortem on main; a new branch starts from there.
    path = docs / "postmortems" / f"{others[1]}.md"
    path.write_text(path.read_text().replace("Archived outage 1", "Archived outage one"))
    git(docs, "commit", "-qam", "retitle")
    read.clear()
    second = published_sha(
        workbook(db, "publish", slug, "--repo", str(docs), "--branch", "another")
    )
    assert read == [1]  # only the changed file was read again
    rows = _rows(git(docs, "show", f"{second}:postmortems/README.md"))
    assert any("[Archived outage one]" in row for row in rows)
    assert not any("[Archived outage 1]" in row for row in rows)
    assert len(rows) == 4
    assert git(docs, "show", f"{first}:postmortems/README.md").count("| 2025-") == 3


def test_a_damaged_cache_is_ignored_and_the_index_comes_out_the_same(
    db: Path, tmp_path: Path, isolated_environment: Path
) -> None:
    docs, _ = _docs_with_others(db, tmp_path, 2)
    slug = new_incident(db)
    first = published_sha(workbook(db, "publish", slug, "--repo", str(docs), "--branch", "a"))
    (cache,) = _cache_files(isolated_environment)
    cache.write_text('{"format": 1, "rows": {"')  # torn by a crash
    second = published_sha(workbook(db, "publish", slug, "--repo", str(docs), "--branch", "b"))
    assert git(docs, "show", f"{first}:postmortems/README.md") == git(
        docs, "show", f"{second}:postmortems/README.md"
    )


def test_rows_of_another_format_are_worked_out_afresh(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    cache = IndexRowCache(path)
    row = IndexRow("a.md", "2026-03-02", "Checkout down", "SEV-2", "2h", "resolved")
    cache.remember("a.md", "b1", row)
    cache.remember("notes.md", "b2", None)
    cache.save()

    again = IndexRowCache(path)
    assert again.lookup("a.md", "b1") == (True, row)
    assert again.lookup("notes.md", "b2") == (True, None)
    assert again.lookup("a.md", "other-blob") == (False, None)
    assert again.lookup("renamed.md", "b1") == (False, None)  # the name is in the row

    path.write_text(path.read_text().replace(f'"format": {ROW_FORMAT}', '"format": -1'))
    assert IndexRowCache(path).lookup("a.md", "b1") == (False, None)


def test_the_cache_keeps_only_the_rows_of_the_last_build(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    cache = IndexRowCache(path)
    cache.remember("old.md", "b0", None)
    cache.save()
    later = IndexRowCache(path)
    later.remember("new.md", "b1", None)
    later.save()
    assert IndexRowCache(path).lookup("old.md", "b0") == (False, None)
    assert IndexRowCache(path).lookup("new.md", "b1") == (True, None)


def test_an_unwritable_cache_folder_does_not_stop_anything(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache = IndexRowCache(blocker / "sub" / "rows.json")
    cache.remember("a.md", "b1", None)
    cache.save()  # no error: the cache is only a shortcut
    assert cache.lookup("a.md", "b1") == (True, None)
