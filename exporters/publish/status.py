"""How a publication is reported: by ``workbook show`` (text and JSON) and the TUI."""

from __future__ import annotations

from typing import Any

from exporters.render.workbook_format import iso_instant
from models.publications import Publication


def publication_dict(publication: Publication) -> dict[str, Any]:
    return {
        "repo": publication.repo,
        "dir": publication.folder,
        "branch": publication.branch,
        "path": publication.path,
        "commit": publication.commit_sha or None,
        "remote": publication.remote,
        "pushed_commit": publication.pushed_commit,
        "ahead_of_remote": publication.ahead,
        "published_at": iso_instant(publication.published_at),
    }


def ahead_line(publication: Publication) -> str | None:
    """The warning that the branch holds commits its remote has not got, or None."""
    if not publication.ahead:
        return None
    return (
        f"{publication.branch} is ahead of its remote {publication.remote}: the last publish "
        "was not pushed; run `workbook publish REF --push` when the remote can be reached"
    )


def ahead_notice(publication: Publication | None) -> str | None:
    """The same warning, short enough for one line of an 80-column screen."""
    if publication is None or not publication.ahead:
        return None
    return f"the review branch is ahead of {publication.remote}: the last publish is not pushed"


def publication_lines(publication: Publication) -> list[str]:
    lines = [
        f"Published: {publication.path} on {publication.branch} in {publication.repo}"
        f" (commit {publication.commit_sha[:12]})"
    ]
    warning = ahead_line(publication)
    if warning:
        lines.append(f"  ⚠ {warning}")
    return lines
