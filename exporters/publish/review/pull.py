"""``workbook pull``: bring reviewers' edits of the published postmortem into the incident.

The reviewed file is read from the review branch (fetched first with ``--remote``) by the
workbook's own importer, checked by the same rules as any input, merged three-way (see
:mod:`exporters.publish.review.merge`) and written in one transaction together with the new merge
base, so the next ``publish`` builds on the reviewers' commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from exporters.publish.git.repo import DocsRepo, PublishError, safe_file_name, safe_folder
from exporters.publish.plan import DEFAULT_FOLDER, check_remote, default_branch, open_repo
from exporters.publish.review.merge import (
    ReviewMerge,
    carry_entry_ids,
    check_reviewed,
    merge_review,
)
from exporters.render.workbook_format import WorkbookFormatError, read_workbook_markdown
from models.publications import Publication, Publications
from models.review_apply import ReviewChanges, apply_review
from models.store import IncidentSnapshot, Store


@dataclass
class PullOutcome:
    path: str
    where: str
    commit: str
    merge: ReviewMerge | None  # None: the reviewed file is what was published
    added_ids: list[int] = field(default_factory=list)

    def report_lines(self) -> list[str]:
        head = f"{self.path} on {self.where} at {self.commit[:12]}"
        merge = self.merge
        if merge is None:
            return [f"{head}: no reviewers' edits, nothing to merge"]
        lines = [f"merged the review of {head}"]
        taken = []
        if merge.incident_changes:
            taken.append("fields " + ", ".join(sorted(merge.incident_changes)))
        for count, what in (
            (len(merge.entry_edits), "entries edited"),
            (len(merge.entry_adds), "entries added"),
            (len(merge.entry_deletes), "entries deleted (restorable)"),
            (len(merge.action_changes), "action items changed"),
            (len(merge.action_adds), "action items added"),
        ):
            if count:
                taken.append(f"{count} {what}")
        lines.append("  taken from the review: " + ("; ".join(taken) if taken else "nothing"))
        lines += [f"  note: {note}" for note in merge.notes]
        if merge.conflicts:
            lines.append(
                f"  {len(merge.conflicts)} changed on both sides, the workbook's value kept:"
            )
            lines += [f"    - {conflict}" for conflict in merge.conflicts]
        return lines


def _find_publication(
    publications: Publications, incident_id: int, repo: str, branch: str
) -> Publication | None:
    for folder in (None, DEFAULT_FOLDER):
        if folder is None:
            latest = publications.latest(incident_id)
            if latest is not None and latest.repo == repo and latest.branch == branch:
                return latest
        else:
            found = publications.find(incident_id, repo, folder, branch)
            if found is not None:
                return found
    return None


def _fork_text(
    docs: DocsRepo, previous: Publication | None, tip: str, folder: str, file_name: str
) -> str | None:
    """The file as it was where the reviewers' branch and the workbook's last publish
    parted, when they did part (the last publish is not in the reviewers' history)."""
    last = previous.commit_sha if previous is not None else ""
    if previous is None or not last or last == tip or docs.commit_of(last) is None:
        return None
    if docs.is_ancestor(last, tip):
        return None
    fork = docs.merge_base(last, tip)
    if fork is None:
        return None
    entries = {e.name: e for e in docs.subtree(fork, folder) or []}
    found = entries.get(file_name)
    if found is None or found.kind != "blob" or found.sha == previous.blob_sha:
        return None
    data = docs.read_blob(found.sha)
    return None if data is None else data.decode("utf-8", errors="replace")


def pull_review(
    store: Store,
    publications: Publications,
    snapshot: IncidentSnapshot,
    *,
    repo: Path,
    branch: str | None = None,
    remote: str | None = None,
    now: datetime,
) -> PullOutcome:
    incident = snapshot.incident
    assert incident.id is not None
    file_name = safe_file_name(incident.slug)
    branch = branch or default_branch(incident.slug)
    with open_repo(repo) as docs:
        docs.check_branch_name(branch)
        if remote is not None:
            check_remote(docs, remote)
        repo_path = docs.location
        previous = _find_publication(publications, incident.id, repo_path, branch)
        folder = "/".join(safe_folder(previous.folder if previous else DEFAULT_FOLDER))
        path = f"{folder}/{file_name}"
        if remote is not None:
            tip = docs.fetch_branch(remote, branch)
            where = f"{remote}/{branch}"
            if tip is None:
                raise PublishError(f"{remote} has no branch {branch}: publish with --push first")
        else:
            ref = f"refs/heads/{branch}"
            tip = docs.refs(ref).get(ref)
            where = branch
            if tip is None:
                raise PublishError(
                    f"{docs.shown} has no branch {branch}: publish first, or give --branch "
                    "(and --remote to read a remote branch)"
                )
        entries = {e.name: e for e in docs.subtree(tip, folder) or []}
        found = entries.get(file_name)
        if found is None or found.kind != "blob":
            raise PublishError(f"{path} is not on {where}: nothing to pull")
        data = docs.read_blob(found.sha)
        if data is None:
            raise PublishError(f"git cannot read {path} on {where}")
        fork_text = _fork_text(docs, previous, tip, folder, file_name)
    text = data.decode("utf-8", errors="replace")
    if previous is not None and found.sha == previous.blob_sha:
        if remote is not None and previous.commit_sha == tip != previous.pushed_commit:
            publications.mark_pushed(
                incident.id, previous.repo, previous.folder, previous.branch, tip
            )
        return PullOutcome(path, where, tip, None)
    try:
        theirs = read_workbook_markdown(text)
        check_reviewed(theirs)
    except (WorkbookFormatError, ValueError) as exc:
        raise PublishError(
            f"the reviewed {path} on {where} cannot be read ({exc}): fix it on the branch, "
            "then pull again; nothing was changed"
        ) from None
    base = read_workbook_markdown(previous.text) if previous and previous.text else None
    base_ids = list(previous.entry_ids) if previous else []
    if fork_text is not None and base is not None:
        # The reviewers worked on an older publish than the workbook's last one (which
        # was not pushed): that older version is what both sides changed.
        fork = read_workbook_markdown(fork_text)
        base_ids = carry_entry_ids(fork, base, base_ids)
        base = fork
    merge = merge_review(base, base_ids, theirs, snapshot)

    def row_ids(new_ids: list[int]) -> list[int | None]:
        ids: list[int | None] = []
        for row in merge.theirs_rows:
            if isinstance(row, tuple):
                ids.append(new_ids[row[1]] if row[1] < len(new_ids) else None)
            else:
                ids.append(row)
        return ids

    record = Publication(
        incident_id=incident.id,
        repo=repo_path,
        folder=folder,
        branch=branch,
        remote=remote if remote is not None else (previous.remote if previous else None),
        path=path,
        blob_sha=found.sha,
        commit_sha=tip,
        text=text,
        pushed_commit=tip if remote is not None else (previous.pushed_commit if previous else None),
        published_at=previous.published_at if previous else now,
    )
    added = apply_review(
        store,
        incident.id,
        ReviewChanges(
            incident=merge.incident_changes,
            entry_edits=[(edit.entry_id, edit.changes) for edit in merge.entry_edits],
            entry_adds=merge.entry_adds,
            entry_deletes=merge.entry_deletes,
            action_changes=merge.action_changes,
            action_adds=merge.action_adds,
        ),
        record,
        entry_ids=row_ids,
    )
    return PullOutcome(path, where, tip, merge, added)
