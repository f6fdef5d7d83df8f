"""Git's object formats as the workbook writes and reads them, checked against real git."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exporters.publish.git.objects import (
    ObjectReader,
    TreeEntry,
    encode_tree,
    object_id,
    pack_objects,
    parse_tree,
)
from exporters.publish.git.repo import DocsRepo, valid_branch_name
from tests.exporters.publish.helpers import git, init_repo
from tests.paths import REPO


def _git_bytes(repo: Path, *args: str, input: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), *args], input=input, capture_output=True, check=True
    ).stdout


def _blob(repo: Path, data: bytes) -> str:
    return _git_bytes(repo, "hash-object", "-w", "--stdin", input=data).decode().strip()


def test_trees_are_encoded_as_git_orders_and_names_them(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    blob = _blob(repo, b"text\n")
    inner = _git_bytes(repo, "mktree", input=f"100644 blob {blob}\tx.md\n".encode())
    inner_sha = inner.decode().strip()
    # "a-b" and "a.md" sort before the folder "a" (compared as "a/"), "a0" after it.
    entries = [
        TreeEntry("100644", "blob", blob, "a0"),
        TreeEntry("040000", "tree", inner_sha, "a"),
        TreeEntry("100755", "blob", blob, "a-b"),
        TreeEntry("100644", "blob", blob, "a.md"),
        TreeEntry("100644", "blob", blob, "é.md"),
    ]
    listing = "".join(f"{e.mode} {e.kind} {e.sha}\t{e.name}\n" for e in entries)
    by_git = _git_bytes(repo, "mktree", input=listing.encode()).decode().strip()
    ours = encode_tree(entries)
    assert object_id("tree", ours, "sha1") == by_git
    assert _git_bytes(repo, "cat-file", "tree", by_git) == ours
    parsed = parse_tree(ours, 20)
    assert [e.name for e in parsed] == ["a-b", "a.md", "a", "a0", "é.md"]
    assert {e.name: (e.mode, e.kind) for e in parsed}["a"] == ("040000", "tree")
    assert sorted(parsed, key=lambda e: e.name) == sorted(entries, key=lambda e: e.name)


def test_a_pack_of_new_objects_is_accepted_by_git_and_passes_fsck(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    text = b"# A postmortem\n" * 500
    blob = object_id("blob", text, "sha1")
    tree = encode_tree([TreeEntry("100644", "blob", blob, "pm.md")])
    tree_id = object_id("tree", tree, "sha1")
    pack = pack_objects([("blob", text), ("tree", tree)], "sha1")
    _git_bytes(repo, "unpack-objects", "-q", input=pack)
    assert _git_bytes(repo, "cat-file", "blob", blob) == text
    assert _git_bytes(repo, "cat-file", "-t", tree_id) == b"tree\n"
    subprocess.run(["git", "-C", str(repo), "fsck", "--strict"], check=True, capture_output=True)


def test_a_damaged_pack_is_refused(tmp_path: Path) -> None:
    """(Git may keep the objects read before the check as loose, unreachable ones, which
    its gc removes; no ref ever points at them.)"""
    repo = init_repo(tmp_path / "r")
    pack = bytearray(pack_objects([("blob", b"hello\n")], "sha1"))
    pack[-1] ^= 0xFF
    proc = subprocess.run(
        ["git", "-C", str(repo), "unpack-objects", "-q"], input=bytes(pack), capture_output=True
    )
    assert proc.returncode != 0
    assert b"did not match" in proc.stderr


def test_the_reader_streams_thousands_of_objects_without_stalling(tmp_path: Path) -> None:
    """More names than a pipe holds, and more content than one holds, in a single request."""
    repo = init_repo(tmp_path / "r")
    datas = [f"postmortem {n}\n".encode() * (n % 50 + 1) for n in range(3000)]
    folder = tmp_path / "blobs"
    folder.mkdir()
    paths = []
    for n, data in enumerate(datas):
        (folder / f"{n}.md").write_bytes(data)
        paths.append(f"{folder}/{n}.md\n")
    written = _git_bytes(repo, "hash-object", "-w", "--stdin-paths", input="".join(paths).encode())
    shas = written.decode().split()
    reader = ObjectReader(repo, {})
    try:
        answers = reader.read_many([*shas, "no-such-object", "HEAD"])
        assert [a[2] for a in answers[:-2] if a] == datas
        assert answers[-2] is None
        assert answers[-1] is not None and answers[-1][1] == "commit"
        # Still in step afterwards.
        assert reader.read(shas[7]) == (shas[7], "blob", datas[7])
    finally:
        reader.close()


def test_the_docs_repo_reads_heads_refs_and_folders(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    head = git(repo, "rev-parse", "HEAD")
    with DocsRepo(repo) as docs:
        assert docs.head() == ("main", head)
        assert docs.refs("refs/heads/main", "refs/heads/nope") == {"refs/heads/main": head}
        assert docs.subtree(head, "missing") is None
        assert docs.subtree(head, "README.md") is None  # a file, not a folder
        assert [e.name for e in docs.list_tree(head) or []] == ["README.md"]
    git(repo, "checkout", "-q", "--detach")
    with DocsRepo(repo) as docs:
        assert docs.head() == (None, head)


def test_an_unborn_branch_has_no_commit(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r", commit=False)
    with DocsRepo(repo) as docs:
        assert docs.head() == ("main", None)


def test_a_bare_repository_is_a_docs_repo_without_a_working_tree(tmp_path: Path) -> None:
    seed = init_repo(tmp_path / "seed")
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(tmp_path / "bare.git"))
    with DocsRepo(tmp_path / "bare.git") as docs:
        assert docs.bare and docs.top is None
        assert docs.location == str((tmp_path / "bare.git").resolve())


_REF_CHARS = st.sampled_from([*"ab/.-_~^:?*[\\@{} é", "\t", ".lock", "..", "//"])


@settings(max_examples=150, deadline=None)
@given(st.lists(_REF_CHARS, min_size=1, max_size=8).map("".join))
def test_branch_names_are_judged_as_git_judges_them(name: str) -> None:
    proc = subprocess.run(
        ["git", "check-ref-format", "--branch", name], capture_output=True, timeout=30
    )
    git_says = proc.returncode == 0 and not name.startswith("-")
    # Ours may be stricter than git (never looser): a name git refuses is always refused.
    if not git_says:
        assert not valid_branch_name(name)
    if valid_branch_name(name):
        assert git_says


@pytest.mark.parametrize(
    "name", ["postmortem/2026-03-02-db", "review/ada", "pm_1.2", "a.b/c-d", "über/x"]
)
def test_ordinary_branch_names_are_accepted(name: str) -> None:
    assert valid_branch_name(name)


def test_a_local_publish_does_not_load_gitpython() -> None:
    """GitPython only judges remote transports; a publish without a remote never loads it."""
    code = (
        "import sys\n"
        "import exporters.publish.plan, exporters.publish.apply, exporters.publish.review.pull\n"
        "import exporters.publish.git.repo\n"
        "print('git' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
