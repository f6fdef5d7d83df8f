"""Carrying out a publish plan: the commit, the branch moved in one checked update, the
publication remembered in the database, then the push.

If the database refuses to remember the commit, the branch is taken back, so that the
repository and the workbook never disagree about what was published. A failed push keeps
the commit and says so in the result; it is not an error of the publish itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from exporters.publish.git.repo import (
    DocsRepo,
    GitFailed,
    PublishError,
    PushRejected,
    git_message,
)
from exporters.publish.index import README
from exporters.publish.plan import PublishPlan, open_repo
from models.publications import Publication, Publications


@dataclass
class PublishResult:
    commit: str | None  # None: nothing new to commit
    pushed: bool
    plan: PublishPlan
    push_error: PublishError | None = None


def apply_publish(plan: PublishPlan, publications: Publications, *, now: datetime) -> PublishResult:
    """Commit what the plan says, remember it, then push when asked."""
    commit: str | None = None
    with open_repo(Path(plan.repo_path)) as docs:
        if not plan.unchanged:
            commit = _commit(docs, plan, now)
            ref = f"refs/heads/{plan.branch}"
            try:
                _remember(plan, publications, commit, now)
            except BaseException:
                # The database refused: take the branch back, so that the repository
                # and the workbook never disagree about what was published.
                docs.update_refs([(ref, plan.branch_tip or "0" * 40, commit)], "workbook: undo")
                raise
            if plan.checked_out:
                _update_checkout(docs, plan)
        else:
            if plan.parent != plan.branch_tip:
                # Nothing new, but the branch is not where the commit is: it is new (made
                # at HEAD), behind the remote, or holds only an unpushed publish that the
                # reviewers' commit now carries. Move it there, checking its old value.
                _move_branch(docs, plan)
            if plan.previous is None or plan.previous.blob_sha != plan.blob:
                # Already there byte for byte (put there by hand, or a pull took the
                # reviewed file as it is): remember it as published, so the review loop
                # has its base.
                _remember(plan, publications, plan.parent, now)
        result = PublishResult(commit=commit, pushed=False, plan=plan)
        if plan.request.push and plan.remote is not None:
            if plan.offline is not None:
                result.push_error = plan.offline
                return result
            try:
                docs.push_branch(plan.remote, plan.branch)
            except PushRejected as exc:
                slug = plan.snapshot.incident.slug
                result.push_error = PublishError(
                    f"{exc}: run `workbook pull {slug} --repo {docs.shown} --remote "
                    f"{plan.remote}` first"
                )
                return result
            except PublishError as exc:
                result.push_error = exc
                return result
            result.pushed = True
            tip = commit or plan.parent  # what the branch holds now
            _mark_pushed(plan, publications, tip)
    return result


def _commit(docs: DocsRepo, plan: PublishPlan, now: datetime) -> str:
    try:
        file_name = plan.path.rsplit("/", 1)[1]
        files = {file_name: plan.text.encode("utf-8"), README: plan.readme.encode("utf-8")}
        tree = docs.write_files(plan.parent, plan.folder.split("/"), files)
        if plan.files:
            # The attached files go in a folder named for the slug, beside the postmortem.
            slug = plan.snapshot.incident.slug
            tree = docs.write_files(tree, [*plan.folder.split("/"), slug], plan.files)
        commit = docs.commit_tree(tree, plan.parent, plan.message, plan.identity, now)
        ref = f"refs/heads/{plan.branch}"
        docs.update_refs([(ref, commit, plan.branch_tip or "0" * 40)], "workbook: publish")
    except (GitFailed, OSError) as exc:
        raise PublishError(_write_failure(docs, exc)) from None
    return commit


def _move_branch(docs: DocsRepo, plan: PublishPlan) -> None:
    ref = f"refs/heads/{plan.branch}"
    try:
        docs.update_refs([(ref, plan.parent, plan.branch_tip or "0" * 40)], "workbook: publish")
    except (GitFailed, OSError) as exc:
        raise PublishError(_write_failure(docs, exc)) from None


def _write_failure(docs: DocsRepo, exc: Exception) -> str:
    said = git_message(exc) if isinstance(exc, GitFailed) else str(exc)
    lowered = said.lower()
    if "cannot lock ref" in lowered or "but expected" in lowered:
        return (
            f"the branch moved in {docs.shown} while publishing ({said}): publish again; "
            "nothing was changed"
        )
    if any(word in lowered for word in ("no space", "file too large", "permission", "read-only")):
        return (
            f"cannot write to {docs.shown} ({said}): free some space or fix its permissions; "
            "the repository was left as it was"
        )
    return f"git could not write the commit in {docs.shown} ({said}); nothing was changed"


def _update_checkout(docs: DocsRepo, plan: PublishPlan) -> None:
    """The branch is the checked-out one: bring its index and files up to the new commit."""
    from exporters.files import write_atomically, write_bytes_atomically

    assert docs.top is not None
    top = docs.top
    files = {plan.path: plan.text, plan.readme_path: plan.readme}
    for path, text in files.items():
        target = top / path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, text)
    attached = {
        f"{plan.folder}/{plan.snapshot.incident.slug}/{name}": data
        for name, data in plan.files.items()
    }
    for path, data in attached.items():
        target = top / path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomically(target, data)
    docs.stage([*files, *attached])


def _remember(plan: PublishPlan, publications: Publications, commit: str, now: datetime) -> None:
    previous = plan.previous
    remote = plan.remote if plan.remote is not None else (previous.remote if previous else None)
    pushed = previous.pushed_commit if previous is not None else None
    if plan.remote_tip is not None:
        pushed = plan.remote_tip
    assert plan.snapshot.incident.id is not None
    publications.save(
        Publication(
            incident_id=plan.snapshot.incident.id,
            repo=plan.repo_path,
            folder=plan.folder,
            branch=plan.branch,
            remote=remote,
            path=plan.path,
            blob_sha=plan.blob,
            commit_sha=commit,
            text=plan.text,
            entry_ids=plan.entry_ids,
            pushed_commit=pushed,
            published_at=now,
        )
    )


def _mark_pushed(plan: PublishPlan, publications: Publications, commit: str) -> None:
    assert plan.snapshot.incident.id is not None
    publications.mark_pushed(
        plan.snapshot.incident.id,
        plan.repo_path,
        plan.folder,
        plan.branch,
        commit,
        remote=plan.remote,
    )
