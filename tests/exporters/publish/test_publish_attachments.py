"""Publishing carries the attachments: text ones in the postmortem, other files beside it
in ``postmortems/<slug>/``, secrets in text attachments stopped or redacted."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.cli.helpers import Outcome, workbook
from tests.exporters.publish.helpers import git, init_repo, repo_state

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


def ok(result: Outcome) -> str:
    assert result.code == 0, result.err
    return result.out


def test_the_review_branch_carries_the_files_and_redacts_text_attachments(
    tmp_path: Path,
) -> None:
    db = tmp_path / "w.db"
    slug = ok(workbook(db, "new", "Checkout down", "--tz", "UTC", "--started", "2026-03-02 21:00"))
    slug = slug.strip()
    entry = ok(workbook(db, "log", slug, "dumped the env", "--at", "21:05")).strip()
    key = "AKIA" + "Q7ZK3M9XW2PL5RT8"
    (tmp_path / "env.txt").write_text(f"REGION=eu\nAWS_KEY={key}\n")
    (tmp_path / "graph.png").write_bytes(PNG)
    attached = ok(workbook(db, "attach", slug, str(tmp_path / "env.txt"), "--entry", entry))
    ok(workbook(db, "attach", slug, str(tmp_path / "graph.png")))
    docs = init_repo(tmp_path / "docs")
    before = repo_state(docs)

    refused = workbook(db, "publish", slug, "--repo", str(docs))
    assert refused.code == 1
    assert f"the attachment env.txt (id {attached.strip()}): AWS access key" in refused.err
    assert key not in refused.err
    assert repo_state(docs) == before

    out = ok(workbook(db, "publish", slug, "--repo", str(docs), "--redact"))
    assert f"postmortems/{slug}/graph.png: added" in out
    sha = out.strip().splitlines()[-1]
    changed = git(docs, "diff-tree", "--no-commit-id", "--name-status", "-r", sha).splitlines()
    assert sorted(changed) == [
        f"A\tpostmortems/{slug}.md",
        f"A\tpostmortems/{slug}/graph.png",
        "A\tpostmortems/README.md",
    ]
    shown = subprocess.run(
        ["git", "-C", str(docs), "show", f"{sha}:postmortems/{slug}/graph.png"],
        capture_output=True,
        check=True,
    ).stdout
    assert shown == PNG
    text = git(docs, "show", f"{sha}:postmortems/{slug}.md")
    assert f"![graph.png]({slug}/graph.png)" in text
    assert key not in text and "AWS_KEY=[REDACTED]" in text
    # The record keeps the attachment as it was.
    assert key.encode() in ok(workbook(db, "attachment", slug, attached.strip())).encode()

    # Nothing changed: no new commit.
    assert (
        ok(workbook(db, "publish", slug, "--repo", str(docs), "--redact"))
        .strip()
        .endswith("unchanged")
    )
