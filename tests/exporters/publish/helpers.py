"""Real git repositories in tmp_path: a bare remote, a docs clone, and a look at their state."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path


def git(repo: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=60
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout.strip()


def init_repo(path: Path, *, identity: bool = True, commit: bool = True) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    if identity:
        git(path, "config", "user.name", "Docs Owner")
        git(path, "config", "user.email", "docs@example.com")
    if commit:
        (path / "README.md").write_text("# Docs\n")
        git(path, "add", "README.md")
        git(
            path,
            "-c",
            "user.name=Seed",
            "-c",
            "user.email=seed@example.com",
            "commit",
            "-qm",
            "init",
        )
    return path


def docs_with_remote(tmp_path: Path) -> tuple[Path, Path]:
    """A bare remote holding one commit on main, and a clone of it with an identity."""
    seed = init_repo(tmp_path / "seed")
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(remote))
    docs = tmp_path / "docs"
    git(tmp_path, "clone", "-q", str(remote), str(docs))
    git(docs, "config", "user.name", "Docs Owner")
    git(docs, "config", "user.email", "docs@example.com")
    return docs, remote


def repo_state(repo: Path) -> dict[str, object]:
    """Everything a user could see of a repository: refs, HEAD, index, status, files."""
    git_dir = Path(git(repo, "rev-parse", "--absolute-git-dir"))
    index = git_dir / "index"
    files = {}
    top = git(repo, "rev-parse", "--show-toplevel", check=False)
    if top:
        for path in sorted(Path(top).rglob("*")):
            if ".git" in path.relative_to(top).parts or not path.is_file():
                continue
            files[str(path.relative_to(top))] = hashlib.sha1(path.read_bytes()).hexdigest()
    return {
        "refs": git(repo, "for-each-ref", "--format=%(refname) %(objectname)", check=False),
        "head": git(repo, "symbolic-ref", "-q", "HEAD", check=False)
        or git(repo, "rev-parse", "HEAD", check=False),
        "index": hashlib.sha1(index.read_bytes()).hexdigest() if index.exists() else None,
        # Without optional locks, so that looking does not refresh (rewrite) the index.
        "status": git(repo, "--no-optional-locks", "status", "--porcelain", check=False)
        if top
        else "",
        "files": files,
    }
