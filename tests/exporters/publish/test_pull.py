"""The review loop on real repositories: reviewers edit the branch, `pull` merges, publish
fast-forwards on top of their commits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import workbook
from tests.exporters.publish.helpers import docs_with_remote, git, repo_state
from tests.exporters.publish.test_publish import new_incident, ok, published_sha
from tests.exporters.publish.test_publish_faults import refused


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "w.db"


def review(remote: Path, tmp_path: Path, branch: str, path: str, edit: object) -> str:
    """A reviewer's clone: edit the file, commit, push. Returns the reviewer's commit."""
    clone = tmp_path / "reviewer"
    if not clone.exists():
        git(tmp_path, "clone", "-q", "-b", branch, str(remote), str(clone))
    else:
        git(clone, "pull", "-q")
    target = clone / path
    target.write_text(edit(target.read_text()))  # type: ignore[operator]
    git(clone, "-c", "user.name=Rev", "-c", "user.email=rev@example.com", "commit", "-qam", "rev")
    git(clone, "push", "-q", "origin", branch)
    return git(clone, "rev-parse", "HEAD")


def test_the_whole_review_loop_over_a_remote(db: Path, tmp_path: Path) -> None:
    slug = new_incident(db)
    ok(workbook(db, "set", slug, "summary=Checkout failed.", "root_cause=Unknown yet."))
    ok(workbook(db, "action", slug, "Alert on the error rate", "--owner", "ada"))
    docs, remote = docs_with_remote(tmp_path)
    branch, path = f"postmortem/{slug}", f"postmortems/{slug}.md"
    published_sha(workbook(db, "publish", slug, "--repo", str(docs), "--push"))

    def edit(text: str) -> str:
        text = text.replace("Checkout failed.", "Checkout failed for 12% of users.")
        text = text.replace("| Pager fires |", "| Pager fires for checkout 5xx |")
        text = text.replace(
            "| AI-1 | Alert on the error rate | ada | medium",
            "| AI-1 | Alert on the error rate | bob | medium",
        )
        return text.replace(
            "| 2 | 2026-03-02 21:05 +00:00 | Pager fires for checkout 5xx | `detected` | tester |",
            "| 2 | 2026-03-02 21:05 +00:00 | Pager fires for checkout 5xx | `detected` | tester |\n"
            "| 3 | 2026-03-02 21:07 +00:00 | Status page updated | `comms` | rev |",
        )

    theirs = review(remote, tmp_path, branch, path, edit)
    # Meanwhile in the workbook: the root cause is written, and someone also edits AI-1.
    ok(workbook(db, "set", slug, "root_cause=A bad deploy."))
    ok(workbook(db, "action-update", slug, "AI-1", "owner=carol"))

    refused(workbook(db, "publish", slug, "--repo", str(docs), "--push"), "workbook pull")
    out = ok(workbook(db, "pull", slug, "--repo", str(docs), "--remote", "origin"))
    assert f"merged the review of {path} on origin/{branch}" in out
    assert (
        "AI-1 owner: both changed it; kept the workbook's 'carol', the reviewers wrote 'bob'" in out
    )

    shown = json.loads(ok(workbook(db, "show", slug, "--json")))
    assert shown["summary"] == "Checkout failed for 12% of users."
    assert shown["root_cause"] == "A bad deploy."  # ours, untouched by them
    texts = [e["text"] for e in shown["timeline"]]
    assert texts == ["Error rate climbs", "Pager fires for checkout 5xx", "Status page updated"]
    assert shown["action_items"][0]["owner"] == "carol"
    # The edit kept the entry's earlier version.
    second = shown["timeline"][1]["id"]
    history = json.loads(ok(workbook(db, "history", slug, str(second), "--json")))
    assert [r["text"] for r in history["revisions"]] == ["Pager fires"]

    # Publish now fast-forwards the remote branch on top of the reviewer's commit.
    sha = published_sha(workbook(db, "publish", slug, "--repo", str(docs), "--push"))
    assert git(remote, "rev-parse", f"refs/heads/{branch}") == sha
    assert git(remote, "rev-parse", f"{sha}^") == theirs
    text = git(remote, "show", f"{sha}:{path}")
    assert "A bad deploy." in text and "Status page updated" in text

    # A second round: the reviewer changes one more line; pull takes it without conflicts.
    review(
        remote, tmp_path, branch, path, lambda t: t.replace("A bad deploy.", "A bad deploy of v2.")
    )
    out = ok(workbook(db, "pull", slug, "--remote", "origin"))
    assert "changed on both sides" not in out
    shown = json.loads(ok(workbook(db, "show", slug, "--json")))
    assert shown["root_cause"] == "A bad deploy of v2."
    assert [e["text"] for e in shown["timeline"]][2] == "Status page updated"


def test_local_review_edits_are_pulled_without_a_remote(db: Path, tmp_path: Path) -> None:
    slug = new_incident(db)
    docs, _ = docs_with_remote(tmp_path)
    branch, path = f"postmortem/{slug}", f"postmortems/{slug}.md"
    published_sha(workbook(db, "publish", slug, "--repo", str(docs)))
    git(docs, "checkout", "-q", branch)
    file = docs / path
    file.write_text(
        file.read_text().replace("| Error rate climbs |", "| Error rate climbs to 30% |")
    )
    git(docs, "commit", "-qam", "review")
    refused(workbook(db, "publish", slug, "--repo", str(docs)), "changed since the workbook")
    out = ok(workbook(db, "pull", slug, "--repo", str(docs)))
    assert "1 entries edited" in out
    shown = json.loads(ok(workbook(db, "show", slug, "--json")))
    assert shown["timeline"][0]["text"] == "Error rate climbs to 30%"
    # Nothing new to publish: the branch already says it, so no commit.
    assert ok(workbook(db, "publish", slug)).strip().splitlines()[-1] == "unchanged"


def test_a_reviewed_file_that_breaks_the_format_is_refused_and_nothing_changes(
    db: Path, tmp_path: Path
) -> None:
    slug = new_incident(db)
    docs, remote = docs_with_remote(tmp_path)
    branch, path = f"postmortem/{slug}", f"postmortems/{slug}.md"
    published_sha(workbook(db, "publish", slug, "--repo", str(docs), "--push"))
    before = ok(workbook(db, "show", slug, "--json"))
    review(remote, tmp_path, branch, path, lambda t: t.replace("`detected`", "`not a tag!`"))
    refused(workbook(db, "pull", slug, "--repo", str(docs), "--remote", "origin"), "cannot be read")
    assert ok(workbook(db, "show", slug, "--json")) == before


def test_pull_when_nothing_was_reviewed(db: Path, tmp_path: Path) -> None:
    slug = new_incident(db)
    docs, _ = docs_with_remote(tmp_path)
    published_sha(workbook(db, "publish", slug, "--repo", str(docs), "--push"))
    out = ok(workbook(db, "pull", slug, "--repo", str(docs), "--remote", "origin"))
    assert "no reviewers' edits" in out


def _ancestors(repo: Path, commit: str) -> list[str]:
    return git(repo, "rev-list", commit).splitlines()


def test_an_unpushed_publish_and_a_reviewers_push_end_in_a_fast_forward(
    db: Path, tmp_path: Path
) -> None:
    """Offline, the workbook publishes locally; a reviewer pushes an edit meanwhile. After
    `pull`, `publish --push` builds on the reviewer's commit: the remote only moves forward,
    and neither side's change is lost (nor mistaken for the other side undoing it)."""
    slug = new_incident(db)
    ok(workbook(db, "set", slug, "summary=Checkout failed."))
    docs, remote = docs_with_remote(tmp_path)
    branch, path = f"postmortem/{slug}", f"postmortems/{slug}.md"
    pushed = published_sha(workbook(db, "publish", slug, "--repo", str(docs), "--push"))

    theirs = review(
        remote,
        tmp_path,
        branch,
        path,
        lambda t: t.replace("Checkout failed.", "Checkout failed hard."),
    )
    # Meanwhile, offline: a new entry, published to the local branch only.
    ok(workbook(db, "log", slug, "Rolled back the deploy", "--at", "21:30", "--tag", "mitigated"))
    local = published_sha(workbook(db, "publish", slug, "--repo", str(docs)))
    assert git(docs, "rev-parse", f"{local}^") == pushed

    refused(workbook(db, "publish", slug, "--push"), "workbook pull")
    out = ok(workbook(db, "pull", slug, "--remote", "origin"))
    assert "fields summary" in out
    assert "entries deleted" not in out  # the new entry is the workbook's, not removed by them
    shown = json.loads(ok(workbook(db, "show", slug, "--json")))
    assert shown["summary"] == "Checkout failed hard."
    assert [e["text"] for e in shown["timeline"]][-1] == "Rolled back the deploy"

    sha = published_sha(workbook(db, "publish", slug, "--push"))
    assert git(remote, "rev-parse", f"refs/heads/{branch}") == sha
    assert git(docs, "rev-parse", f"refs/heads/{branch}") == sha
    assert git(remote, "rev-parse", f"{sha}^") == theirs  # on top of the reviewer's commit
    assert pushed in _ancestors(remote, sha)  # a fast-forward: nothing the remote had is gone
    text = git(remote, "show", f"{sha}:{path}")
    assert "Checkout failed hard." in text and "Rolled back the deploy" in text
    shown = json.loads(ok(workbook(db, "show", slug, "--json")))
    assert shown["publication"]["ahead_of_remote"] is False


def test_after_the_pull_a_local_publish_builds_on_the_reviewers_commit_too(
    db: Path, tmp_path: Path
) -> None:
    slug = new_incident(db)
    docs, remote = docs_with_remote(tmp_path)
    branch, path = f"postmortem/{slug}", f"postmortems/{slug}.md"
    published_sha(workbook(db, "publish", slug, "--repo", str(docs), "--push"))
    theirs = review(
        remote, tmp_path, branch, path, lambda t: t.replace("| Pager fires |", "| Pager fired |")
    )
    ok(workbook(db, "log", slug, "Rolled back", "--at", "21:30"))
    published_sha(workbook(db, "publish", slug))
    ok(workbook(db, "pull", slug, "--remote", "origin"))
    ok(workbook(db, "log", slug, "All clear", "--at", "21:40", "--tag", "resolved"))

    sha = published_sha(workbook(db, "publish", slug))  # no remote: still on their commit
    assert git(docs, "rev-parse", f"{sha}^") == theirs
    assert git(remote, "rev-parse", f"refs/heads/{branch}") == theirs  # not pushed yet
    out = ok(workbook(db, "publish", slug, "--push"))
    assert out.strip().splitlines()[-2:] == [f"pushed {branch} to origin", "unchanged"]
    assert git(remote, "rev-parse", f"refs/heads/{branch}") == sha


def test_pulled_and_nothing_new_the_branch_takes_the_reviewers_commit(
    db: Path, tmp_path: Path
) -> None:
    """The reviewer's file is byte for byte what the workbook would publish, so there is
    nothing to commit: the local branch, which only held the workbook's unpushed publish,
    moves to their commit, and the push has nothing to send."""
    slug = new_incident(db)
    docs, remote = docs_with_remote(tmp_path)
    branch, path = f"postmortem/{slug}", f"postmortems/{slug}.md"
    published_sha(workbook(db, "publish", slug, "--repo", str(docs), "--push"))
    ok(workbook(db, "set", slug, "summary=Checkout failed."))
    published_sha(workbook(db, "publish", slug))  # local only
    rendered = ok(workbook(db, "export", slug))
    theirs = review(remote, tmp_path, branch, path, lambda _: rendered)
    ok(workbook(db, "pull", slug, "--remote", "origin"))

    out = ok(workbook(db, "publish", slug, "--push"))
    assert out.strip().splitlines()[-2:] == [f"pushed {branch} to origin", "unchanged"]
    assert git(remote, "rev-parse", f"refs/heads/{branch}") == theirs
    assert git(docs, "rev-parse", f"refs/heads/{branch}") == theirs


def test_local_commits_of_other_files_are_never_left_behind(db: Path, tmp_path: Path) -> None:
    slug = new_incident(db)
    docs, remote = docs_with_remote(tmp_path)
    branch, path = f"postmortem/{slug}", f"postmortems/{slug}.md"
    published_sha(workbook(db, "publish", slug, "--repo", str(docs), "--push"))
    review(
        remote, tmp_path, branch, path, lambda t: t.replace("| Pager fires |", "| Pager fired |")
    )
    # Someone commits another file on the local branch (in a second worktree of the clone).
    other = tmp_path / "other-checkout"
    git(docs, "worktree", "add", "-q", str(other), branch)
    (other / "notes.md").write_text("local notes\n")
    git(other, "add", "notes.md")
    git(other, "commit", "-qm", "notes")
    local = git(docs, "rev-parse", branch)
    ok(workbook(db, "pull", slug, "--remote", "origin"))
    before = repo_state(docs)

    line = refused(workbook(db, "publish", slug, "--push"), "holds local changes")
    assert "notes.md" in line and "merge the two" in line
    assert repo_state(docs) == before
    assert git(docs, "rev-parse", branch) == local
