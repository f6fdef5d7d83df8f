"""Commands between an incident and a git docs repo: ``publish`` and ``pull``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from tui.cli.context import Context, fail, pass_ctx

if TYPE_CHECKING:
    from pathlib import Path


class _PlanFolderOption(click.Option):
    """``--dir``, defaulting to the plan's folder.

    Read when the command runs or shows its help, not when the CLI loads: the plan module
    brings git and SQLAlchemy with it, and ``workbook --help`` must not pay for them.
    """

    def get_default(self, ctx: click.Context, call: bool = True) -> str:
        from exporters.publish.plan import DEFAULT_FOLDER

        return DEFAULT_FOLDER


def _docs_repo(context: Context, incident_id: int, slug: str, given: str | None) -> Path:
    """--repo, else where the incident was last published, else config docs_repo."""
    from pathlib import Path  # here, not at the top: pathlib costs `workbook --help` 6 ms

    if given is not None:
        return Path(given)
    from exporters.publish.plan import publish_defaults

    docs_repo = context.settings.docs_repo or None
    defaults = publish_defaults(context.publications(), incident_id, slug, docs_repo)
    if not defaults.repo:
        fail("give --repo DIR (a clone of the docs repo), or set docs_repo in config.toml")
    return Path(defaults.repo)


@click.command()
@click.argument("ref")
@click.option(
    "--repo",
    type=click.Path(file_okay=False),
    help="The docs repo (default: where REF was published last, else config docs_repo).",
)
@click.option(
    "--dir", "folder", cls=_PlanFolderOption, show_default=True, help="Folder in the repo."
)
@click.option("--branch", metavar="NAME", help="Branch to commit on (default: postmortem/SLUG).")
@click.option("--push", is_flag=True, help="Push the branch to the remote (never forced).")
@click.option("--remote", metavar="NAME", help="Remote to check and push to (default: origin).")
@click.option(
    "--redact", is_flag=True, help="Replace likely secrets (but allowed ones) with [REDACTED]."
)
@click.option(
    "--allow",
    "allow",
    metavar="ID",
    multiple=True,
    help="Let one finding of the secret scan through, by the id a refusal printed; "
    "remembered for its text as it is now (repeatable).",
)
@click.option("--message", metavar="TEXT", help="Commit message instead of the default.")
@pass_ctx
def publish(
    context: Context,
    ref: str,
    repo: str | None,
    folder: str,
    branch: str | None,
    push: bool,
    remote: str | None,
    redact: bool,
    allow: tuple[str, ...],
    message: str | None,
) -> None:
    """Commit the postmortem to a review branch of a git docs repo; prints the commit."""
    from exporters.publish.apply import apply_publish
    from exporters.publish.index_cache import default_cache_dir
    from exporters.publish.plan import PublishRequest, configured_identity, plan_publish

    snap, incident_id = context.snapshot(ref)
    snap = context.store.with_attachment_data(snap)
    author, email, fallback_author = configured_identity(context.settings)
    request = PublishRequest(
        repo=_docs_repo(context, incident_id, snap.incident.slug, repo),
        folder=folder,
        branch=branch,
        push=push,
        remote=remote,
        redact=redact,
        message=message,
        author=author,
        email=email,
        fallback_author=fallback_author,
        cache_dir=default_cache_dir(),
        allowed=context.allowances().for_incident(incident_id),
        allow=tuple(dict.fromkeys(ident.strip().lower() for ident in allow)),
    )
    publications = context.publications()
    now = context.now()
    plan = plan_publish(snap, request, publications, now=now)
    for line in plan.summary_lines():
        click.echo(line)
    result = apply_publish(plan, publications, now=now)
    if plan.newly_allowed:
        # Once the publish went through: a refused or failed one remembers nothing.
        context.allowances().allow(incident_id, [f.allowance() for f in plan.newly_allowed])
    if result.pushed:
        click.echo(f"pushed {plan.branch} to {plan.remote}")
    click.echo(result.commit or "unchanged")
    if result.push_error is not None:
        kept = "the commit is kept" if result.commit else "nothing was lost"
        fail(f"{result.push_error}; {kept} on {plan.branch} in {plan.repo_path}, not pushed")


@click.command()
@click.argument("ref")
@click.option(
    "--repo",
    type=click.Path(file_okay=False),
    help="The docs repo (default: where REF was published last, else config docs_repo).",
)
@click.option("--branch", metavar="NAME", help="Review branch (default: postmortem/SLUG).")
@click.option("--remote", metavar="NAME", help="Fetch the branch from this remote first.")
@pass_ctx
def pull(
    context: Context, ref: str, repo: str | None, branch: str | None, remote: str | None
) -> None:
    """Merge reviewers' edits of the published postmortem back into the incident."""
    from exporters.publish.review.pull import pull_review

    snap, incident_id = context.snapshot(ref)
    outcome = pull_review(
        context.store,
        context.publications(),
        snap,
        repo=_docs_repo(context, incident_id, snap.incident.slug, repo),
        branch=branch,
        remote=remote,
        now=context.now(),
    )
    for line in outcome.report_lines():
        click.echo(line)
