"""The docs repository, seen through git's plumbing: read trees, write objects, move refs.

Commits are built without an index or a working tree: the new blobs and trees go in as
one small pack (``unpack-objects``), the commit with ``commit-tree``, and the branch moves
with one ``update-ref`` transaction that checks the branch's old value, so a publish
either lands whole or not at all and never touches the checked-out branch, the index or
the files of the repository it writes to. Reading goes through one long-lived
``git cat-file --batch`` (:class:`~exporters.publish.git.objects.ObjectReader`): a local publish
starts five git processes in all, which is what keeps it quick on a slow jump host.

GitPython is imported only to judge a remote's transport, so a publish that involves no
remote does not pay for loading it. Every failure becomes a :class:`PublishError` with
one line that says what to do.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from exporters.publish.git.objects import (
    ObjectReader,
    TreeEntry,
    encode_tree,
    object_id,
    pack_objects,
    parse_tree,
)

__all__ = ["DocsRepo", "GitFailed", "Identity", "PublishError", "TreeEntry"]

NETWORK_TIMEOUT_SECONDS: Final = 120.0
LOCAL_TIMEOUT_SECONDS: Final = 60.0
# Never ask for a password on a terminal that is not there; never take an optional lock
# (``git status`` and friends would otherwise rewrite the index of the repo we read).
_QUIET_ENV: Final = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
# ssh asks for passwords on the terminal itself, which would draw over the TUI or hang a
# script: in batch mode it fails instead (keys and agents still work).
_SSH_BATCH: Final = "ssh -o BatchMode=yes"
_NO_EXT: Final = ("-c", "protocol.ext.allow=never", "-c", "protocol.fd.allow=never")
ZERO_SHA: Final = "0" * 40
_PARSED_TREES: dict[tuple[str, str], list[TreeEntry]] = {}
_PARSED_TREES_KEPT: Final = 16


class PublishError(ValueError):
    """Publishing or pulling cannot go on; the message is one line that says what to do."""


class GitFailed(PublishError):
    """A git command exited with an error (or ran out of time). Callers that expect it
    catch it and say what it means; anywhere else its message still says what git said."""

    def __init__(self, command: Sequence[str], status: int, stdout: str, stderr: str) -> None:
        self.command = list(command)
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        words = list(command[1:])
        while words[:1] == ["-c"]:  # config options before the subcommand
            words = words[2:]
        subcommand = words[0] if words else ""
        said = _last_line(stderr.strip() or stdout or f"git exited with {status}")
        super().__init__(f"git {subcommand} failed: {said}")


@dataclass(frozen=True)
class Identity:
    name: str
    email: str


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
    chosen = (fatal or lines or ["git failed"])[-1]
    return " ".join(chosen.removeprefix("fatal: ").removeprefix("error: ").split())


def git_message(exc: GitFailed) -> str:
    """What git said, in one line."""
    return _last_line(exc.stderr.strip() or exc.stdout or f"git exited with {exc.status}")


def _git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, **_QUIET_ENV, **(extra or {})}
    if "GIT_SSH_COMMAND" not in os.environ and "GIT_SSH" not in os.environ:
        env.setdefault("GIT_SSH_COMMAND", _SSH_BATCH)
    return env


def _run_git(
    args: Sequence[str],
    *,
    cwd: Path,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = LOCAL_TIMEOUT_SECONDS,
) -> str:
    command = ["git", *args]
    try:
        proc = subprocess.run(
            command,
            input=input,
            capture_output=True,
            cwd=cwd,
            env=_git_env(env),
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise PublishError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise GitFailed(command, -1, "", f"fatal: no answer within {timeout:g} s") from None
    stdout = proc.stdout.decode("utf-8", errors="surrogateescape")
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", errors="replace")
        raise GitFailed(command, proc.returncode, stdout, stderr)
    return stdout.removesuffix("\n")


_REF_FORBIDDEN: Final = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//")


def valid_branch_name(branch: str) -> bool:
    """What ``git check-ref-format --branch`` accepts, checked without running git."""
    if not branch or branch == "@" or branch.startswith(("-", "/")) or branch.endswith("/"):
        return False
    if branch.endswith(".") or _REF_FORBIDDEN.search(branch):
        return False
    return all(
        part and not part.startswith(".") and not part.endswith(".lock")
        for part in branch.split("/")
    )


class DocsRepo:
    """A git repository that postmortems are published to. Use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path.expanduser()
        shown = str(path)
        self.shown = shown
        if not self.path.exists():
            raise PublishError(f"{shown} does not exist: give --repo a clone of the docs repo")
        if not self.path.is_dir():
            raise PublishError(f"{shown} is not a folder: give --repo a clone of the docs repo")
        not_top = PublishError(
            f"{shown} is not a git repository (or not its top folder): give --repo the "
            "top folder of a clone of the docs repo"
        )
        try:
            about = _run_git(
                [
                    "rev-parse",
                    "--is-bare-repository",
                    "--is-inside-work-tree",
                    "--absolute-git-dir",
                    "--show-object-format",
                    "--show-prefix",
                ],
                cwd=self.path,
            ).split("\n")
        except GitFailed:
            raise not_top from None
        bare, inside, git_dir, object_format = about[:4]
        prefix = about[4] if len(about) > 4 else ""
        self.bare = bare == "true"
        if not self.bare and (inside != "true" or prefix):
            raise not_top
        self.git_dir = Path(git_dir)
        # The working tree's top folder (None for a bare repository).
        self.top: Path | None = None if self.bare else self.path.resolve()
        self.object_format = object_format if object_format in ("sha1", "sha256") else "sha1"
        self.digest_size = 32 if self.object_format == "sha256" else 20
        self._objects = ObjectReader(self.top or self.git_dir, _QUIET_ENV)

    @property
    def location(self) -> str:
        """The repository as the workbook remembers it: its top folder, absolute."""
        return str(self.top or self.git_dir.resolve())

    def __enter__(self) -> DocsRepo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._objects.close()

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
        return _run_git(
            [*options, *args],
            cwd=self.top or self.git_dir,
            input=input,
            env=env,
            timeout=timeout or LOCAL_TIMEOUT_SECONDS,
        )

    def try_run(self, *args: str) -> str | None:
        """``git ARGS``, or None when git says no (a missing ref, an unset key)."""
        try:
            return self.run(*args)
        except GitFailed:
            return None

    # -- state ------------------------------------------------------------------------------

    def blob_id(self, data: bytes) -> str:
        """The id git gives these bytes as a blob, computed without writing anything."""
        return object_id("blob", data, self.object_format)

    def _head_ref(self) -> str | None:
        """The full name of the checked-out branch, or None when HEAD is detached."""
        try:
            text = (self.git_dir / "HEAD").read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            text = ""
        if text.startswith("ref: refs/heads/") and not text.endswith("/.invalid"):
            return text.removeprefix("ref: ")
        if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", text):
            return None
        # Another ref storage (reftable keeps a placeholder in HEAD): ask git.
        return self.try_run("symbolic-ref", "-q", "HEAD") or None

    def head(self) -> tuple[str | None, str | None]:
        """(checked-out branch name or None when detached, commit or None when unborn)."""
        ref = self._head_ref()
        return (ref.removeprefix("refs/heads/") if ref else None), self.commit_of("HEAD")

    def commit_of(self, name: str) -> str | None:
        """The commit a ref (or any revision) names, or None when it names none."""
        found = self._objects.read(f"{name}^{{commit}}")
        return found[0] if found is not None else None

    def refs(self, *names: str) -> dict[str, str]:
        """The commits the given full ref names point at (missing ones are left out)."""
        found = {}
        for name, answer in zip(
            names, self._objects.read_many([f"{n}^{{commit}}" for n in names]), strict=True
        ):
            if answer is not None:
                found[name] = answer[0]
        return found

    def index_locked(self) -> Path | None:
        lock = self.git_dir / "index.lock"
        return lock if lock.exists() else None

    def identity(self, name: str | None, email: str | None, fallback_name: str = "") -> Identity:
        """The author and committer: the workbook's configured identity, else git's."""
        values: dict[str, str] = {}
        if not (name or "").strip() or not (email or "").strip():
            output = self.try_run("config", "--get-regexp", r"^user\.(name|email)$") or ""
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
        except GitFailed as exc:
            if exc.status == 1:
                return False
            raise PublishError(f"git cannot compare two commits: {git_message(exc)}") from None
        return True

    def merge_base(self, one: str, other: str) -> str | None:
        """The best common ancestor of two commits, or None when they share no history."""
        return self.try_run("merge-base", one, other) or None

    def changed_paths(self, old: str, new: str) -> list[str]:
        """The files that differ between two commits."""
        output = self.run("diff-tree", "-r", "-z", "--no-renames", "--name-only", old, new)
        return [path for path in output.split("\0") if path]

    def check_branch_name(self, branch: str) -> None:
        if not valid_branch_name(branch):
            raise PublishError(f"{branch!r} is not a valid branch name")

    # -- trees and blobs --------------------------------------------------------------------

    def list_tree(self, treeish: str) -> list[TreeEntry] | None:
        """The entries of one tree (not recursive), or None when there is no such tree."""
        found = self._objects.read(treeish)
        if found is not None and found[1] == "commit":
            # A commit's first line names its tree.
            found = self._objects.read(found[2].split(b"\n", 1)[0].removeprefix(b"tree ").decode())
        if found is None or found[1] != "tree":
            return None
        # A tree's id names its content, so a parsed tree stays right: a publish looks at
        # its folder's tree when planning and again when writing.
        key = (str(self.git_dir), found[0])
        entries = _PARSED_TREES.get(key)
        if entries is None:
            entries = parse_tree(found[2], self.digest_size)
            if len(_PARSED_TREES) >= _PARSED_TREES_KEPT:
                _PARSED_TREES.pop(next(iter(_PARSED_TREES)), None)
            _PARSED_TREES[key] = entries
        return list(entries)

    def subtree(self, commit: str, folder: str) -> list[TreeEntry] | None:
        """The entries of ``folder`` in ``commit``, or None when there is no such folder."""
        return self.list_tree(f"{commit}:{folder}")

    def read_blobs(self, shas: Sequence[str]) -> Iterator[bytes]:
        """The contents of blobs, in order, in one stream from the long-lived cat-file."""
        for sha, found in zip(shas, self._objects.read_many(shas), strict=True):
            if found is None or found[1] != "blob":
                raise PublishError(f"{sha} in {self.shown} is not a readable file")
            yield found[2]

    def read_blob(self, sha: str) -> bytes | None:
        found = self._objects.read(sha)
        return found[2] if found is not None and found[1] == "blob" else None

    # -- writing a commit -------------------------------------------------------------------

    def write_files(self, commit: str, folder: Sequence[str], files: Mapping[str, bytes]) -> str:
        """Store ``files`` (name: content) in ``folder`` of ``commit``'s tree; the new root
        tree's id. Blobs and trees go in as one pack, which git checks before storing."""
        objects: list[tuple[str, bytes]] = []
        blobs = {}
        for name, data in files.items():
            objects.append(("blob", data))
            blobs[name] = object_id("blob", data, self.object_format)
        root = self._replaced(commit, list(folder), blobs, objects)
        self.run("unpack-objects", "-q", input=pack_objects(objects, self.object_format))
        return root

    def _replaced(
        self,
        tree: str | None,
        folder: list[str],
        files: Mapping[str, str],
        objects: list[tuple[str, bytes]],
    ) -> str:
        current = (self.list_tree(tree) if tree else None) or []
        if not folder:
            for name in files:
                clash = next((e for e in current if e.name == name and e.kind != "blob"), None)
                if clash is not None:
                    raise PublishError(f"{name} in {self.shown} is a folder, not a file")
            kept = [e for e in current if e.name not in files]
            new = [*kept, *(TreeEntry("100644", "blob", sha, n) for n, sha in files.items())]
        else:
            name, rest = folder[0], folder[1:]
            existing = next((e for e in current if e.name == name), None)
            if existing is not None and existing.kind != "tree":
                raise PublishError(f"{name} in {self.shown} is a file, not a folder")
            inner = self._replaced(existing.sha if existing else None, rest, files, objects)
            others = [e for e in current if e.name != name]
            new = [*others, TreeEntry("040000", "tree", inner, name)]
        data = encode_tree(new)
        objects.append(("tree", data))
        return object_id("tree", data, self.object_format)

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
        top = self.top or self.path
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
        from git import Git
        from git.exc import UnsafeProtocolError

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
        except GitFailed as exc:
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
        except GitFailed as exc:
            rejected = [line for line in exc.stdout.splitlines() if line.startswith("!")]
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
