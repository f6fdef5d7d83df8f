"""The docs repository, seen through git's plumbing: read trees, write objects, move refs.

Commits are built without an index or a working tree: blobs go in with ``hash-object``,
trees with ``mktree``, the commit with ``commit-tree``, and the branch moves with one
``update-ref`` transaction that checks the branch's old value, so a publish either lands
whole or not at all and never touches the checked-out branch, the index or the files of
the repository it writes to. Reading goes through GitPython's object database (one
long-lived ``git cat-file --batch``), which is what makes regenerating an index of a
thousand postmortems cheap.

Every failure becomes a :class:`PublishError` with one line that says what to do.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from git import Git, Repo
from git.exc import (
    GitCommandError,
    GitCommandNotFound,
    InvalidGitRepositoryError,
    NoSuchPathError,
    UnsafeProtocolError,
)

NETWORK_TIMEOUT_SECONDS: Final = 120.0
# Never ask for a password on a terminal that is not there; never take an optional lock
# (``git status`` and friends would otherwise rewrite the index of the repo we read).
_QUIET_ENV: Final = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
# ssh asks for passwords on the terminal itself, which would draw over the TUI or hang a
# script: in batch mode it fails instead (keys and agents still work).
_SSH_BATCH: Final = "ssh -o BatchMode=yes"
_NO_EXT: Final = ("-c", "protocol.ext.allow=never", "-c", "protocol.fd.allow=never")
ZERO_SHA: Final = "0" * 40


class PublishError(ValueError):
    """Publishing or pulling cannot go on; the message is one line that says what to do."""


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    kind: str  # "blob", "tree" or "commit"
    sha: str
    name: str


@dataclass(frozen=True)
class Identity:
    name: str
    email: str


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
    chosen = (fatal or lines or ["git failed"])[-1]
    return " ".join(chosen.removeprefix("fatal: ").removeprefix("error: ").split())


def git_message(exc: GitCommandError) -> str:
    """What git said, in one line."""
    stderr = exc.stderr if isinstance(exc.stderr, str) else str(exc.stderr or "")
    stderr = stderr.strip().removeprefix("stderr: ").strip("'")
    return _last_line(stderr or str(exc.stdout or "") or f"git exited with {exc.status}")


class DocsRepo:
    """A git repository that postmortems are published to. Use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path.expanduser()
        shown = str(path)
        if not self.path.exists():
            raise PublishError(f"{shown} does not exist: give --repo a clone of the docs repo")
        if not self.path.is_dir():
            raise PublishError(f"{shown} is not a folder: give --repo a clone of the docs repo")
        try:
            self.repo = Repo(self.path)
        except (InvalidGitRepositoryError, NoSuchPathError):
            raise PublishError(
                f"{shown} is not a git repository (or not its top folder): give --repo the "
                "top folder of a clone of the docs repo"
            ) from None
        except GitCommandNotFound:
            raise PublishError("git is not installed (or not on PATH)") from None
        self.shown = shown
        self.bare = self.repo.bare
        self.git_dir = Path(self.repo.git_dir)
        self._format: str | None = None

    def __enter__(self) -> DocsRepo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.repo.close()

    # -- running git ----------------------------------------------------------------------

    def run(
        self,
        *args: str,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        options: Sequence[str] = (),
    ) -> str:
        """``git ARGS`` in the repository; stdout without its final newline."""
        command = ["git", *options, *args]
        extra = {**_QUIET_ENV, **(env or {})}
        if "GIT_SSH_COMMAND" not in os.environ and "GIT_SSH" not in os.environ:
            extra.setdefault("GIT_SSH_COMMAND", _SSH_BATCH)
        try:
            if input is None:
                return str(self.repo.git.execute(command, env=extra, kill_after_timeout=timeout))
            with tempfile.TemporaryFile() as stdin:
                stdin.write(input)
                stdin.seek(0)
                return str(
                    self.repo.git.execute(
                        command, istream=stdin, env=extra, kill_after_timeout=timeout
                    )
                )
        except GitCommandNotFound:
            raise PublishError("git is not installed (or not on PATH)") from None

    def try_run(self, *args: str) -> str | None:
        """``git ARGS``, or None when git says no (a missing ref, an unset key)."""
        try:
            return self.run(*args)
        except GitCommandError:
            return None

    # -- state ------------------------------------------------------------------------------

    @property
    def object_format(self) -> str:
        if self._format is None:
            self._format = self.try_run("rev-parse", "--show-object-format") or "sha1"
        return self._format

    def blob_id(self, data: bytes) -> str:
        """The id git gives these bytes as a blob, computed without writing anything."""
        digest = hashlib.new("sha256" if self.object_format == "sha256" else "sha1")
        digest.update(b"blob %d\0" % len(data))
        digest.update(data)
        return digest.hexdigest()

    def head(self) -> tuple[str | None, str | None]:
        """(checked-out branch name or None when detached, commit or None when unborn)."""
        branch = self.try_run("symbolic-ref", "-q", "--short", "HEAD")
        commit = self.try_run("rev-parse", "-q", "--verify", "HEAD^{commit}")
        return branch or None, commit or None

    def refs(self, *names: str) -> dict[str, str]:
        """The objects the given full ref names point at (missing ones are left out)."""
        output = self.run("for-each-ref", "--format=%(objectname) %(refname)", *names)
        found = {}
        for line in output.splitlines():
            sha, _, name = line.partition(" ")
            if name in names:
                found[name] = sha
        return found

    def index_locked(self) -> Path | None:
        lock = self.git_dir / "index.lock"
        return lock if lock.exists() else None

    def identity(self, name: str | None, email: str | None, fallback_name: str = "") -> Identity:
        """The author and committer: the workbook's configured identity, else git's."""
        output = self.try_run("config", "--get-regexp", r"^user\.(name|email)$") or ""
        values: dict[str, str] = {}
        for line in output.splitlines():
            key, _, value = line.partition(" ")
            values[key.lower()] = value.strip()
        chosen_name = (name or "").strip() or values.get("user.name", "") or fallback_name
        chosen_email = (email or "").strip() or values.get("user.email", "")
        if not chosen_name or not chosen_email:
            missing = " and ".join(
                what
                for what, value in (("a name", chosen_name), ("an email", chosen_email))
                if not value
            )
            raise PublishError(
                f"no identity for the commit ({missing} missing): set `author` and `email` in "
                "the workbook's config.toml (or WORKBOOK_AUTHOR and WORKBOOK_EMAIL), or run "
                f"`git -C {self.shown} config user.name NAME` and `... user.email ADDRESS`"
            )
        return Identity(chosen_name, chosen_email)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        try:
            self.run("merge-base", "--is-ancestor", ancestor, descendant)
        except GitCommandError as exc:
            if exc.status == 1:
                return False
            raise PublishError(f"git cannot compare two commits: {git_message(exc)}") from None
        return True

    def check_branch_name(self, branch: str) -> None:
        if branch.startswith("-") or self.try_run("check-ref-format", "--branch", branch) is None:
            raise PublishError(f"{branch!r} is not a valid branch name")

    # -- trees and blobs --------------------------------------------------------------------

    def list_tree(self, treeish: str) -> list[TreeEntry]:
        """The entries of one tree (not recursive)."""
        output = self.run("ls-tree", "-z", "--full-tree", treeish)
        entries = []
        for record in output.split("\0"):
            if not record:
                continue
            info, _, name = record.partition("\t")
            mode, kind, sha = info.split(" ")
            entries.append(TreeEntry(mode, kind, sha, name))
        return entries

    def subtree(self, commit: str, folder: str) -> list[TreeEntry] | None:
        """The entries of ``folder`` in ``commit``, or None when there is no such folder."""
        try:
            return self.list_tree(f"{commit}:{folder}")
        except GitCommandError:  # no such path, or it is a file
            return None

    def read_blobs(self, shas: Sequence[str]) -> Iterator[bytes]:
        """The contents of blobs, in order, through one ``cat-file --batch`` run.

        Every id goes in at once and the answers are read back in one stream: asking one
        object at a time costs a round trip between two processes each, which for a folder
        of a thousand postmortems was most of the time a publish took.
        """
        if not shas:
            return
        try:
            proc = subprocess.run(
                ["git", "cat-file", "--batch"],
                input=("\n".join(shas) + "\n").encode(),
                capture_output=True,
                cwd=self.git_dir,
                env={**os.environ, **_QUIET_ENV},
                timeout=NETWORK_TIMEOUT_SECONDS,
                check=False,
            )
        except FileNotFoundError:
            raise PublishError("git is not installed (or not on PATH)") from None
        if proc.returncode != 0:
            raise PublishError(f"git cannot read {self.shown}: {_last_line(proc.stderr.decode())}")
        out = proc.stdout
        position = 0
        for sha in shas:
            end = out.index(b"\n", position)
            header = out[position:end].split(b" ")
            position = end + 1
            if len(header) != 3 or header[1] != b"blob":
                raise PublishError(f"{sha} in {self.shown} is not a readable file")
            size = int(header[2])
            yield out[position : position + size]
            position += size + 1

    def read_blob(self, sha: str) -> bytes | None:
        try:
            return next(self.read_blobs([sha]))
        except (ValueError, OSError, GitCommandError):
            return None
        except Exception as exc:  # gitdb's BadObject / BadName derive from Exception
            if type(exc).__name__ in ("BadObject", "BadName"):
                return None
            raise

    def write_blob(self, data: bytes) -> str:
        return self.run("hash-object", "-w", "--stdin", input=data).strip()

    def write_tree(self, entries: Sequence[TreeEntry]) -> str:
        data = b"".join(f"{e.mode} {e.kind} {e.sha}\t{e.name}".encode() + b"\0" for e in entries)
        return self.run("mktree", "-z", input=data).strip()

    def replace_files(self, commit: str, folder: Sequence[str], files: Mapping[str, str]) -> str:
        """The tree of ``commit`` with ``files`` (name: blob id) put into ``folder``."""
        return self._replace_in(f"{commit}^{{tree}}", folder, files)

    def _replace_in(self, tree: str | None, folder: Sequence[str], files: Mapping[str, str]) -> str:
        current = self.list_tree(tree) if tree else []
        if not folder:
            return self._write_with(current, files)
        name, rest = folder[0], folder[1:]
        existing = next((e for e in current if e.name == name), None)
        if existing is not None and existing.kind != "tree":
            raise PublishError(f"{name} in {self.shown} is a file, not a folder")
        inner = self._replace_in(existing.sha if existing else None, rest, files)
        others = [e for e in current if e.name != name]
        return self.write_tree([*others, TreeEntry("040000", "tree", inner, name)])

    def _write_with(self, current: Sequence[TreeEntry], files: Mapping[str, str]) -> str:
        for name in files:
            clash = next((e for e in current if e.name == name and e.kind != "blob"), None)
            if clash is not None:
                raise PublishError(f"{name} in {self.shown} is a folder, not a file")
        kept = [e for e in current if e.name not in files]
        added = [TreeEntry("100644", "blob", sha, name) for name, sha in files.items()]
        return self.write_tree([*kept, *added])

    def commit_tree(
        self, tree: str, parent: str, message: str, identity: Identity, when: datetime
    ) -> str:
        date = f"@{int(when.timestamp())} +0000"
        env = {
            "GIT_AUTHOR_NAME": identity.name,
            "GIT_AUTHOR_EMAIL": identity.email,
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": identity.name,
            "GIT_COMMITTER_EMAIL": identity.email,
            "GIT_COMMITTER_DATE": date,
        }
        return self.run(
            "commit-tree", tree, "-p", parent, "-F", "-", input=message.encode(), env=env
        ).strip()

    def update_refs(self, updates: Sequence[tuple[str, str, str | None]], reason: str) -> None:
        """Move refs in one transaction: (ref, new, expected old or None for "any")."""
        lines = ["start"]
        for ref, new, old in updates:
            lines.append(f"update {ref} {new}" + ("" if old is None else f" {old}"))
        lines += ["prepare", "commit"]
        data = ("\n".join(lines) + "\n").encode()
        self.run("update-ref", "-m", reason, "--stdin", input=data)

    # -- working tree (only when the target branch is checked out) ------------------------

    def uncommitted(self, paths: Sequence[str]) -> list[str]:
        """Which of ``paths`` differ between HEAD, the index and the files on disk.

        Compared by content, with read-only plumbing: ``git diff`` or ``status`` would
        refresh (rewrite) the index of a repository that is not ours to touch.
        """
        head = {}
        for record in self.run("ls-tree", "-z", "HEAD", "--", *paths).split("\0"):
            if record:
                info, _, name = record.partition("\t")
                head[name] = info.split(" ")[2]
        staged = {}
        for record in self.run("ls-files", "-z", "--stage", "--", *paths).split("\0"):
            if record:
                info, _, name = record.partition("\t")
                staged[name] = info.split(" ")[1]
        top = Path(self.repo.working_tree_dir or self.path)
        dirty = []
        for path in paths:
            file = top / path
            on_disk = self.blob_id(file.read_bytes()) if file.is_file() else None
            if not (head.get(path) == staged.get(path) == on_disk):
                dirty.append(path)
        return dirty

    def stage(self, paths: Sequence[str]) -> None:
        """Record the files now on disk at ``paths`` in the index (with their stat data)."""
        self.run("update-index", "--add", "--", *paths)

    # -- remotes ------------------------------------------------------------------------------

    def remote_urls(self, remote: str) -> list[str]:
        """The fetch and push URLs of a configured remote, as git will use them."""
        if remote.startswith("-") or not re.fullmatch(r"[A-Za-z0-9._/-]+", remote):
            raise PublishError(f"{remote!r} is not a remote name")
        fetch = self.try_run("remote", "get-url", "--all", remote)
        if fetch is None:
            raise PublishError(
                f"{self.shown} has no remote named {remote!r}: add one with `git -C "
                f"{self.shown} remote add {remote} URL`"
            )
        push = self.try_run("remote", "get-url", "--push", "--all", remote) or ""
        return list(dict.fromkeys(u for u in [*fetch.splitlines(), *push.splitlines()] if u))

    def check_remote_is_safe(self, remote: str) -> None:
        """Refuse transports that run commands (``ext::``, other ``X::`` helpers, ``-`` URLs)."""
        for url in self.remote_urls(remote):
            try:
                Git.check_unsafe_protocols(url)
            except UnsafeProtocolError:
                raise PublishError(
                    f"remote {remote!r} uses an unsafe transport ({url.split('::')[0]}::…); "
                    "the workbook only talks to ssh, https, git and file remotes"
                ) from None
            if url.startswith("-"):
                raise PublishError(f"remote {remote!r} has a URL that starts with '-'")

    def fetch_branch(self, remote: str, branch: str) -> str | None:
        """Fetch one branch into its remote-tracking ref; None when the remote lacks it."""
        tracking = f"refs/remotes/{remote}/{branch}"
        try:
            self.run(
                "fetch",
                "--no-tags",
                "--no-write-fetch-head",
                remote,
                f"+refs/heads/{branch}:{tracking}",
                options=_NO_EXT,
                timeout=NETWORK_TIMEOUT_SECONDS,
            )
        except GitCommandError as exc:
            message = git_message(exc)
            if "couldn't find remote ref" in message:
                return None
            raise RemoteUnreachable(remote, message) from None
        return self.refs(tracking).get(tracking)

    def push_branch(self, remote: str, branch: str) -> None:
        """Push without force; raises PushRejected or RemoteUnreachable."""
        ref = f"refs/heads/{branch}"
        try:
            self.run(
                "push",
                "--porcelain",
                remote,
                f"{ref}:{ref}",
                options=_NO_EXT,
                timeout=NETWORK_TIMEOUT_SECONDS,
            )
        except GitCommandError as exc:
            stdout = exc.stdout if isinstance(exc.stdout, str) else ""
            rejected = [line for line in stdout.splitlines() if line.startswith("!")]
            if rejected:
                reason = rejected[0].split("\t")[-1].strip()
                raise PushRejected(remote, branch, reason) from None
            raise RemoteUnreachable(remote, git_message(exc)) from None


class RemoteUnreachable(PublishError):
    def __init__(self, remote: str, reason: str) -> None:
        self.remote = remote
        self.reason = reason
        super().__init__(f"cannot reach remote {remote!r} ({reason})")


class PushRejected(PublishError):
    def __init__(self, remote: str, branch: str, reason: str) -> None:
        self.remote = remote
        self.reason = reason
        super().__init__(
            f"{remote} refused the push of {branch} ({reason.strip('[]() ')}): the remote "
            "branch moved (someone pushed first); pull first, then publish again"
        )


def safe_folder(folder: str) -> list[str]:
    """``--dir`` as path parts, refusing anything that leaves the repository or enters .git."""
    text = folder.strip().replace(os.sep, "/")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if text.startswith("/") or not parts:
        raise PublishError(f"--dir {folder!r} must be a folder inside the repository")
    for part in parts:
        if part == ".." or part.lower() == ".git" or "\\" in part or not part.isprintable():
            raise PublishError(f"--dir {folder!r} must be a folder inside the repository")
    return parts


_SAFE_SLUG: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")


def safe_file_name(slug: str) -> str:
    """The postmortem's file name, refusing any slug that could leave its folder."""
    if (
        not _SAFE_SLUG.fullmatch(slug)
        or ".." in slug
        or slug.endswith((".lock", "."))
        or slug.lower() == "readme"
    ):
        raise PublishError(
            f"the slug {slug!r} cannot be used as a file name in the docs repo (it must be "
            "letters, digits, '.', '_' and '-', without '..'): rename the incident first"
        )
    return f"{slug}.md"
