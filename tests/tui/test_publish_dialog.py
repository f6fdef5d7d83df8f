"""The publish dialog, driven by keyboard on real git repositories (a bare one as remote)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, OptionList, Static

from exporters.render.markdown import render_markdown
from models.publications import Publications
from models.store import Store
from models.tables import Incident
from tests.exporters.publish.helpers import (
    docs_with_remote,
    git,
    init_repo,
    repo_state,
)
from tests.tui.support import FIXED, build_app, screen_text
from tui.screens.incident import IncidentScreen
from tui.screens.publish_dialog import PublishScreen


async def settle(pilot: Pilot[Any]) -> None:
    """Until every worker (git runs in them) is done and the screen has caught up."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_dialog(pilot: Pilot[Any]) -> PublishScreen:
    await settle(pilot)
    await pilot.press("f8")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PublishScreen)
    return screen


def summary(pilot: Pilot[Any]) -> str:
    """The dialog's report, as shown (wrapped lines joined again)."""
    report = pilot.app.screen.query_one("#publish-summary", Static)
    return " ".join(str(report.content).split())


def findings(pilot: Pilot[Any]) -> list[str]:
    """The likely secrets the dialog lists, one line each."""
    listing = pilot.app.screen.query_one("#publish-findings", OptionList)
    if not listing.display:
        return []
    return [str(listing.get_option_at_index(n).prompt) for n in range(listing.option_count)]


def branch_of(incident: Incident) -> str:
    return f"postmortem/{incident.slug}"


async def test_publish_and_push_from_the_dialog(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    docs, remote = docs_with_remote(tmp_path)
    app = build_app(store, tmp_path, incident_id=incident.id, docs_repo=str(docs))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot)
        assert dialog.query_one("#publish-repo", Input).value == str(docs)
        assert dialog.query_one("#publish-branch", Input).value == branch_of(incident)
        assert dialog.query_one("#publish-push", Checkbox).value is True
        shown = summary(pilot)
        assert "What would change, on a new branch from HEAD:" in shown
        assert "new +8 −0 postmortems/README.md" in shown
        assert "Press ctrl+s to commit and push to origin." in shown
        # Only looked: nothing is written until ctrl+s.
        assert git(docs, "branch", "--list", branch_of(incident)) == ""

        await pilot.press("ctrl+s")
        await settle(pilot)
        sha = git(remote, "rev-parse", f"refs/heads/{branch_of(incident)}")
        shown = summary(pilot)
        assert f"✓ Committed {sha[:12]} on the review branch" in shown
        assert "✓ Pushed to origin: reviewers can see it" in shown
        assert f"commit {sha}" in shown
        snapshot = store.snapshot(incident.id)
        published = git(docs, "show", f"{sha}:postmortems/{incident.slug}.md") + "\n"
        assert published == render_markdown(
            snapshot.incident, snapshot.entries, snapshot.action_items, now=FIXED
        )
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, IncidentScreen)
        assert not app.screen.query_one("#publication-status").display


async def test_the_repo_is_remembered_per_incident(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    docs, _ = docs_with_remote(tmp_path)
    first = build_app(store, tmp_path, incident_id=incident.id, docs_repo=str(docs))
    async with first.run_test(size=(80, 24)) as pilot:
        await open_dialog(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
    # Another day, config docs_repo points elsewhere: the incident's own repo comes first.
    later = build_app(store, tmp_path, incident_id=incident.id, docs_repo="/srv/elsewhere")
    async with later.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot)
        assert dialog.query_one("#publish-repo", Input).value == str(docs.resolve())
        assert "Nothing new to commit. Press ctrl+s to push to origin." in summary(pilot)


async def test_unchanged_makes_no_commit_and_still_pushes(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    docs, remote = docs_with_remote(tmp_path)
    app = build_app(store, tmp_path, incident_id=incident.id, docs_repo=str(docs))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot)
        dialog.query_one("#publish-push", Checkbox).focus()
        await pilot.press("space")  # Push off
        await pilot.press("ctrl+s")  # the field changed, so this checks again first
        await settle(pilot)
        assert "Press ctrl+s to commit (Push is off)." in summary(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Not pushed (Push is off): the branch is only in this clone." in summary(pilot)
        first = git(docs, "rev-parse", branch_of(incident))
        assert git(remote, "branch", "--list", branch_of(incident)) == ""

        await pilot.press("space")  # Push back on (the checkbox kept the focus)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "same postmortems/README.md" in summary(pilot)
        assert "Nothing new to commit. Press ctrl+s to push to origin." in summary(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = summary(pilot)
        assert "✓ Nothing new: the branch already holds this version" in shown
        assert "✓ Pushed to origin" in shown
    assert git(docs, "rev-parse", branch_of(incident)) == first
    assert git(remote, "rev-parse", f"refs/heads/{branch_of(incident)}") == first


async def test_a_secret_is_named_and_redacting_publishes_without_it(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    key = "AKIA" + "Q7ZK3M9XW2PL5RT8"
    store.log_entry(incident.id, f"found {key} in the deploy log", at=FIXED)
    docs, remote = docs_with_remote(tmp_path)
    app = build_app(store, tmp_path, incident_id=incident.id, docs_repo=str(docs))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot)
        entry = store.entries(incident.id)[-1]
        assert findings(pilot) == [
            f"✗ entry {entry.id} (2026-03-03 00:55 CET): AWS access key, "
            '"found **** in the deploy log"'
        ]
        assert "✗ 1 likely secret, listed above." in summary(pilot)
        assert key not in screen_text(pilot.app)
        redact = dialog.query_one("#publish-redact", Checkbox)
        assert redact.display
        await pilot.press("ctrl+s")  # refused: nothing is written
        await settle(pilot)
        assert git(docs, "branch", "--list", branch_of(incident)) == ""

        redact.focus()
        await pilot.press("space")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "1 likely secrets published as [REDACTED]" in summary(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "✓ Pushed to origin" in summary(pilot)
    sha = git(remote, "rev-parse", f"refs/heads/{branch_of(incident)}")
    text = git(remote, "show", f"{sha}:postmortems/{incident.slug}.md")
    assert key not in text
    assert r"found \[REDACTED\] in the deploy log" in text  # escaped, as all text is
    assert key in store.entries(incident.id)[-1].text  # the workbook keeps its record


async def test_a_harmless_finding_is_allowed_from_the_keyboard_until_its_text_changes(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    from models.allowances import Allowances

    store, incident = world
    assert incident.id is not None
    key = "AKIA" + "Q7ZK3M9XW2PL5RT8"
    token = "ghp_" + "Zq8" * 12
    store.log_entry(incident.id, f"the docs use {key} as their example", at=FIXED)
    leaked = store.log_entry(incident.id, f"rotated {token}", at=FIXED)
    docs, remote = docs_with_remote(tmp_path)
    app = build_app(store, tmp_path, incident_id=incident.id, docs_repo=str(docs))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dialog(pilot)
        assert [line[:2] for line in findings(pilot)] == ["✗ ", "✗ "]
        await pilot.press("ctrl+y")  # the first one, highlighted
        await settle(pilot)
        assert findings(pilot)[0].startswith("✓ allowed · entry ")
        assert findings(pilot)[1].startswith("✗ entry ")
        assert len(Allowances(store.engine).for_incident(incident.id)) == 1
        await pilot.press("ctrl+s")  # the other still stands in the way
        await settle(pilot)
        assert git(docs, "branch", "--list", branch_of(incident)) == ""

        # Highlight the second and allow it with Enter on the list.
        pilot.app.screen.query_one("#publish-findings", OptionList).focus()
        await pilot.press("down", "enter")
        await settle(pilot)
        assert all(line.startswith("✓ allowed") for line in findings(pilot))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "✓ Pushed to origin" in summary(pilot)
    sha = git(remote, "rev-parse", f"refs/heads/{branch_of(incident)}")
    assert key in git(remote, "show", f"{sha}:postmortems/{incident.slug}.md")

    # Edited text: its finding must be allowed again; the untouched one stays allowed.
    assert leaked.id is not None
    store.edit_entry(incident.id, leaked.id, text=f"rotated {token} at once")
    app = build_app(store, tmp_path, incident_id=incident.id, docs_repo=str(docs))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dialog(pilot)
        lines = findings(pilot)
        assert lines[0].startswith("✓ allowed") and lines[1].startswith("✗ ")
        assert token not in screen_text(pilot.app)


async def test_uncommitted_edits_on_the_checked_out_branch_are_shown_and_the_typing_kept(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    docs = init_repo(tmp_path / "docs")
    (docs / "postmortems").mkdir()
    (docs / "postmortems" / "README.md").write_text("my own notes\n")  # not committed
    before = repo_state(docs)
    app = build_app(store, tmp_path, incident_id=incident.id, docs_repo=str(docs))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot)
        branch = dialog.query_one("#publish-branch", Input)
        branch.focus()
        branch.value = ""
        await pilot.press(*"main")
        dialog.query_one("#publish-push", Checkbox).focus()
        await pilot.press("space")  # Push off: this clone has no remote
        await pilot.press("ctrl+s")  # fields changed: this checks first
        await settle(pilot)
        shown = summary(pilot)
        assert "✗ Cannot publish: main is checked out in" in shown
        assert "uncommitted edits: commit or stash them there first" in shown
        assert branch.value == "main"
        assert isinstance(app.screen, PublishScreen)
    assert repo_state(docs) == before


async def test_an_unreachable_remote_keeps_the_commit_and_the_incident_says_ahead(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    docs, _ = docs_with_remote(tmp_path)
    git(docs, "remote", "set-url", "origin", str(tmp_path / "offline" / "gone.git"))
    app = build_app(store, tmp_path, incident_id=incident.id, docs_repo=str(docs))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dialog(pilot)
        shown = summary(pilot)
        assert "⚠ cannot reach remote 'origin'" in shown
        assert "the commit is made here, and pushed when it can be" in shown
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = summary(pilot)
        local = git(docs, "rev-parse", branch_of(incident))
        assert f"✓ Committed {local[:12]}" in shown
        assert "✗ Not pushed: cannot reach remote 'origin'" in shown
        assert "The commit is kept here. Publish again (ctrl+s now, or F8 later)" in shown
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, IncidentScreen)
        status = app.screen.query_one("#publication-status")
        assert status.display
        assert "the review branch is ahead of origin" in screen_text(app)
    latest = Publications(store.engine).latest(incident.id)
    assert latest is not None and latest.ahead


async def test_a_folder_that_is_not_a_repo_is_explained_inline(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    (tmp_path / "plain").mkdir()
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot)
        assert "Give the folder of a clone of the docs repo" in summary(pilot)
        await pilot.press(*str(tmp_path / "plain"), "enter")
        await settle(pilot)
        assert "is not a git repository (or not its top folder)" in summary(pilot)
        assert dialog.query_one("#publish-repo", Input).value == str(tmp_path / "plain")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, IncidentScreen)


async def test_the_palette_opens_the_dialog(tmp_path: Path, world: tuple[Store, Incident]) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Publish")
        await settle(pilot)
        assert "Publish (f8)" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PublishScreen)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_nothing_is_cut_off(
    tmp_path: Path, world: tuple[Store, Incident], size: tuple[int, int]
) -> None:
    store, incident = world
    docs, _ = docs_with_remote(tmp_path)
    app = build_app(store, tmp_path, incident_id=incident.id, docs_repo=str(docs))
    async with app.run_test(size=size) as pilot:
        await open_dialog(pilot)
        text = screen_text(app)
        for needle in ("Repo", "Branch", "Remote", "Push to the remote", "Esc: close"):
            assert needle in text
        assert "postmortems/README.md" in text
        assert all(len(line) <= size[0] for line in text.splitlines())
