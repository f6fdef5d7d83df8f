"""What a pull writes: the whole merge or none of it, and a push it finds on the remote."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.cli.helpers import database_rows, workbook
from tests.exporters.publish.helpers import docs_with_remote, git
from tests.exporters.publish.test_publish import new_incident, ok, published_sha
from tests.exporters.publish.test_publish_faults import refused

# The publication row (the new merge base) is the last thing a pull writes, after the
# incident, the entries, their revisions and the action items.
REFUSE_PUBLICATION = """
CREATE TRIGGER refuse_publication_update BEFORE UPDATE ON publication
BEGIN SELECT RAISE(ABORT, 'publication is read-only'); END;
CREATE TRIGGER refuse_publication_insert BEFORE INSERT ON publication
BEGIN SELECT RAISE(ABORT, 'publication is read-only'); END;
"""


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "w.db"


def _review_locally(docs: Path, branch: str, path: str) -> None:
    """A reviewer's edits touching every kind of change a pull writes."""
    git(docs, "checkout", "-q", branch)
    file = docs / path
    text = file.read_text()
    text = text.replace("Checkout failed.", "Checkout failed for 12% of users.")
    text = text.replace("| Pager fires |", "| Pager fires for checkout 5xx |")
    text = text.replace(
        "| AI-1 | Alert on the error rate | ada | medium",
        "| AI-1 | Alert on the error rate | bob | medium",
    )
    text = text.replace(
        "| 2 | 2026-03-02 21:05 +00:00 | Pager fires for checkout 5xx | `detected` | tester |",
        "| 2 | 2026-03-02 21:05 +00:00 | Pager fires for checkout 5xx | `detected` | tester |\n"
        "| 3 | 2026-03-02 21:07 +00:00 | Status page updated | `comms` | rev |",
    )
    file.write_text(text)
    git(docs, "-c", "user.name=Rev", "-c", "user.email=rev@example.com", "commit", "-qam", "rev")


def test_a_pull_whose_last_write_fails_leaves_the_database_as_it_was(
    db: Path, tmp_path: Path
) -> None:
    slug = new_incident(db)
    ok(workbook(db, "set", slug, "summary=Checkout failed."))
    ok(workbook(db, "action", slug, "Alert on the error rate", "--owner", "ada"))
    docs, _ = docs_with_remote(tmp_path)
    branch, path = f"postmortem/{slug}", f"postmortems/{slug}.md"
    published_sha(workbook(db, "publish", slug, "--repo", str(docs)))
    _review_locally(docs, branch, path)

    with sqlite3.connect(db) as con:
        con.executescript(REFUSE_PUBLICATION)
    before = database_rows(db)
    line = refused(workbook(db, "pull", slug, "--repo", str(docs)), "publication is read-only")
    assert "nothing was written" in line
    assert database_rows(db) == before

    # The same pull, once the database takes it, had all of this to write.
    with sqlite3.connect(db) as con:
        con.executescript(
            "DROP TRIGGER refuse_publication_update; DROP TRIGGER refuse_publication_insert;"
        )
    out = ok(workbook(db, "pull", slug, "--repo", str(docs)))
    assert "1 entries edited" in out and "1 entries added" in out
    assert "1 action items changed" in out and "fields summary" in out
    shown = json.loads(ok(workbook(db, "show", slug, "--json")))
    assert shown["summary"] == "Checkout failed for 12% of users."
    assert shown["action_items"][0]["owner"] == "bob"
    assert [e["text"] for e in shown["timeline"]] == [
        "Error rate climbs",
        "Pager fires for checkout 5xx",
        "Status page updated",
    ]


def test_a_pull_that_finds_the_commit_on_the_remote_says_it_was_pushed(
    db: Path, tmp_path: Path
) -> None:
    slug = new_incident(db)
    docs, _ = docs_with_remote(tmp_path)
    branch = f"postmortem/{slug}"
    real = git(docs, "remote", "get-url", "origin")
    git(docs, "remote", "set-url", "origin", f"{tmp_path}/gone.git")
    refused(workbook(db, "publish", slug, "--repo", str(docs), "--push"), "cannot reach")
    git(docs, "remote", "set-url", "origin", real)
    assert json.loads(ok(workbook(db, "show", slug, "--json")))["publication"]["ahead_of_remote"]
    git(docs, "push", "-q", "origin", branch)  # by hand, not by the workbook

    out = ok(workbook(db, "pull", slug, "--remote", "origin"))
    assert "no reviewers' edits" in out
    shown = json.loads(ok(workbook(db, "show", slug, "--json")))
    assert shown["publication"]["ahead_of_remote"] is False
