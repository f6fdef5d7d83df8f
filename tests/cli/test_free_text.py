"""Free text that starts with a dash is text; a mistyped option is still refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import failed_with, succeeded, workbook, workbook_process


def timeline(db: Path, slug: str) -> list[str]:
    shown = json.loads(succeeded(workbook(db, "show", slug, "--json")))
    return [entry["text"] for entry in shown["timeline"]]


def test_a_log_line_written_as_a_list_item_is_logged(db: Path, slug: str) -> None:
    """What a new user typed, run as a process: it was refused as `No such option '- '`."""
    result = workbook_process("--db", str(db), "log", slug, "- rolled back")
    assert (result.code, result.err) == (0, ""), result.err
    assert result.out.strip().isdigit()
    assert timeline(db, slug) == ["- rolled back"]


@pytest.mark.parametrize(
    "args",
    [
        ["- rolled back", "--tag", "mit", "--at", "23:40"],
        ["--at", "23:40", "- rolled back", "--tag", "mit"],
        ["--tag", "mit", "--at=23:40", "- rolled back"],
    ],
)
def test_dash_text_and_options_in_any_order(db: Path, slug: str, args: list[str]) -> None:
    succeeded(workbook(db, "log", slug, *args))
    shown = json.loads(succeeded(workbook(db, "show", slug, "--json")))
    (entry,) = shown["timeline"]
    assert (entry["text"], entry["tags"], entry["at"]) == (
        "- rolled back",
        ["mitigated"],
        "2026-03-02T23:40:00Z",
    )


@pytest.mark.parametrize(
    "text", ["-> failed over to eu-west", "-5% errors", "--- all clear ---", "- one\n- two"]
)
def test_words_that_cannot_be_options_are_text(db: Path, slug: str, text: str) -> None:
    succeeded(workbook(db, "log", slug, text))
    assert timeline(db, slug) == [text]


def test_titles_of_incidents_and_action_items_too(db: Path, slug: str) -> None:
    assert succeeded(workbook(db, "new", "- payments down")).strip().endswith("payments-down")
    assert succeeded(workbook(db, "action", slug, "- add an alert", "--owner", "ana")) == ("AI-1\n")
    shown = json.loads(succeeded(workbook(db, "show", slug, "--json")))
    assert shown["action_items"][0]["title"] == "- add an alert"
    assert shown["action_items"][0]["owner"] == "ana"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["log", "{slug}", "x", "--tgs", "mit"], "No such option '--tgs'"),
        (["log", "{slug}", "--tgs", "mit", "x"], "Did you mean one of: '--at', '--tag'?"),
        (["log", "{slug}", "-x"], "put -- before the text: workbook log [OPTIONS] REF -- TEXT"),
        (["new", "-x"], "put -- before the text: workbook new [OPTIONS] -- TITLE"),
        (["action", "{slug}", "--urgent"], "workbook action [OPTIONS] REF -- TITLE"),
    ],
)
def test_what_could_be_an_option_is_refused_saying_how_to_give_it_as_text(
    db: Path, slug: str, args: list[str], fragment: str
) -> None:
    result = workbook(db, *(a.replace("{slug}", slug) for a in args))
    failed_with(result, fragment, code=2)
    assert "put -- before the text" in result.err
    assert timeline(db, slug) == []


def test_after_double_dash_anything_is_text(db: Path, slug: str) -> None:
    succeeded(workbook(db, "log", slug, "--tag", "note", "--", "-x"))
    succeeded(workbook(db, "log", slug, "--", "--tag"))
    assert timeline(db, slug) == ["-x", "--tag"]


def test_an_option_missing_its_value_is_still_named(db: Path, slug: str) -> None:
    failed_with(
        workbook(db, "log", slug, "- rolled back", "--at"),
        "Option '--at' requires an argument.",
        code=2,
    )
    assert timeline(db, slug) == []


def test_commands_without_free_text_are_as_they_were(db: Path, slug: str) -> None:
    result = workbook(db, "show", slug, "--colour")
    failed_with(result, "No such option '--colour'. (see workbook show --help)", code=2)
    entry = succeeded(workbook(db, "log", slug, "first")).strip()
    succeeded(workbook(db, "edit", slug, entry, "--text", "- second"))
    assert timeline(db, slug) == ["- second"]
