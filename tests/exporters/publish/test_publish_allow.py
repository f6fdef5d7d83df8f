"""Secret scanning as a responder meets it on `workbook publish`, on real git repositories:
the samples publish as they are, a refusal says where to look, and ``--allow`` lets one
finding through for as long as its text stays the same.

The secrets are made up while the test runs (a prefix and random characters).
"""

from __future__ import annotations

import json
import random
import re
import string
from pathlib import Path

import pytest

from sample_incidents import FOLDER, sample_paths
from tests.cli.helpers import Outcome, show_json, succeeded, workbook
from tests.exporters.publish.helpers import git, init_repo, repo_state

SHA = re.compile(r"[0-9a-f]{40}")
ALLOW = re.compile(r"\(--allow ([0-9a-f]{8})\)")


def fake_password(seed: int) -> str:
    pick = random.Random(seed).choice
    return "".join(pick(string.ascii_letters) for _ in range(12)) + "".join(
        pick(string.digits) for _ in range(2)
    )


def published(result: Outcome) -> str:
    out = succeeded(result)
    last = out.strip().splitlines()[-1]
    assert SHA.fullmatch(last) or last == "unchanged", out
    return last


def refused(result: Outcome) -> str:
    assert result.code == 1 and result.out == "", (result.out, result.err)
    assert result.err.startswith("error: not published: ") and result.err.count("\n") == 1
    return result.err


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "w.db"


def incident_with(db: Path, *texts: str) -> str:
    slug = succeeded(
        workbook(db, "new", "Replica lag", "--tz", "UTC", "--started", "2026-03-02 21:00")
    ).strip()
    for minute, text in enumerate(texts):
        succeeded(workbook(db, "log", slug, text, "--at", f"21:{10 + minute:02d}"))
    return slug


def test_every_sample_incident_publishes_without_redact(db: Path, tmp_path: Path) -> None:
    assert len(sample_paths()) == 5
    succeeded(workbook(db, "import", str(FOLDER)))
    docs = init_repo(tmp_path / "docs")
    slugs = [row["slug"] for row in show_list(db)]
    assert len(slugs) == 5
    for slug in slugs:
        sha = published(workbook(db, "publish", slug, "--repo", str(docs)))
        assert "[REDACTED]" not in git(docs, "show", f"{sha}:postmortems/{slug}.md")
    storefront = next(s for s in slugs if "storefront" in s)
    text = git(docs, "show", f"postmortem/{storefront}:postmortems/{storefront}.md")
    assert "All checks pass: browsing" in text  # the sentence the old scan took for a password


def show_list(db: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(succeeded(workbook(db, "list", "--json")))
    return rows


def test_the_refusal_names_the_entry_by_id_and_time_and_masks_the_secret(
    db: Path, tmp_path: Path
) -> None:
    password = fake_password(1)
    slug = incident_with(db, "failover started", f"ran mysql -uadmin -p{password} -h replica")
    entry = show_json(db, slug)["timeline"][1]
    docs = init_repo(tmp_path / "docs")
    before = repo_state(docs)
    err = refused(workbook(db, "publish", slug, "--repo", str(docs)))
    assert f"entry {entry['id']} (2026-03-02 21:11 UTC): password on a command line" in err
    assert '"ran mysql -uadmin -p**** -h replica"' in err
    assert password not in err
    assert len(ALLOW.findall(err)) == 1
    assert repo_state(docs) == before
    # The entry can be found where the message says: `workbook show` prints it so.
    shown = succeeded(workbook(db, "show", slug))
    assert re.search(rf"^\s+{entry['id']}\s+2026-03-02 21:11 UTC\s+ran mysql", shown, re.M)


def test_an_allowed_finding_stays_allowed_only_while_its_text_is_unchanged(
    db: Path, tmp_path: Path
) -> None:
    password = fake_password(2)
    slug = incident_with(db, f"the test fixture uses PGPASSWORD={password} on purpose")
    entry_id = str(show_json(db, slug)["timeline"][0]["id"])
    docs = init_repo(tmp_path / "docs")
    (finding,) = ALLOW.findall(refused(workbook(db, "publish", slug, "--repo", str(docs))))

    # An id that names no finding is refused before anything is written or remembered.
    before = repo_state(docs)
    result = workbook(db, "publish", slug, "--repo", str(docs), "--allow", "0badf00d")
    assert result.code == 1 and "--allow 0badf00d: no such finding" in result.err
    assert repo_state(docs) == before
    refused(workbook(db, "publish", slug, "--repo", str(docs)))

    out = succeeded(workbook(db, "publish", slug, "--repo", str(docs), "--allow", finding))
    assert f"allowed as written, while its text is unchanged: {finding}" in out
    sha = out.strip().splitlines()[-1]
    assert f"PGPASSWORD={password}" in git(docs, "show", f"{sha}:postmortems/{slug}.md")
    # Remembered: the next publish needs no --allow.
    published(workbook(db, "publish", slug, "--repo", str(docs)))

    # The text changes around the same secret: the finding keeps its id, but asks again.
    succeeded(
        workbook(
            db, "edit", slug, entry_id, "--text", f"the fixture uses PGPASSWORD={password} still"
        )
    )
    err = refused(workbook(db, "publish", slug, "--repo", str(docs)))
    assert ALLOW.findall(err) == [finding]
    published(workbook(db, "publish", slug, "--repo", str(docs), "--allow", finding))


def test_redact_replaces_what_is_not_allowed_and_keeps_what_is(db: Path, tmp_path: Path) -> None:
    harmless, leaked = fake_password(3), fake_password(4)
    slug = incident_with(
        db,
        f"docs example: postgres://demo:{harmless}@localhost/demo",
        f"sshpass -p {leaked} ssh admin@bastion",
    )
    docs = init_repo(tmp_path / "docs")
    first, second = ALLOW.findall(refused(workbook(db, "publish", slug, "--repo", str(docs))))
    sha = published(
        workbook(db, "publish", slug, "--repo", str(docs), "--allow", first, "--redact")
    )
    text = git(docs, "show", f"{sha}:postmortems/{slug}.md")
    assert harmless in text and leaked not in text
    assert r"sshpass -p \[REDACTED\] ssh" in text
    # Both are in the workbook's own record still.
    record = succeeded(workbook(db, "export", slug))
    assert harmless in record and leaked in record
    assert second != first
