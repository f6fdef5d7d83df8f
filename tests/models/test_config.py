"""Settings: defaults, the config file, environment overrides, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.config import ConfigError, load_settings


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "none.toml", environ={})
    assert settings.cursor_blink is False
    assert settings.sources["cursor_blink"] == "default"
    assert settings.docs_repo is None


def test_file_then_environment(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('author = "Ada"\ntimezone = "Europe/Berlin"\ncursor_blink = true\n')
    settings = load_settings(path, environ={"WORKBOOK_TIMEZONE": "Asia/Tokyo"})
    assert (settings.author, settings.timezone, settings.cursor_blink) == (
        "Ada",
        "Asia/Tokyo",
        True,
    )
    assert settings.sources["author"] == f"{path}, line 1"
    assert settings.sources["timezone"] == "environment WORKBOOK_TIMEZONE"


def test_malformed_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('author = "Ada"\ntimezone = Europe/Berlin\n')
    with pytest.raises(ConfigError, match="line 2"):
        load_settings(path, environ={})


def test_unknown_key_and_bad_value_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('author = "Ada"\n\ncolour = "red"\n')
    with pytest.raises(ConfigError, match=r"line 3: unknown setting 'colour'"):
        load_settings(path, environ={})
    path.write_text('timezone = "Nowhere/Land"\n')
    with pytest.raises(ConfigError, match=r"line 1: timezone"):
        load_settings(path, environ={})
    path.write_text('author = "Ada"\n\n[ui]\ntheme = "nord"\n')
    with pytest.raises(ConfigError, match=r"line 3: unknown setting 'ui'"):
        load_settings(path, environ={})
    path.write_text('author = "Ada"\nui.theme = "nord"\n')
    with pytest.raises(ConfigError, match=r"line 2: unknown setting 'ui'"):
        load_settings(path, environ={})
    with pytest.raises(ConfigError, match="WORKBOOK_CURSOR_BLINK"):
        load_settings(tmp_path / "none.toml", environ={"WORKBOOK_CURSOR_BLINK": "sometimes"})


def test_config_path_from_environment(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.toml"
    path.write_text('theme = "nord"\n')
    assert load_settings(environ={"WORKBOOK_CONFIG": str(path)}).theme == "nord"


def test_site_file_then_user_file_then_environment(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('db = "/srv/incidents/workbook.db"\nauthor = "oncall"\ntheme = "nord"\n')
    user = tmp_path / "user.toml"
    user.write_text('author = "Ada"\n')
    settings = load_settings(user, environ={"WORKBOOK_THEME": "gruvbox"}, site_path=site)
    assert (settings.db, settings.author, settings.theme) == (
        "/srv/incidents/workbook.db",
        "Ada",
        "gruvbox",
    )
    assert settings.sources["db"] == f"{site}, line 1"
    assert settings.sources["author"] == f"{user}, line 1"
    assert settings.sources["theme"] == "environment WORKBOOK_THEME"


def test_a_broken_site_file_names_itself(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("\ncolour = 'red'\n")
    with pytest.raises(ConfigError, match=rf"{site}, line 2: unknown setting 'colour'"):
        load_settings(tmp_path / "none.toml", environ={}, site_path=site)
