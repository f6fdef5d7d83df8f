"""The CLI contract, called the way users and scripts call it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_helpers import Outcome, workbook, workbook_process


def ok(result: Outcome) -> str:
    assert result.code == 0, result.err
    assert result.err == ""
    return result.out


def error(result: Outcome, fragment: str, code: int = 1) -> None:
    assert result.code == code, (result.code, result.out, result.err)
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: ")
    assert fragment in lines[0]
    assert "Traceback" not in result.err


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


@pytest.fixture
def slug(db: Path) -> str:
    return ok(
        workbook(
            db,
            "new",
            "Checkout down",
            "--severity",
            "SEV-2",
            "--tz",
            "UTC",
            "--service",
            "checkout",
            "--started",
            "2026-03-02 21:00",
        )
    ).strip()


def show(db: Path, ref: str) -> dict:
    return json.loads(ok(workbook(db, "show", ref, "--json")))


def test_new_prints_the_slug(slug: str) -> None:
    assert slug == "2026-03-02-checkout-down"


def test_full_incident_flow(db: Path, slug: str) -> None:
    first = ok(
        workbook(
            db, "log", slug, "Error rate up", "--at", "2026-03-02 21:00", "--tag", "impact-start"
        )
    ).strip()
    assert first.isdigit()
    ok(workbook(db, "log", slug, "Paged", "--at", "2026-03-02 21:10", "--tag", "det"))
    lead = ok(workbook(db, "log", slug, "Suspected DNS", "--at", "2026-03-02 21:20")).strip()
    ok(workbook(db, "tag", slug, lead, "fl", "esc"))
    ok(workbook(db, "tag", slug, lead, "esc", "--remove"))
    ok(workbook(db, "log", slug, "Rolled back", "--at", "2026-03-02 21:40", "--tag", "mit"))
    ok(workbook(db, "log", slug, "All clear", "--at", "2026-03-02 22:00", "--tag", "res"))
    ok(
        workbook(
            db,
            "set",
            slug,
            "users_affected_pct=40",
            "slo_target_pct=99.9",
            "root_cause=A bad *deploy*.",
            "status=resolved",
        )
    )
    ref = ok(
        workbook(
            db,
            "action",
            slug,
            "Alert on 5xx",
            "--owner",
            "ana",
            "--priority",
            "high",
            "--type",
            "detect",
            "--due",
            "2026-04-01",
        )
    ).strip()
    assert ref == "AI-1"
    ok(workbook(db, "action-update", slug, "AI-1", "status=in-progress"))

    data = show(db, slug)
    assert data["metrics"]["duration_minutes"] == 60
    assert data["metrics"]["time_to_detect_minutes"] == 10
    assert data["metrics"]["false_leads"] == 1
    assert data["metrics"]["time_on_false_leads_minutes"] == 20
    assert data["started_at"] == "2026-03-02T21:00:00Z"
    assert data["impact"]["users_affected_pct"] == 40
    assert data["impact"]["error_budget_consumed_pct"] == pytest.approx(
        60 * 0.4 / (30 * 1440 * 0.001) * 100
    )
    assert data["root_cause"] == "A bad *deploy*."
    assert data["action_items"][0]["status"] == "in-progress"
    assert [e["tags"] for e in data["timeline"]][2] == ["false-lead"]
    for key in (
        "id",
        "slug",
        "title",
        "severity",
        "status",
        "timezone",
        "services",
        "commander",
        "summary",
        "detected_at",
        "responded_at",
        "mitigated_at",
        "resolved_at",
        "warnings",
    ):
        assert key in data

    rows = json.loads(ok(workbook(db, "list", "--json")))
    assert rows == [
        {
            "id": 1,
            "slug": slug,
            "title": "Checkout down",
            "severity": "SEV-2",
            "status": "resolved",
            "started_at": "2026-03-02T21:00:00Z",
            "resolved_at": "2026-03-02T22:00:00Z",
            "duration_minutes": 60.0,
            "open_action_items": 1,
        }
    ]
    text = ok(workbook(db, "show", slug))
    assert "Checkout down" in text and "Rolled back" in text and "AI-1" in text
    assert slug in ok(workbook(db, "list"))


def test_edit_history_delete_restore(db: Path, slug: str) -> None:
    entry = ok(workbook(db, "log", slug, "first words", "--at", "21:05")).strip()
    ok(workbook(db, "edit", slug, entry, "--text", "better words"))
    ok(workbook(db, "edit", slug, entry, "--at", "21:06"))
    history = json.loads(ok(workbook(db, "history", slug, entry, "--json")))
    assert [r["text"] for r in history["revisions"]] == ["first words", "better words"]
    assert history["entry"]["at"] == "2026-03-02T21:06:00Z"
    assert "better words" in ok(workbook(db, "history", slug, entry))
    ok(workbook(db, "delete", slug, entry))
    assert show(db, slug)["timeline"] == []
    ok(workbook(db, "restore", slug, entry))
    assert [e["text"] for e in show(db, slug)["timeline"]] == ["better words"]


def test_ref_by_id_and_prefix(db: Path, slug: str) -> None:
    assert show(db, "1")["slug"] == slug
    assert show(db, "2026-03-02-check")["slug"] == slug


def test_export_markdown_and_json_to_file(db: Path, slug: str, tmp_path: Path) -> None:
    ok(workbook(db, "log", slug, "Something", "--at", "21:30"))
    markdown = ok(workbook(db, "export", slug))
    assert markdown.endswith("\n") and "Something" in markdown
    target = tmp_path / "out.md"
    ok(workbook(db, "export", slug, "-o", str(target)))
    assert target.read_text() == markdown
    as_json = json.loads(ok(workbook(db, "export", slug, "--format", "json")))
    assert as_json["slug"] == slug


def test_export_then_import_into_an_empty_database(db: Path, slug: str, tmp_path: Path) -> None:
    ok(workbook(db, "log", slug, "Start | of *it*", "--at", "21:00", "--tag", "start"))
    ok(workbook(db, "log", slug, "# not a heading\nsecond line", "--at", "21:30", "--tag", "res"))
    ok(workbook(db, "action", slug, "Fix it", "--priority", "low"))
    path = tmp_path / "pm.md"
    ok(workbook(db, "export", slug, "-o", str(path)))
    other = tmp_path / "other.db"
    out = ok(workbook(other, "import", str(path)))
    assert slug in out
    before, after = show(db, slug), show(other, slug)
    for data in (before, after):
        data.pop("id")
        for item in data["action_items"]:
            item.pop("id")
            item.pop("source_entry_id")
        for entry in data["timeline"]:
            entry.pop("id")
    assert before == after


def test_import_dry_run_writes_nothing(db: Path, slug: str, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    ok(workbook(db, "export", slug, "-o", str(folder / "a.md")))
    other = tmp_path / "other.db"
    previews = json.loads(ok(workbook(other, "import", str(folder), "--dry-run", "--json")))
    assert [p["format"] for p in previews] == ["workbook"]
    assert previews[0]["title"] == "Checkout down"
    assert json.loads(ok(workbook(other, "list", "--json"))) == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["log", "nope", "x"], "no incident matches"),
        (["log", "1", "x", "--at", "25:99"], "cannot read"),
        (["log", "1", "x", "--tag", "Bad Tag"], "tag"),
        (["log", "1", "x", "--at", "+5m"], "future"),
        (["set", "1", "users_affected_pct=150"], "percentage"),
        (["set", "1", "users_affected=abc"], "whole number"),
        (["set", "1", "colour=red"], "unknown field"),
        (["set", "1", "timezone=Nowhere/Land"], "unknown time zone"),
        (["set", "1", "title="], "empty"),
        (["new", "  "], "empty"),
        (["new", "x", "--tz", "Mars/Base"], "unknown time zone"),
        (["new", "x", "--severity", "SEV-9"], "severity"),
        (["action", "1", "x", "--due", "someday"], "due"),
        (["action", "1", "x", "--priority", "urgent"], "priority"),
        (["action-update", "1", "AI-9", "status=done"], "AI-9"),
        (["action-update", "1", "AI-1", "status=finished"], "status"),
        (["edit", "1", "999", "--text", "x"], "no entry 999"),
        (["delete", "1", "999"], "no entry 999"),
        (["history", "1", "999"], "no entry 999"),
        (["import", "/no/such/folder"], "does not exist"),
    ],
)
def test_errors_are_one_line_and_write_nothing(
    db: Path, slug: str, args: list[str], fragment: str
) -> None:
    before = show(db, slug)
    error(workbook(db, *args), fragment)
    assert show(db, slug) == before
    assert len(json.loads(ok(workbook(db, "list", "--json")))) == 1


@pytest.mark.parametrize(
    "args",
    [
        ["log"],
        ["frobnicate"],
        ["show", "1", "--colour"],
        ["export", "1", "--format", "pdf"],
        ["edit", "1", "1"],
    ],
)
def test_usage_errors_exit_2_on_one_line(db: Path, slug: str, args: list[str]) -> None:
    error(workbook(db, *args), "", code=2)


def test_unreadable_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database" * 200)
    error(workbook(bad, "list"), "cannot read the database")


def test_config_reports_sources(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text('author = "Ada"\ndocs_repo = "/srv/docs"\n')
    monkeypatch.setenv("WORKBOOK_CONFIG", str(conf))
    monkeypatch.delenv("WORKBOOK_AUTHOR")
    out = ok(workbook(db, "config"))
    assert "author" in out and "Ada" in out and f"{conf}, line 1" in out
    assert "environment WORKBOOK_TIMEZONE" in out
    conf.write_text("author = \n")
    error(workbook(db, "config"), "line 1")


def test_user_text_never_reaches_the_terminal_raw(db: Path, slug: str) -> None:
    ok(workbook(db, "log", slug, "evil \x1b[31mred\x1b[0m [bold]x[/bold]", "--at", "21:10"))
    text = ok(workbook(db, "show", slug))
    assert "\x1b" not in text
    assert "\\e[31mred" in text and "[bold]x[/bold]" in text


def test_real_process_help_and_error(tmp_path: Path) -> None:
    result = workbook_process("--help")
    assert result.code == 0 and "log" in result.out and "export" in result.out
    result = workbook_process("--db", str(tmp_path / "p.db"), "show", "missing")
    error(result, "no incident matches")
    result = workbook_process("--db", str(tmp_path / "p.db"), "new", "From a process")
    assert result.code == 0 and result.out.strip().endswith("from-a-process")


def test_cli_commands_do_not_import_textual(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from tui.cli import main\n"
        "try:\n"
        f"    main(['--db', {str(tmp_path / 'x.db')!r}, 'list', '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('textual' in sys.modules, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=60,
    )
    assert proc.stderr.strip().endswith("False"), proc.stderr


def test_demo_loads_the_five_samples(db: Path) -> None:
    out = ok(workbook(db, "demo", "--print"))
    assert len(out.strip().splitlines()) == 5
    assert "2024-06-20-storefront-down" in out
    assert not db.exists(), "the demo works on a throwaway database"


def test_open_an_unknown_incident_is_an_error_before_the_screen(db: Path, slug: str) -> None:
    error(workbook(db, "open", "no-such-incident"), "no incident matches")


def test_import_reports_each_file_and_fails_for_unreadable_ones(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.md").write_text(
        "# Cache stampede\n\n## Timeline\n\n- 2024-03-01 10:00 UTC: errors begin\n"
        "- 2024-03-01 10:30 UTC: fully resolved\n"
    )
    (folder / "binary.md").write_bytes(b"\xff\xfe\x00bad")
    result = workbook(db, "import", str(folder))
    assert result.code == 1
    assert "binary.md: error: " in result.out and "not UTF-8" in result.out
    assert "cache-stampede" in result.out
    assert result.err.startswith("error: 1 of 2 files")
    assert len(json.loads(ok(workbook(db, "list", "--json")))) == 1
