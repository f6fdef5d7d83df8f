"""The CLI contract, called the way users and scripts call it."""

from __future__ import annotations

import gc
import json
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.cli.helpers import Outcome, database_rows, workbook, workbook_process
from tests.paths import REPO


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


@pytest.fixture
def lived_in(db: Path, slug: str, tmp_path: Path) -> Path:
    """Entries 1 (tagged), 2 (deleted) and 3 (untagged), action AI-1, a second incident."""
    ok(workbook(db, "log", slug, "Error rate up", "--at", "21:00", "--tag", "impact-start"))
    ok(workbook(db, "log", slug, "Wrong incident", "--at", "21:05"))
    ok(workbook(db, "delete", slug, "2"))
    ok(workbook(db, "log", slug, "Untagged words", "--at", "21:10"))
    ok(workbook(db, "action", slug, "Alert on 5xx"))
    ok(workbook(db, "new", "Checkout slow", "--tz", "UTC", "--started", "2026-03-02 21:00"))
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken.md").write_text("---\nworkbook_format: 1\ntitle: 3\n---\n")
    return db


# Every check the CLI contract lists, command by command: each must fail on one line,
# exit 1 and leave every table as it was.
ERRORS = [
    # new
    (["new", "  "], "empty"),
    (["new", "x", "--tz", "Mars/Base"], "unknown time zone"),
    (["new", "x", "--severity", "SEV-9"], "severity"),
    (["new", "x", "--started", "half past nine"], "cannot read"),
    (["new", "x", "--tz", "Europe/Berlin", "--started", "2026-03-29 02:30"], "does not exist"),
    (["new", "x", "--tz", "Europe/Berlin", "--started", "2026-10-25 02:30"], "happens twice"),
    # log
    (["log", "nope", "x"], "no incident matches"),
    (["log", "2026-03-02-checkout", "x"], "several incidents"),
    (["log", "1", "x", "--at", "25:99"], "cannot read"),
    (["log", "1", "x", "--at", "2026-02-30 10:00"], "calendar date"),
    (["log", "1", "x", "--tag", "Bad Tag"], "tag"),
    (["log", "1", "x", "--tag", "ok", "--tag", "no_underscores"], "tag"),
    (["log", "1", "x", "--at", "+5m"], "future"),
    (["log", "1", "   "], "empty"),
    # edit, history, tag, delete, restore
    (["edit", "1", "999", "--text", "x"], "no entry 999"),
    (["edit", "1", "1", "--at", "noonish"], "cannot read"),
    (["edit", "1", "3", "--text", "  "], "would be empty"),
    (["edit", "2", "1", "--text", "x"], "no entry 1"),
    (["history", "1", "999"], "no entry 999"),
    (["history", "1", "999", "--json"], "no entry 999"),
    (["tag", "1", "1", "Not-Lowercase!"], "tag"),
    (["tag", "1", "999", "note"], "no entry 999"),
    (["delete", "1", "999"], "no entry 999"),
    (["delete", "1", "2"], "already deleted"),
    (["restore", "1", "1"], "not deleted"),
    (["restore", "1", "999"], "no entry 999"),
    # action, action-update
    (["action", "1", "  "], "empty"),
    (["action", "1", "x", "--due", "someday"], "due"),
    (["action", "1", "x", "--due", "2026-02-30"], "calendar date"),
    (["action", "1", "x", "--priority", "urgent"], "priority"),
    (["action", "1", "x", "--type", "fix"], "action type"),
    (["action", "1", "x", "--entry", "999"], "no entry 999"),
    (["action", "nope", "x"], "no incident matches"),
    (["action-update", "1", "AI-9", "status=done"], "AI-9"),
    (["action-update", "1", "AI-x", "status=done"], "not an action item ref"),
    (["action-update", "1", "AI-1", "status=finished"], "status"),
    (["action-update", "1", "AI-1", "colour=red"], "unknown field"),
    (["action-update", "1", "AI-1", "due=tomorrowish"], "due"),
    (["action-update", "1", "AI-1", "title="], "empty"),
    (["action-update", "1", "AI-1", "status"], "FIELD=VALUE"),
    # set
    (["set", "1", "users_affected_pct=150"], "percentage"),
    (["set", "1", "slo_target_pct=100"], "percentage"),
    (["set", "1", "users_affected=abc"], "whole number"),
    (["set", "1", "revenue_lost=12k"], "number"),
    (["set", "1", "colour=red"], "unknown field"),
    (["set", "1", "timezone=Nowhere/Land"], "unknown time zone"),
    (["set", "1", "title="], "empty"),
    (["set", "1", "started_at=around nine"], "started_at"),
    (["set", "1", "severity=SEV-0"], "severity"),
    (["set", "1", "status=closed"], "status"),
    (["set", "1", "data_loss=maybe"], "yes or no"),
    (["set", "1", "currency=euros"], "three-letter"),
    (["set", "1", "slo_window_days=0"], "1 to 366"),
    # A valid change before a bad one: still nothing is written.
    (["set", "1", "severity=SEV-1", "users_affected_pct=101"], "percentage"),
    # show, export, import, open
    (["show", "nope"], "no incident matches"),
    (["show", "nope", "--json"], "no incident matches"),
    (["export", "nope"], "no incident matches"),
    (["export", "1", "-o", "/no/such/folder/pm.md"], "no such file or directory"),
    (["import", "/no/such/folder"], "does not exist"),
    (["import", "{tmp}/empty"], "no Markdown"),
    (["import", "{tmp}/broken.md"], "could not be imported"),
    (["import", "{tmp}/broken.md", "--json"], "could not be imported"),
    (["open", "nope"], "no incident matches"),
    # publish, pull (their git faults are tested on real repos in test_publish_faults.py)
    (["publish", "nope", "--repo", "{tmp}"], "no incident matches"),
    (["publish", "1"], "give --repo"),
    (["publish", "1", "--repo", "{tmp}/empty"], "not a git"),
    (["pull", "1", "--repo", "{tmp}/empty"], "not a git"),
    # stats (its filters are tested in full in test_stats.py)
    (["stats", "--since", "last tuesday"], "YYYY-MM-DD"),
    (["stats", "--severity", "SEV-9"], "SEV-1"),
]


@pytest.mark.parametrize(
    ("args", "fragment"), ERRORS, ids=lambda v: " ".join(v) if isinstance(v, list) else None
)
def test_errors_are_one_line_and_write_nothing(
    lived_in: Path, tmp_path: Path, args: list[str], fragment: str
) -> None:
    before = database_rows(lived_in)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    error(workbook(lived_in, *args), fragment)
    assert database_rows(lived_in) == before
    assert not list(tmp_path.glob("**/pm.md"))


def test_the_error_list_covers_every_command() -> None:
    from tui.cli import cli

    tested = {args[0] for args, _ in ERRORS}
    assert set(cli.commands) - tested == {"config", "demo", "list"}  # none can fail on input


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


def test_the_installed_console_script_is_the_same_cli(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    script = shutil.which("workbook", path=str(Path(sys.executable).parent))
    assert script is not None, "the workbook console script is not installed"
    db = str(tmp_path / "s.db")
    made = subprocess.run(
        [script, "--db", db, "new", "Via the script"], capture_output=True, text=True, timeout=60
    )
    assert (made.returncode, made.stderr) == (0, "")
    listed = subprocess.run(
        [script, "--db", db, "list", "--json"], capture_output=True, text=True, timeout=60
    )
    assert [row["slug"] for row in json.loads(listed.stdout)] == [made.stdout.strip()]
    version = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("workbook, version ")
    bad = subprocess.run([script, "frobnicate"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("error: ")


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


# -- the JSON contract ------------------------------------------------------------------

SHOW_KEYS = {
    "id",
    "slug",
    "title",
    "severity",
    "status",
    "timezone",
    "services",
    "commander",
    "summary",
    "impact_narrative",
    "root_cause",
    "trigger",
    "resolution",
    "detection",
    "went_well",
    "went_wrong",
    "got_lucky",
    "supporting_info",
    "started_at",
    "detected_at",
    "responded_at",
    "mitigated_at",
    "resolved_at",
    "metrics",
    "impact",
    "timeline",
    "action_items",
    "warnings",
}
METRICS_KEYS = {
    "duration_minutes",
    "ongoing",
    "time_to_detect_minutes",
    "time_to_respond_minutes",
    "time_to_escalate_minutes",
    "time_to_mitigate_minutes",
    "time_to_resolve_minutes",
    "false_leads",
    "escalations",
    "time_on_false_leads_minutes",
}
IMPACT_KEYS = {
    "users_affected_pct",
    "users_affected",
    "transactions_lost",
    "revenue_lost",
    "currency",
    "data_loss",
    "data_loss_note",
    "slo_target_pct",
    "slo_window_days",
    "error_budget_consumed_pct",
    "user_minutes",
}


def test_show_json_has_exactly_the_keys_of_the_contract(lived_in: Path) -> None:
    ok(workbook(lived_in, "log", "1", "Paged", "--at", "21:20", "--tag", "detected"))
    exported = json.loads(ok(workbook(lived_in, "export", "1", "--format", "json")))
    assert exported == show(lived_in, "1")
    for data in (
        show(lived_in, "1"),
        json.loads(ok(workbook(lived_in, "export", "1", "--format", "json"))),
    ):
        assert set(data) == SHOW_KEYS
        assert set(data["metrics"]) == METRICS_KEYS
        assert set(data["impact"]) == IMPACT_KEYS
        assert [set(e) for e in data["timeline"]] == [{"id", "at", "author", "text", "tags"}] * 3
        assert [set(a) for a in data["action_items"]] == [
            {"id", "ref", "title", "owner", "priority", "type", "status", "due", "link"}
        ]
        # Sorted by time, the deleted entry left out, times as ISO 8601 UTC.
        assert [e["text"] for e in data["timeline"]] == ["Error rate up", "Untagged words", "Paged"]
        assert [e["at"] for e in data["timeline"]] == [
            "2026-03-02T21:00:00Z",
            "2026-03-02T21:10:00Z",
            "2026-03-02T21:20:00Z",
        ]
        assert data["detected_at"] == "2026-03-02T21:20:00Z"
        # Unknown values are null.
        for key in ("commander", "responded_at", "mitigated_at", "resolved_at"):
            assert data[key] is None, key
        assert data["metrics"]["time_to_mitigate_minutes"] is None
        assert data["metrics"]["ongoing"] is True
        assert data["impact"]["users_affected"] is None
        assert data["impact"]["error_budget_consumed_pct"] is None
        assert data["action_items"][0]["due"] is None
        assert data["action_items"][0]["owner"] is None


def test_list_json_has_exactly_the_keys_of_the_contract(lived_in: Path) -> None:
    rows = json.loads(ok(workbook(lived_in, "list", "--json")))
    assert [set(r) for r in rows] == [
        {
            "id",
            "slug",
            "title",
            "severity",
            "status",
            "started_at",
            "resolved_at",
            "duration_minutes",
            "open_action_items",
        }
    ] * 2
    assert [r["slug"] for r in rows] == ["2026-03-02-checkout-slow", "2026-03-02-checkout-down"]
    assert [r["open_action_items"] for r in rows] == [0, 1]
    assert rows[1]["duration_minutes"] == 175  # ongoing: from 21:00 to the frozen 23:55


# -- options and where things go --------------------------------------------------------


def test_author_link_and_source_entry_are_kept(db: Path, slug: str) -> None:
    entry = ok(workbook(db, "log", slug, "Paged", "--at", "21:10", "--author", "ana")).strip()
    ok(workbook(db, "log", slug, "Mine", "--at", "21:11"))
    ok(
        workbook(
            db,
            "action",
            slug,
            "Alert sooner",
            "--link",
            "https://tracker.example/OPS-12",
            "--entry",
            entry,
            "--owner",
            "bo",
        )
    )
    data = show(db, slug)
    assert [e["author"] for e in data["timeline"]] == ["ana", "tester"]
    (item,) = data["action_items"]
    assert (item["link"], item["owner"]) == ("https://tracker.example/OPS-12", "bo")
    assert "| AI-1 | Alert sooner | bo |" in ok(workbook(db, "export", slug))
    assert "entry 1 (2026-03-02 21:10)" in ok(workbook(db, "export", slug))


def test_a_bare_time_on_a_resolved_incident_is_read_near_its_last_entry(db: Path) -> None:
    """Backfilling days later: 23:50 means the evening of the incident, not of today."""
    slug = ok(workbook(db, "new", "Old outage", "--tz", "UTC", "--started", "-3d")).strip()
    ok(workbook(db, "log", slug, "Start", "--at", "2026-02-27 23:40", "--tag", "impact-start"))
    ok(workbook(db, "log", slug, "Over", "--at", "2026-02-28 00:20", "--tag", "resolved"))
    ok(workbook(db, "log", slug, "Forgot this one", "--at", "23:50"))
    ok(workbook(db, "log", slug, "And this", "--at", "00:05"))
    times = {e["text"]: e["at"] for e in show(db, slug)["timeline"]}
    assert times["Forgot this one"] == "2026-02-27T23:50:00Z"
    assert times["And this"] == "2026-02-28T00:05:00Z"
    # While an incident is ongoing, a bare time is read near now (23:55 on 2 March).
    live = ok(workbook(db, "new", "Live one", "--tz", "UTC")).strip()
    ok(workbook(db, "log", live, "Just now", "--at", "23:50"))
    ok(workbook(db, "log", live, "After midnight, almost", "--at", "00:05"))
    times = {e["text"]: e["at"] for e in show(db, live)["timeline"]}
    assert times["Just now"] == "2026-03-02T23:50:00Z"
    assert times["After midnight, almost"] == "2026-03-03T00:05:00Z"


def test_the_database_comes_from_workbook_db_or_the_user_data_folder(
    tmp_path: Path, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.cli.helpers import workbook_default

    chosen = tmp_path / "chosen" / "w.db"
    monkeypatch.setenv("WORKBOOK_DB", str(chosen))
    assert workbook_default("new", "From the environment").code == 0
    assert chosen.is_file()
    monkeypatch.delenv("WORKBOOK_DB")
    assert workbook_default("new", "In the data folder").code == 0
    folder = isolated_environment / "xdg_data_home" / "incident-workbook"
    default = folder / "workbook.db"
    assert default.is_file()
    for path in (chosen.parent, folder):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    # The write-ahead log and its index too: they hold the newest entries.
    companions = list(folder.glob("workbook.db-*"))
    assert {p.name for p in companions} == {"workbook.db-wal", "workbook.db-shm"}
    for path in (chosen, default, *companions):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    listed = json.loads(workbook_default("list", "--json").out)
    assert [r["title"] for r in listed] == ["In the data folder"]
    config = workbook_default("config").out
    assert str(default) in config


def test_a_database_from_a_newer_release_is_refused_untouched(db: Path, slug: str) -> None:
    # The engine of the in-process `new` above lingers until collected; when it goes, the
    # last connection to the file folds the write-ahead log into it. Let that happen now,
    # not in the middle of what is compared.
    gc.collect()
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    con.commit()
    con.close()
    before = db.read_bytes(), database_rows(db)
    for args in (["list"], ["log", slug, "x"], ["show", slug, "--json"]):
        error(workbook(db, *args), "newer Incident Workbook")
    assert (db.read_bytes(), database_rows(db)) == before


def test_text_that_is_not_utf8_is_refused_clearly(db: Path, slug: str) -> None:
    before = database_rows(db)
    # What Python makes of the bytes b"\xff" on a command line.
    error(workbook(db, "log", slug, "bad \udcff byte"), "not valid UTF-8")
    error(workbook(db, "set", slug, "title=bad \udcff"), "not valid UTF-8")
    assert database_rows(db) == before


def test_a_database_refusing_a_write_is_one_line_in_the_apps_words(db: Path, slug: str) -> None:
    con = sqlite3.connect(db)
    con.execute(
        "CREATE TRIGGER frozen BEFORE UPDATE ON incident "
        "BEGIN SELECT RAISE(ABORT, 'frozen for the audit'); END"
    )
    con.commit()
    con.close()
    before = database_rows(db)
    error(
        workbook(db, "set", slug, "severity=SEV-1"),
        "the database refused it (frozen for the audit); nothing was written",
    )
    assert database_rows(db) == before


def test_a_broken_config_is_an_error_before_any_database_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = tmp_path / "config.toml"
    conf.write_text('author = "Ada"\ntheme = nord\n')
    monkeypatch.setenv("WORKBOOK_CONFIG", str(conf))
    fresh = tmp_path / "fresh.db"
    for args in (["new", "x"], ["list"], ["config"]):
        error(workbook(fresh, *args), f"{conf}: ")
        assert "line 2" in workbook(fresh, *args).err
    assert not fresh.exists()


def test_config_shows_every_setting_with_its_source(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text('timezone = "Europe/Berlin"\n\ncursor_blink = true\n')
    monkeypatch.setenv("WORKBOOK_CONFIG", str(conf))
    monkeypatch.setenv("WORKBOOK_THEME", "nord")
    data = json.loads(ok(workbook(db, "config", "--json")))
    assert data["config_file"]["value"] == str(conf)
    assert data["timezone"] == {"value": "UTC", "source": "environment WORKBOOK_TIMEZONE"}
    assert data["cursor_blink"] == {"value": True, "source": f"{conf}, line 3"}
    assert data["theme"] == {"value": "nord", "source": "environment WORKBOOK_THEME"}
    assert data["author"] == {"value": "tester", "source": "environment WORKBOOK_AUTHOR"}
    assert data["docs_repo"] == {"value": None, "source": "default"}
    assert data["db"] == {"value": str(db), "source": "--db / WORKBOOK_DB"}
    text = ok(workbook(db, "config"))
    assert "cursor_blink  = true    (" in text and f"{conf}, line 3" in text
    # A new incident takes the configured zone when WORKBOOK_TIMEZONE is not set.
    monkeypatch.delenv("WORKBOOK_TIMEZONE")
    slug = ok(workbook(db, "new", "Zoned")).strip()
    assert show(db, slug)["timezone"] == "Europe/Berlin"


def test_no_command_but_the_screen_loads_textual(tmp_path: Path) -> None:
    """Every non-TUI command, run in one process: Textual never gets imported."""
    import subprocess
    import sys

    db = tmp_path / "x.db"
    out = tmp_path / "pm.md"
    code = f"""
import sys
from tui.cli import main
def run(*args):
    try:
        main(["--db", {str(db)!r}, *args])
    except SystemExit as exc:
        assert not exc.code, (args, exc.code)
run("new", "Plain", "--started", "2026-03-02 21:00")
run("log", "1", "Paged", "--tag", "detected", "--at", "21:05")
run("edit", "1", "1", "--text", "Paged by alert")
run("history", "1", "1")
run("tag", "1", "1", "note")
run("action", "1", "Fix it")
run("action-update", "1", "AI-1", "status=done")
run("set", "1", "users_affected=10")
run("show", "1")
run("show", "1", "--json")
run("list")
run("export", "1", "-o", {str(out)!r})
run("export", "1", "--format", "json")
run("import", {str(out)!r}, "--dry-run")
run("delete", "1", "1")
run("restore", "1", "1")
run("config")
run("demo", "--print")
print(sorted(m for m in sys.modules if m.split(".")[0] == "textual"), file=sys.stderr)
"""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "[]"
