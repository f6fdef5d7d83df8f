"""Every fault of the issue, on real repositories with a bare repo as the remote.

Each one: one clear line on stderr, exit 1, nothing lost or half-written, the repository
as it was (refs, HEAD, index, status and files), and no publication remembered.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.cli.helpers import Outcome, workbook
from tests.exporters.publish.helpers import (
    docs_with_remote,
    git,
    init_repo,
    repo_state,
)
from tests.exporters.publish.test_publish import new_incident, ok, published_sha


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "w.db"


def refused(result: Outcome, fragment: str) -> str:
    assert result.code == 1, (result.out, result.err)
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: ") and "Traceback" not in result.err
    assert fragment in lines[0], lines[0]
    return lines[0]


def publications(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return int(con.execute("SELECT count(*) FROM publication").fetchone()[0])


def test_not_a_git_repo(db: Path, tmp_path: Path) -> None:
    slug = new_incident(db)
    folder = tmp_path / "plain"
    folder.mkdir()
    refused(workbook(db, "publish", slug, "--repo", str(folder)), "is not a git repository")
    assert list(folder.iterdir()) == []
    refused(workbook(db, "publish", slug, "--repo", str(tmp_path / "nope")), "does not exist")
    assert publications(db) == 0


def test_no_commits_yet(db: Path, tmp_path: Path) -> None:
    slug = new_incident(db)
    docs = init_repo(tmp_path / "docs", commit=False)
    before = repo_state(docs)
    refused(workbook(db, "publish", slug, "--repo", str(docs)), "has no commits yet")
    assert repo_state(docs) == before
    assert publications(db) == 0


def test_detached_head(db: Path, tmp_path: Path) -> None:
    slug = new_incident(db)
    docs = init_repo(tmp_path / "docs")
    git(docs, "checkout", "-q", "--detach")
    before = repo_state(docs)
    refused(workbook(db, "publish", slug, "--repo", str(docs)), "HEAD of")
    assert repo_state(docs) == before
    # An existing branch needs no HEAD to start from: that publishes.
    git(docs, "branch", "review", "main")
    published_sha(workbook(db, "publish", slug, "--repo", str(docs), "--branch", "review"))
    assert git(docs, "status", "--porcelain") == ""


def test_index_lock_present(db: Path, tmp_path: Path) -> None:
    slug = new_incident(db)
    docs = init_repo(tmp_path / "docs")
    (docs / ".git" / "index.lock").write_text("")
    before = repo_state(docs)
    refused(workbook(db, "publish", slug, "--repo", str(docs)), "index.lock exists")
    assert repo_state(docs) == before
    assert (docs / ".git" / "index.lock").exists()


def test_no_identity(db: Path, tmp_path: Path) -> None:
    slug = new_incident(db)
    docs = init_repo(tmp_path / "docs", identity=False)
    before = repo_state(docs)
    line = refused(workbook(db, "publish", slug, "--repo", str(docs)), "no identity")
    assert "WORKBOOK_EMAIL" in line and "git -C" in line
    assert repo_state(docs) == before
    assert publications(db) == 0


def test_the_workbook_identity_is_used_without_git_config(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBOOK_EMAIL", "ada@example.com")
    slug = new_incident(db)
    docs = init_repo(tmp_path / "docs", identity=False)
    sha = published_sha(workbook(db, "publish", slug, "--repo", str(docs)))
    assert git(docs, "log", "-1", "--format=%an <%ae>", sha) == "tester <ada@example.com>"


def test_dirty_working_tree_of_the_checked_out_target(db: Path, tmp_path: Path) -> None:
    slug = new_incident(db)
    docs = init_repo(tmp_path / "docs")
    published_sha(workbook(db, "publish", slug, "--repo", str(docs), "--branch", "main"))
    edited = docs / "postmortems" / f"{slug}.md"
    edited.write_text(edited.read_text() + "\nmy local notes\n")
    ok(workbook(db, "log", slug, "Rolled back", "--at", "21:30"))
    before = repo_state(docs)
    refused(
        workbook(db, "publish", slug, "--repo", str(docs), "--branch", "main"),
        "has uncommitted edits",
    )
    assert repo_state(docs) == before
    assert edited.read_text().endswith("my local notes\n")


def test_uncommitted_work_elsewhere_is_never_touched(db: Path, tmp_path: Path) -> None:
    slug = new_incident(db)
    docs = init_repo(tmp_path / "docs")
    (docs / "README.md").write_text("# Docs, half edited\n")
    git(docs, "add", "README.md")
    (docs / "scratch.txt").write_text("mine\n")
    before = repo_state(docs)
    published_sha(workbook(db, "publish", slug, "--repo", str(docs)))
    assert repo_state(docs)["status"] == before["status"]
    assert repo_state(docs)["index"] == before["index"]
    assert repo_state(docs)["files"] == before["files"]


def test_unreachable_remote_keeps_the_commit_and_show_says_ahead(db: Path, tmp_path: Path) -> None:
    slug = new_incident(db)
    docs, _ = docs_with_remote(tmp_path)
    git(docs, "remote", "set-url", "origin", f"file://{tmp_path}/offline/does-not-exist.git")
    result = workbook(db, "publish", slug, "--repo", str(docs), "--push")
    line = refused(result, "cannot reach remote 'origin'")
    assert "ahead of its remote" not in line or "commit is kept" in line
    sha = result.out.strip().splitlines()[-1]
    assert git(docs, "rev-parse", f"refs/heads/postmortem/{slug}") == sha  # kept locally
    shown = json.loads(ok(workbook(db, "show", slug, "--json")))
    assert shown["publication"]["ahead_of_remote"] is True
    assert shown["publication"]["commit"] == sha
    assert "is ahead of its remote origin" in ok(workbook(db, "show", slug))


def test_unreachable_remote_after_the_commit_push_later_catches_up(
    db: Path, tmp_path: Path
) -> None:
    slug = new_incident(db)
    docs, remote = docs_with_remote(tmp_path)
    real = git(docs, "remote", "get-url", "origin")
    git(docs, "remote", "set-url", "origin", f"{tmp_path}/gone.git")
    refused(workbook(db, "publish", slug, "--repo", str(docs), "--push"), "cannot reach")
    git(docs, "remote", "set-url", "origin", real)
    out = ok(workbook(db, "publish", slug, "--repo", str(docs), "--push"))
    assert out.strip().splitlines()[-1] == "unchanged"
    local = git(docs, "rev-parse", f"refs/heads/postmortem/{slug}")
    assert git(remote, "rev-parse", f"refs/heads/postmortem/{slug}") == local
    shown = json.loads(ok(workbook(db, "show", slug, "--json")))
    assert shown["publication"]["ahead_of_remote"] is False


def test_rejected_push_says_to_pull_first(db: Path, tmp_path: Path) -> None:
    """Another clone pushes to the branch while ours is on its way (a pre-push hook)."""
    slug = new_incident(db)
    docs, remote = docs_with_remote(tmp_path)
    published_sha(workbook(db, "publish", slug, "--repo", str(docs), "--push"))
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", "-b", f"postmortem/{slug}", str(remote), str(other))
    (other / "extra.md").write_text("a reviewer's note\n")
    git(other, "add", "extra.md")
    git(other, "-c", "user.name=R", "-c", "user.email=r@example.com", "commit", "-qm", "note")
    hook = docs / ".git" / "hooks" / "pre-push"
    hook.write_text(f"#!/bin/sh\ngit -C '{other}' push -q origin HEAD\n")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    ok(workbook(db, "log", slug, "Rolled back", "--at", "21:30"))

    result = workbook(db, "publish", slug, "--repo", str(docs), "--push")
    refused(result, "pull")
    theirs = git(other, "rev-parse", "HEAD")
    assert git(remote, "rev-parse", f"refs/heads/postmortem/{slug}") == theirs  # not forced
    shown = json.loads(ok(workbook(db, "show", slug, "--json")))
    assert shown["publication"]["ahead_of_remote"] is True


def test_ext_remote_is_refused_before_git_runs_it(db: Path, tmp_path: Path) -> None:
    slug = new_incident(db)
    docs = init_repo(tmp_path / "docs")
    witness = tmp_path / "pwned"
    git(docs, "config", "protocol.ext.allow", "always")
    git(docs, "remote", "add", "origin", f"ext::sh -c touch% {witness}")
    before = repo_state(docs)
    refused(workbook(db, "publish", slug, "--repo", str(docs), "--push"), "unsafe transport")
    assert not witness.exists()
    assert repo_state(docs) == before
    assert publications(db) == 0
    refused(workbook(db, "pull", slug, "--repo", str(docs), "--remote", "origin"), "unsafe")
    assert not witness.exists()


def test_an_unsafe_push_url_alone_is_refused_too(db: Path, tmp_path: Path) -> None:
    slug = new_incident(db)
    docs, _ = docs_with_remote(tmp_path)
    witness = tmp_path / "pwned"
    git(docs, "remote", "set-url", "--push", "origin", f"ext::sh -c touch% {witness}")
    refused(workbook(db, "publish", slug, "--repo", str(docs), "--push"), "unsafe transport")
    assert not witness.exists()


def test_a_slug_that_tries_to_leave_the_folder(db: Path, tmp_path: Path) -> None:
    new_incident(db)
    with sqlite3.connect(db) as con:
        con.execute("UPDATE incident SET slug = '../../outside' WHERE id = 1")
    docs = init_repo(tmp_path / "docs")
    before = repo_state(docs)
    refused(workbook(db, "publish", "1", "--repo", str(docs)), "cannot be used as a file name")
    assert repo_state(docs) == before
    assert not (tmp_path / "outside.md").exists()


@pytest.mark.parametrize("folder", ["../up", "/abs", ".git/hooks", "a/../../b"])
def test_a_folder_outside_the_repository(db: Path, tmp_path: Path, folder: str) -> None:
    slug = new_incident(db)
    docs = init_repo(tmp_path / "docs")
    before = repo_state(docs)
    refused(
        workbook(db, "publish", slug, "--repo", str(docs), "--dir", folder),
        "must be a folder inside the repository",
    )
    assert repo_state(docs) == before


def test_a_docs_repo_on_a_full_disk(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No small tmpfs here, and root ignores read-only folders, so the disk is made "full"
    for git alone: a ``git`` wrapper first on PATH runs the real one under ``ulimit -f 1``
    (RLIMIT_FSIZE, 1 KiB) with SIGXFSZ ignored, so every object it writes past that size
    fails with EFBIG, the way writes fail on a full disk. The database is not limited."""
    slug = new_incident(db)
    ok(workbook(db, "set", slug, "summary=" + "A long summary line of the outage.\n" * 200))
    docs = init_repo(tmp_path / "docs")
    before = repo_state(docs)
    real_git = next(
        Path(folder) / "git"
        for folder in os.environ["PATH"].split(os.pathsep)
        if (Path(folder) / "git").is_file()
    )
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "git").write_text(f"#!/bin/bash\ntrap '' XFSZ\nulimit -f 1\nexec {real_git} \"$@\"\n")
    (shim / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim}{os.pathsep}{os.environ['PATH']}")

    line = refused(workbook(db, "publish", slug, "--repo", str(docs)), "cannot write to")
    assert "free some space" in line
    monkeypatch.undo()
    assert repo_state(docs) == before
    assert publications(db) == 0
    assert git(docs, "branch", "--list", f"postmortem/{slug}") == ""
