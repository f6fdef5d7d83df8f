"""`workbook publish` on real repositories: the commit, the index, the branch, the push."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.helpers import Outcome, show_json, workbook
from tests.exporters.publish.helpers import (
    docs_with_remote,
    git,
    init_repo,
    repo_state,
)

SHA = re.compile(r"[0-9a-f]{40}")


def ok(result: Outcome) -> str:
    assert result.code == 0, result.err
    assert result.err == ""
    return result.out


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "w.db"


def new_incident(db: Path, title: str = "Checkout down", started: str = "2026-03-02 21:00") -> str:
    slug = ok(
        workbook(db, "new", title, "--tz", "UTC", "--severity", "SEV-2", "--started", started)
    )
    slug = slug.strip()
    ok(workbook(db, "log", slug, "Error rate climbs", "--at", started, "--tag", "impact-start"))
    ok(workbook(db, "log", slug, "Pager fires", "--at", "21:05", "--tag", "detected"))
    return slug


def published_sha(result: Outcome) -> str:
    out = ok(result)
    last = out.strip().splitlines()[-1]
    assert SHA.fullmatch(last), out
    return last


def test_publish_commits_exactly_two_files_on_a_new_branch_and_leaves_the_checkout(
    db: Path, tmp_path: Path
) -> None:
    slug = new_incident(db)
    docs = init_repo(tmp_path / "docs")
    (docs / "notes.txt").write_text("uncommitted work\n")  # never touched
    before = repo_state(docs)

    sha = published_sha(workbook(db, "publish", slug, "--repo", str(docs)))

    branch = f"postmortem/{slug}"
    assert git(docs, "rev-parse", f"refs/heads/{branch}") == sha
    after = repo_state(docs)
    assert after["head"] == before["head"] == "refs/heads/main"
    assert after["index"] == before["index"]
    assert after["status"] == before["status"]
    assert after["files"] == before["files"]
    assert git(docs, "rev-parse", f"{sha}^") == git(docs, "rev-parse", "main")
    changed = git(docs, "diff-tree", "--no-commit-id", "--name-status", "-r", sha).splitlines()
    assert changed == [f"A\tpostmortems/{slug}.md", "A\tpostmortems/README.md"]
    assert git(docs, "show", f"{sha}:postmortems/{slug}.md") + "\n" == ok(
        workbook(db, "export", slug)
    )
    assert git(docs, "log", "-1", "--format=%B", sha) == (
        f"postmortem: add Checkout down\n\nIncident: {slug}\nSeverity: SEV-2"
    )
    # The workbook's configured author, with git's email for the docs repo.
    assert git(docs, "log", "-1", "--format=%an <%ae>|%cn <%ce>", sha) == (
        "tester <docs@example.com>|tester <docs@example.com>"
    )


def test_the_same_bytes_again_make_no_commit_and_a_change_an_update(
    db: Path, tmp_path: Path
) -> None:
    slug = new_incident(db)
    docs = init_repo(tmp_path / "docs")
    first = published_sha(workbook(db, "publish", slug, "--repo", str(docs)))
    again = ok(workbook(db, "publish", slug, "--repo", str(docs)))
    assert again.strip().splitlines()[-1] == "unchanged"
    assert f"postmortems/{slug}.md: unchanged" in again
    assert git(docs, "rev-parse", f"postmortem/{slug}") == first

    ok(workbook(db, "log", slug, "Rolled back the deploy", "--at", "21:30", "--tag", "mitigated"))
    # --repo is remembered for the incident.
    out = ok(workbook(db, "publish", slug))
    second = out.strip().splitlines()[-1]
    assert git(docs, "rev-parse", f"{second}^") == first
    assert git(docs, "log", "-1", "--format=%s", second) == "postmortem: update Checkout down"
    assert f"postmortems/{slug}.md: updated, +" in out
    diff = git(docs, "diff", "--numstat", first, second, "--", f"postmortems/{slug}.md")
    added, removed, _ = diff.split("\t")
    # One entry: its timeline row, the time to mitigate, one diagram line.
    assert int(added) <= 4 and int(removed) <= 3, diff


def test_the_index_lists_every_postmortem_newest_first(db: Path, tmp_path: Path) -> None:
    docs = init_repo(tmp_path / "docs")
    older = new_incident(db, "Search slow", "2026-01-05 10:00")
    newer = new_incident(db, "Checkout down", "2026-03-02 21:00")
    ok(workbook(db, "publish", older, "--repo", str(docs), "--branch", "review"))
    sha = published_sha(workbook(db, "publish", newer, "--repo", str(docs), "--branch", "review"))
    readme = git(docs, "show", f"{sha}:postmortems/README.md")
    rows = [line for line in readme.splitlines() if line.startswith("| 2026")]
    # Both still ongoing: the duration so far, as the document's header says it.
    assert rows == [
        f"| 2026-03-02 | [Checkout down]({newer}.md) | SEV-2 | 2h 55m | investigating |",
        f"| 2026-01-05 | [Search slow]({older}.md) | SEV-2 | 56d 13h 55m | investigating |",
    ]
    assert "| Date | Postmortem | Severity | Duration | Status |" in readme


def test_message_option_keeps_the_trailers(db: Path, tmp_path: Path) -> None:
    slug = new_incident(db)
    docs = init_repo(tmp_path / "docs")
    sha = published_sha(
        workbook(db, "publish", slug, "--repo", str(docs), "--message", "Draft for review")
    )
    assert git(docs, "log", "-1", "--format=%B", sha) == (
        f"Draft for review\n\nIncident: {slug}\nSeverity: SEV-2"
    )


def test_a_checked_out_target_branch_gets_its_files_updated(db: Path, tmp_path: Path) -> None:
    slug = new_incident(db)
    docs = init_repo(tmp_path / "docs")
    sha = published_sha(workbook(db, "publish", slug, "--repo", str(docs), "--branch", "main"))
    assert git(docs, "rev-parse", "HEAD") == sha
    assert git(docs, "status", "--porcelain") == ""
    assert (docs / "postmortems" / f"{slug}.md").read_text() == ok(workbook(db, "export", slug))


def test_push_sends_the_branch_even_when_nothing_new_was_committed(
    db: Path, tmp_path: Path
) -> None:
    slug = new_incident(db)
    docs, remote = docs_with_remote(tmp_path)
    sha = published_sha(workbook(db, "publish", slug, "--repo", str(docs)))
    assert git(remote, "branch", "--list", f"postmortem/{slug}") == ""
    out = ok(workbook(db, "publish", slug, "--repo", str(docs), "--push"))
    assert out.strip().splitlines()[-2:] == [f"pushed postmortem/{slug} to origin", "unchanged"]
    assert git(remote, "rev-parse", f"refs/heads/postmortem/{slug}") == sha
    shown = json.loads(ok(workbook(db, "show", slug, "--json")))
    assert shown["publication"]["ahead_of_remote"] is False


def test_a_secret_stops_the_publish_and_redact_replaces_it_in_the_repo_only(
    db: Path, tmp_path: Path
) -> None:
    slug = new_incident(db)
    key = "AKIA" + "Q7ZK3M9XW2PL5RT8"
    ok(workbook(db, "log", slug, f"found {key} in the deploy log", "--at", "21:10"))
    ok(workbook(db, "set", slug, "root_cause=https://svc:hunter2hunter2@db.internal/x"))
    docs = init_repo(tmp_path / "docs")
    before = repo_state(docs)
    result = workbook(db, "publish", slug, "--repo", str(docs))
    assert result.code == 1 and result.out == ""
    entry = next(e for e in show_json(db, slug)["timeline"] if key in e["text"])
    assert re.fullmatch(
        r"error: not published: 2 likely secrets: "
        r'the root cause section: password in a URL, "https://svc:\*\*\*\*@db.internal/x" '
        r"\(--allow [0-9a-f]{8}\); "
        rf"entry {entry['id']} \(2026-03-02 21:10 UTC\): AWS access key, "
        r'"found \*\*\*\* in the deploy log" \(--allow [0-9a-f]{8}\)\. Remove them, publish '
        r"with --redact to replace each with \[REDACTED\] in the docs repo only, or allow one "
        r"you know is harmless with --allow ID\n",
        result.err,
    ), result.err
    assert key not in result.err and "hunter2" not in result.err
    assert repo_state(docs) == before

    sha = published_sha(workbook(db, "publish", slug, "--repo", str(docs), "--redact"))
    text = git(docs, "show", f"{sha}:postmortems/{slug}.md")
    assert key not in text and "hunter2hunter2" not in text
    assert r"found \[REDACTED\] in the deploy log" in text  # escaped inline
    assert key in ok(workbook(db, "export", slug))  # the workbook keeps its record


def test_show_names_the_publication(db: Path, tmp_path: Path) -> None:
    slug = new_incident(db)
    docs = init_repo(tmp_path / "docs")
    sha = published_sha(workbook(db, "publish", slug, "--repo", str(docs)))
    shown = json.loads(ok(workbook(db, "show", slug, "--json")))
    assert shown["publication"] == {
        "repo": str(docs.resolve()),
        "dir": "postmortems",
        "branch": f"postmortem/{slug}",
        "path": f"postmortems/{slug}.md",
        "commit": sha,
        "remote": None,
        "pushed_commit": None,
        "ahead_of_remote": False,
        "published_at": "2026-03-02T23:55:00Z",
    }
    assert f"Published: postmortems/{slug}.md on postmortem/{slug} in {docs.resolve()}" in ok(
        workbook(db, "show", slug)
    )
