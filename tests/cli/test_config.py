"""``workbook config``, and a config file that cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import failed_with, show_json, succeeded, workbook, workbook_default


def test_config_reports_sources(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text('author = "Ada"\ndocs_repo = "/srv/docs"\n')
    monkeypatch.setenv("WORKBOOK_CONFIG", str(conf))
    monkeypatch.delenv("WORKBOOK_AUTHOR")
    out = succeeded(workbook(db, "config"))
    assert "author" in out and "Ada" in out and f"{conf}, line 1" in out
    assert "environment WORKBOOK_TIMEZONE" in out
    conf.write_text("author = \n")
    failed_with(workbook(db, "config"), "line 1")


def test_a_broken_config_is_an_error_before_any_database_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = tmp_path / "config.toml"
    conf.write_text('author = "Ada"\ntheme = nord\n')
    monkeypatch.setenv("WORKBOOK_CONFIG", str(conf))
    fresh = tmp_path / "fresh.db"
    for args in (["new", "x"], ["list"], ["config"]):
        failed_with(workbook(fresh, *args), f"{conf}: ")
        assert "line 2" in workbook(fresh, *args).err
    assert not fresh.exists()


def test_config_shows_every_setting_with_its_source(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text('timezone = "Europe/Berlin"\n\ncursor_blink = true\n')
    monkeypatch.setenv("WORKBOOK_CONFIG", str(conf))
    monkeypatch.setenv("WORKBOOK_THEME", "nord")
    data = json.loads(succeeded(workbook(db, "config", "--json")))
    assert data["config_file"]["value"] == str(conf)
    assert data["timezone"] == {"value": "UTC", "source": "environment WORKBOOK_TIMEZONE"}
    assert data["cursor_blink"] == {"value": True, "source": f"{conf}, line 3"}
    assert data["theme"] == {"value": "nord", "source": "environment WORKBOOK_THEME"}
    assert data["author"] == {"value": "tester", "source": "environment WORKBOOK_AUTHOR"}
    assert data["docs_repo"] == {"value": None, "source": "default"}
    assert data["db"] == {"value": str(db), "source": "--db / WORKBOOK_DB"}
    text = succeeded(workbook(db, "config"))
    assert "cursor_blink  = true    (" in text and f"{conf}, line 3" in text
    # A new incident takes the configured zone when WORKBOOK_TIMEZONE is not set.
    monkeypatch.delenv("WORKBOOK_TIMEZONE")
    slug = succeeded(workbook(db, "new", "Zoned")).strip()
    assert show_json(db, slug)["timezone"] == "Europe/Berlin"


def test_a_site_wide_file_points_everyone_at_one_database(
    tmp_path: Path, isolated_environment: Path
) -> None:
    site = isolated_environment / "xdg_config_dirs" / "incident-workbook" / "config.toml"
    site.parent.mkdir(parents=True)
    shared = tmp_path / "srv" / "workbook.db"
    site.write_text(f'db = "{shared}"\n')
    slug = succeeded(workbook_default("new", "From the site file")).strip()
    assert shared.is_file()
    data = json.loads(succeeded(workbook_default("config", "--json")))
    assert data["db"] == {"value": str(shared), "source": f"{site}, line 1"}
    assert data["site_config_file"]["value"] == str(site)
    assert f"site config file: {site}\n" in succeeded(workbook_default("config"))
    assert slug in succeeded(workbook_default("list"))
