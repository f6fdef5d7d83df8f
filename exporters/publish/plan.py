"""``workbook publish``, first step: what a publish will do, worked out without doing it.

Publishing is two steps so that the TUI can show what will happen before it happens:
:func:`plan_publish` checks everything, renders the document and the folder's index and
says what would change (it writes nothing to the repository but, with a remote, the
fetched remote-tracking ref; the index rows it worked out go to the user's cache folder);
``exporters.publish.apply`` then carries the plan out. Either step fails with a
:class:`PublishError` whose message is one line that says what to do, and leaves the
repository's refs, index and files as they were. Where a publish goes by default (the
last place the incident went, else the config) is worked out here too.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from exporters.publish.git.repo import (
    DocsRepo,
    Identity,
    PublishError,
    RemoteUnreachable,
    safe_file_name,
    safe_folder,
)
from exporters.publish.index import README, IndexRow, index_row, render_index
from exporters.publish.index_cache import IndexRowCache
from models.config import Settings
from models.publications import Publication, Publications
from models.store import IncidentSnapshot
from models.timeline import exported_order

if TYPE_CHECKING:
    from exporters.publish.secrets import SecretFinding

DEFAULT_FOLDER: Final = "postmortems"
DEFAULT_REMOTE: Final = "origin"


def default_branch(slug: str) -> str:
    return f"postmortem/{slug}"


@dataclass(frozen=True)
class PublishDefaults:
    """What a publish of an incident starts from: where it went last, else the config."""

    repo: str
    folder: str
    branch: str
    remote: str
    push: bool


def publish_defaults(
    publications: Publications, incident_id: int, slug: str, docs_repo: str | None
) -> PublishDefaults:
    latest = publications.latest(incident_id)
    if latest is None:
        return PublishDefaults(
            repo=docs_repo or "",
            folder=DEFAULT_FOLDER,
            branch=default_branch(slug),
            remote=DEFAULT_REMOTE,
            push=True,
        )
    return PublishDefaults(
        repo=latest.repo,
        folder=latest.folder,
        branch=latest.branch,
        remote=latest.remote or DEFAULT_REMOTE,
        push=latest.remote is not None,  # pushed before: push again
    )


def configured_identity(settings: Settings) -> tuple[str | None, str | None, str]:
    """(author, email, fallback author) of a request, from the workbook's settings:
    ``author`` and ``email`` count only when set on purpose (not the login-name default);
    git's own identity for the docs repo fills in the rest."""

    def chosen(key: str) -> str | None:
        if settings.sources.get(key, "default") == "default":
            return None
        value = settings.values.get(key)
        return str(value) if value else None

    return chosen("author"), chosen("email"), str(settings.values.get("author") or "")


@dataclass(frozen=True)
class PublishRequest:
    repo: Path
    folder: str = DEFAULT_FOLDER
    branch: str | None = None
    push: bool = False
    remote: str | None = None  # None: origin, and only when pushing
    redact: bool = False
    message: str | None = None
    author: str | None = None  # the workbook's configured identity, when configured
    email: str | None = None
    fallback_author: str = ""
    cache_dir: Path | None = None  # where index rows are remembered (None: not at all)
    # Findings of the secret scan let through: those allowed before (finding id → digest
    # of the text it was allowed in, from models.allowances) and the ids given now.
    allowed: Mapping[str, str] = field(default_factory=dict)
    allow: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileChange:
    path: str
    status: str  # "added", "updated" or "unchanged"
    added: int = 0
    removed: int = 0

    def line(self) -> str:
        if self.status == "unchanged":
            return f"{self.path}: unchanged"
        return f"{self.path}: {self.status}, +{self.added} -{self.removed} lines"


@dataclass
class PublishPlan:
    """Everything a publish will do, computed without writing."""

    request: PublishRequest
    snapshot: IncidentSnapshot
    repo_path: str  # absolute, as remembered
    folder: str
    branch: str
    remote: str | None  # the remote to push to or check, when one is involved
    path: str  # <folder>/<slug>.md
    readme_path: str
    text: str
    blob: str  # the blob id the text gets
    readme: str
    parent: str  # the commit the new one goes on
    branch_tip: str | None  # the branch's commit now (None: it will be created)
    checked_out: bool
    changes: list[FileChange]
    identity: Identity
    message: str
    entry_ids: list[int | None]
    remote_tip: str | None = None
    previous: Publication | None = None
    redacted: int = 0
    offline: PublishError | None = None  # the remote could not be reached to check
    # The findings allowed by this request's ids, to be remembered once it is carried out.
    newly_allowed: list[SecretFinding] = field(default_factory=list)
    # Attached files that are not text, by name, for <folder>/<slug>/ beside the postmortem.
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def unchanged(self) -> bool:
        return all(c.status == "unchanged" for c in self.changes)

    def summary_lines(self) -> list[str]:
        where = self.branch if self.branch_tip else f"{self.branch} (new, from HEAD)"
        lines = [f"{self.repo_path} on {where}"]
        lines += [f"  {change.line()}" for change in self.changes]
        if self.redacted:
            noun = "secret" if self.redacted == 1 else "secrets"
            lines.append(f"  {self.redacted} likely {noun} replaced by [REDACTED]")
        if self.newly_allowed:
            ids = ", ".join(f.id for f in self.newly_allowed)
            lines.append(f"  allowed as written, while its text is unchanged: {ids}")
        if self.offline is not None:
            lines.append(f"  {self.offline}: not checked against {self.remote}/{self.branch}")
        return lines


def _changes(old: str | None, new: str, path: str) -> FileChange:
    if old == new:
        return FileChange(path, "unchanged")
    before = [] if old is None else old.split("\n")
    added = removed = 0
    for line in difflib.unified_diff(before, new.split("\n"), lineterm="", n=0):
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return FileChange(path, "added" if old is None else "updated", added, removed)


def _subject(title: str) -> str:
    return " ".join("".join(c if c.isprintable() else " " for c in title).split())


def commit_message(snapshot: IncidentSnapshot, *, adding: bool, message: str | None = None) -> str:
    incident = snapshot.incident
    if message is not None and message.strip():
        body = message.strip()
    else:
        body = f"postmortem: {'add' if adding else 'update'} {_subject(incident.title)}"
    return f"{body}\n\nIncident: {incident.slug}\nSeverity: {incident.severity}\n"


def _render(snapshot: IncidentSnapshot, now: datetime) -> str:
    from exporters.render.markdown import render_markdown

    return render_markdown(
        snapshot.incident,
        snapshot.entries,
        snapshot.action_items,
        now=now,
        attachments=snapshot.attached(),
    )


def attached_files(snapshot: IncidentSnapshot) -> dict[str, bytes]:
    """The attachments published as files beside the postmortem (not text), by name."""
    return {a.name: data for a, data in snapshot.attached() if not a.is_text and data is not None}


def _file_changes(
    docs: DocsRepo, parent: str, folder: str, files: dict[str, bytes]
) -> list[FileChange]:
    if not files:
        return []
    have = {e.name: e.sha for e in docs.subtree(parent, folder) or [] if e.kind == "blob"}
    changes = []
    for name, data in files.items():
        old = have.get(name)
        status = "added" if old is None else "unchanged" if old == docs.blob_id(data) else "updated"
        changes.append(FileChange(f"{folder}/{name}", status))
    return changes


def scan(snapshot: IncidentSnapshot, request: PublishRequest) -> list[SecretFinding]:
    """The likely secrets in the incident, each marked allowed or not for this request;
    an id given to allow that names no finding is refused."""
    from exporters.publish.secrets import scan_snapshot

    findings = scan_snapshot(snapshot, allowed=request.allowed, allow=request.allow)
    known = {f.id for f in findings}
    unknown = [ident for ident in request.allow if ident not in known]
    if unknown:
        raise PublishError(
            f"--allow {unknown[0]}: no such finding in {snapshot.incident.slug} (the ids are "
            "the ones a refused publish printed; the text may have changed since)"
        )
    return findings


def _scan(
    snapshot: IncidentSnapshot, request: PublishRequest
) -> tuple[IncidentSnapshot, int, list[SecretFinding]]:
    from exporters.publish.secrets import blocking, describe_findings, redact_snapshot

    findings = scan(snapshot, request)
    newly_allowed = [f for f in findings if f.id in request.allow]
    stopping = blocking(findings)
    if not stopping:
        return snapshot, 0, newly_allowed
    if not request.redact:
        count = len(stopping)
        noun = "a likely secret" if count == 1 else f"{count} likely secrets"
        raise PublishError(
            f"not published: {noun}: {describe_findings(stopping)}. Remove them, publish "
            "with --redact to replace each with [REDACTED] in the docs repo only, or allow "
            "one you know is harmless with --allow ID"
        )
    return redact_snapshot(snapshot, findings), len(stopping), newly_allowed


def open_repo(path: Path) -> DocsRepo:
    return DocsRepo(path)


def _check_quiet(docs: DocsRepo) -> None:
    lock = docs.index_locked()
    if lock is not None:
        raise PublishError(
            f"another git command is running in {docs.shown} ({lock} exists): wait for it to "
            "finish, or delete that file if no git is running there"
        )


def check_remote(docs: DocsRepo, remote: str) -> None:
    """Refuse unknown remotes and unsafe transports before any network git runs."""
    docs.check_remote_is_safe(remote)


def _blob(entries: dict[str, tuple[str, str]], name: str, where: str) -> str | None:
    found = entries.get(name)
    if found is None:
        return None
    kind, sha = found
    if kind != "blob":
        raise PublishError(f"{where} is a folder, not a file: move it out of the way first")
    return sha


def plan_publish(
    snapshot: IncidentSnapshot,
    request: PublishRequest,
    publications: Publications,
    *,
    now: datetime,
) -> PublishPlan:
    """Check everything and compute the commit to make; write nothing but fetched refs."""
    incident = snapshot.incident
    assert incident.id is not None
    folder_parts = safe_folder(request.folder)
    folder = "/".join(folder_parts)
    file_name = safe_file_name(incident.slug)
    branch = request.branch or default_branch(incident.slug)
    remote = request.remote or (DEFAULT_REMOTE if request.push else None)
    clean, redacted, newly_allowed = _scan(snapshot, request)
    text = _render(clean, now)

    with open_repo(request.repo) as docs:
        docs.check_branch_name(branch)
        _check_quiet(docs)
        head_branch, head_commit = docs.head()
        if head_commit is None:
            raise PublishError(
                f"{docs.shown} has no commits yet: make a first commit there (a README will "
                "do), then publish"
            )
        ref = f"refs/heads/{branch}"
        branch_tip = docs.refs(ref).get(ref)
        if branch_tip is None and head_branch is None:
            raise PublishError(
                f"HEAD of {docs.shown} is detached, so there is no branch to start "
                f"{branch} from: check out the main branch there first"
            )
        if remote is not None:
            check_remote(docs, remote)
        repo_path = docs.location
        previous = publications.find(incident.id, repo_path, folder, branch)
        parent = branch_tip or head_commit
        remote_tip: str | None = None
        offline: RemoteUnreachable | None = None
        if remote is not None:
            try:
                remote_tip = docs.fetch_branch(remote, branch)
            except RemoteUnreachable as exc:
                # Offline jump host: publish locally all the same; the branch is then
                # ahead of its remote until a later --push gets through.
                offline = exc

        path = f"{folder}/{file_name}"
        base_blob = previous.blob_sha if previous is not None else None
        new_blob = docs.blob_id(text.encode("utf-8"))

        def check_reviewed(
            commit: str, where: str, *, published_there: bool
        ) -> dict[str, tuple[str, str]]:
            entries = {e.name: (e.kind, e.sha) for e in docs.subtree(commit, folder) or []}
            current = _blob(entries, file_name, path)
            if current is None or current in (base_blob, new_blob):
                if current is None and base_blob is not None and published_there:
                    raise PublishError(
                        f"{path} was deleted on {where} after the workbook published it: "
                        "restore it there, or publish with another --branch"
                    )
                return entries
            if base_blob is None:
                raise PublishError(
                    f"{path} on {where} was not published from this workbook: run `workbook "
                    f"pull {incident.slug} --repo {docs.shown}` to merge it in first, or "
                    "publish with another --branch or --dir"
                )
            raise PublishError(
                f"{path} on {where} changed since the workbook published it (reviewers' "
                f"edits): run `workbook pull {incident.slug} --repo {docs.shown}"
                + (f" --remote {remote}" if where.startswith(f"{remote}/") else "")
                + "` first to bring them in"
            )

        where = branch if branch_tip else f"HEAD ({head_branch})"
        readme_path = f"{folder}/{README}"
        # The commit the workbook's record builds on, when the branch does not hold it:
        # the remote branch, or the reviewers' commit a pull took their edits from.
        upstream, upstream_name = remote_tip, f"{remote}/{branch}"
        if upstream is None and branch_tip is not None:
            pulled = _pulled_commit(docs, previous, branch, branch_tip)
            if pulled is not None:
                upstream, upstream_name = pulled
        if upstream is not None and upstream != parent:
            if docs.is_ancestor(parent, upstream):
                # Others committed on the remote branch (reviewers, or a pull brought
                # their edits in): build on top of them so the push is a fast-forward.
                parent, where = upstream, upstream_name
            elif not docs.is_ancestor(upstream, parent):
                # Both moved: the branch holds a publish that never reached the remote,
                # the remote holds the reviewers' commits. Once a pull has brought their
                # edits in (checked below), the workbook's text holds both sides, so the
                # new commit goes on top of theirs and the push stays a fast-forward.
                _check_only_ours(docs, parent, upstream, branch, upstream_name, path, readme_path)
                parent, where = upstream, upstream_name
        # What the new commit replaces must be what the workbook published (or pulled).
        entries = check_reviewed(
            parent, where, published_there=branch_tip is not None or parent == upstream
        )

        checked_out = head_branch == branch and not docs.bare
        if checked_out and parent != branch_tip:
            raise PublishError(
                f"{branch} is checked out in {docs.shown} and behind {remote}/{branch}: run "
                "`git pull` there first"
            )
        old_text = _read_text(docs, _blob(entries, file_name, path))
        cache = IndexRowCache.for_folder(request.cache_dir, repo_path, folder)
        readme = _index(docs, entries, file_name, text, cache)
        old_readme = _read_text(docs, _blob(entries, README, readme_path))
        changes = [_changes(old_text, text, path), _changes(old_readme, readme, readme_path)]
        files = attached_files(clean)
        changes += _file_changes(docs, parent, f"{folder}/{incident.slug}", files)
        if checked_out:
            dirty = docs.uncommitted([path, readme_path])
            if dirty:
                raise PublishError(
                    f"{branch} is checked out in {docs.shown} and {', '.join(dirty)} has "
                    "uncommitted edits: commit or stash them there first"
                )
        identity = docs.identity(request.author, request.email, request.fallback_author)
        message = commit_message(clean, adding=old_text is None, message=request.message)
    return PublishPlan(
        request=request,
        snapshot=snapshot,
        repo_path=repo_path,
        folder=folder,
        branch=branch,
        remote=remote,
        path=path,
        readme_path=readme_path,
        text=text,
        blob=new_blob,
        readme=readme,
        parent=parent,
        branch_tip=branch_tip,
        checked_out=checked_out,
        changes=changes,
        identity=identity,
        message=message,
        entry_ids=[e.id for e in exported_order(clean.entries)],
        remote_tip=remote_tip,
        previous=previous,
        redacted=redacted,
        offline=offline,
        newly_allowed=newly_allowed,
        files=files,
    )


def _pulled_commit(
    docs: DocsRepo, previous: Publication | None, branch: str, branch_tip: str
) -> tuple[str, str] | None:
    """(commit, name) of the remote branch as a pull last fetched it, when the workbook's
    record builds on it and the local branch does not hold it."""
    if previous is None or previous.remote is None or previous.commit_sha == branch_tip:
        return None
    tracking = f"refs/remotes/{previous.remote}/{branch}"
    if docs.refs(tracking).get(tracking) != previous.commit_sha:
        return None
    if docs.is_ancestor(previous.commit_sha, branch_tip):
        return None
    return previous.commit_sha, f"{previous.remote}/{branch}"


def _check_only_ours(
    docs: DocsRepo,
    local: str,
    upstream: str,
    branch: str,
    upstream_name: str,
    path: str,
    readme_path: str,
) -> None:
    """Refuse to leave local commits behind unless they only ever touched our two files
    (the workbook's own publishes, whose text the new commit carries on)."""
    fork = docs.merge_base(local, upstream)
    if fork is None:
        raise PublishError(
            f"{branch} and {upstream_name} share no history: publish with another --branch, "
            f"or reconcile them in {docs.shown} with git"
        )
    others = [p for p in docs.changed_paths(fork, local) if p not in (path, readme_path)]
    if others:
        shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
        raise PublishError(
            f"{branch} and {upstream_name} have both moved on, and {branch} holds local "
            f"changes besides the workbook's ({shown}): merge the two in {docs.shown} with "
            "git, then publish again"
        )


def _read_text(docs: DocsRepo, sha: str | None) -> str | None:
    if sha is None:
        return None
    data = docs.read_blob(sha)
    return None if data is None else data.decode("utf-8", errors="replace")


def _index(
    docs: DocsRepo,
    entries: dict[str, tuple[str, str]],
    own: str,
    text: str,
    cache: IndexRowCache,
) -> str:
    """The folder's README: every workbook postmortem on the branch, ours as it will be.

    Rows of blobs seen before come from the cache; only new or changed files are read.
    """
    names = sorted(
        name
        for name, (kind, _) in entries.items()
        if kind == "blob" and name.endswith(".md") and name != README and name != own
    )
    rows: list[IndexRow] = []
    unread = []
    for name in names:
        known, row = cache.lookup(name, entries[name][1])
        if not known:
            unread.append(name)
        elif row is not None:
            rows.append(row)
    contents = docs.read_blobs([entries[name][1] for name in unread])
    for name, data in zip(unread, contents, strict=True):
        row = index_row(name, data.decode("utf-8", errors="replace"))
        cache.remember(name, entries[name][1], row)
        if row is not None:
            rows.append(row)
    cache.save()
    own_row = index_row(own, text)
    if own_row is not None:
        rows.append(own_row)
    return render_index(rows)


@dataclass
class PublishCheck:
    """What the TUI shows before committing: the likely secrets (allowed ones marked), and
    the plan (None while secrets not allowed stand in the way and redaction was not chosen)."""

    findings: list[SecretFinding]
    plan: PublishPlan | None


def check_publish(
    snapshot: IncidentSnapshot,
    request: PublishRequest,
    publications: Publications,
    *,
    now: datetime,
) -> PublishCheck:
    from exporters.publish.secrets import blocking

    findings = scan(snapshot, request)
    if blocking(findings) and not request.redact:
        return PublishCheck(findings, None)
    return PublishCheck(findings, plan_publish(snapshot, request, publications, now=now))
