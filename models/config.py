"""Settings: built-in defaults, then the site-wide config.toml, then the user's, then
WORKBOOK_* environment variables.

The site-wide file (``/etc/xdg/incident-workbook/config.toml`` on Linux) lets an admin point
every account on a jump host at one shared workbook; each user's file overrides it.

``load_settings`` never writes anything; every value remembers where it came from so that
``workbook config`` can say why it is what it is.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """The config file or an environment variable holds something unusable."""


def default_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("incident-workbook")) / "config.toml"


def default_site_config_path() -> Path:
    from platformdirs import site_config_dir

    return Path(site_config_dir("incident-workbook")) / "config.toml"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "responder"


def _machine_zone() -> str:
    from models.timeparse import machine_zone_name

    return machine_zone_name()


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _as_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a string in quotes")
    return value


def _as_zone(value: Any) -> str:
    from models.timeparse import TimeParseError, resolve_zone

    text = _as_text(value)
    try:
        resolve_zone(text)
    except TimeParseError as exc:
        raise ValueError(str(exc)) from exc
    return text


def _as_theme(value: Any) -> str:
    return _as_text(value).strip()


def _as_size(value: Any) -> int:
    from models.attachments import parse_size

    return parse_size(value)


@dataclass(frozen=True)
class Setting:
    key: str
    env: str
    parse: Callable[[Any], Any]
    default: Callable[[], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("author", "WORKBOOK_AUTHOR", _as_text, _os_user, "name recorded on new entries"),
    Setting("timezone", "WORKBOOK_TIMEZONE", _as_zone, _machine_zone, "zone for new incidents"),
    Setting("db", "WORKBOOK_DB", _as_text, lambda: None, "database file (or URL)"),
    Setting("email", "WORKBOOK_EMAIL", _as_text, lambda: None, "email on published commits"),
    Setting("docs_repo", "WORKBOOK_DOCS_REPO", _as_text, lambda: None, "git repo for publish"),
    Setting("cursor_blink", "WORKBOOK_CURSOR_BLINK", _as_bool, lambda: False, "blink the cursor"),
    Setting("show_seconds", "WORKBOOK_SHOW_SECONDS", _as_bool, lambda: False, "tick by seconds"),
    Setting("theme", "WORKBOOK_THEME", _as_theme, lambda: "textual-dark", "Textual theme name"),
    Setting(
        "attachment_limit",
        "WORKBOOK_ATTACHMENT_LIMIT",
        _as_size,
        lambda: 10 * 1024 * 1024,
        "largest attachment (bytes, or 512KiB, 10MiB)",
    ),
    Setting(
        "run_output_limit",
        "WORKBOOK_RUN_OUTPUT_LIMIT",
        _as_size,
        lambda: 64 * 1024,
        "output of `run` kept (its last bytes)",
    ),
)
SETTINGS_BY_KEY = {s.key: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    values: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    site_path: Path | None = None

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @classmethod
    def defaults(cls, **overrides: Any) -> Settings:
        """Built-in defaults with explicit overrides: what tests and the demo start from."""
        values = {s.key: s.default() for s in SETTINGS}
        values.update(overrides)
        return cls(values=values, sources=dict.fromkeys(values, "default"))


def _line_of_key(text: str, key: str) -> int | None:
    """The line that sets ``key``, as ``key = …``, a ``[key]`` table or a dotted ``key.x``."""
    for number, line in enumerate(text.splitlines(), start=1):
        name = line.split("=", 1)[0].strip().strip("[]").strip()
        if name == key or name.split(".", 1)[0].strip() == key:
            return number
    return None


def _read_file(path: Path) -> tuple[dict[str, Any], str]:
    """A config file's settings and its text; nothing when there is no such file."""
    if not path.is_file():
        return {}, ""
    try:
        text = path.read_text(encoding="utf-8")
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}; fix that line or move the file away") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    unknown = sorted(set(values) - set(SETTINGS_BY_KEY))
    if unknown:
        line = _line_of_key(text, unknown[0])
        where = f"{path}, line {line}" if line else str(path)
        raise ConfigError(
            f"{where}: unknown setting {unknown[0]!r}; known: {', '.join(SETTINGS_BY_KEY)}"
        )
    return values, text


def load_settings(
    path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    site_path: Path | None = None,
) -> Settings:
    """Read the effective settings. Raises ConfigError with the file and line at fault."""
    env = os.environ if environ is None else environ
    if path is None:
        path = Path(env["WORKBOOK_CONFIG"]) if env.get("WORKBOOK_CONFIG") else default_config_path()
    if site_path is None:
        site_path = default_site_config_path()
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    # Later files win: the user's own settings over the site's.
    files = [(site_path, *_read_file(site_path)), (path, *_read_file(path))]

    for setting in SETTINGS:
        raw: Any = None
        where = ""
        if setting.env in env and env[setting.env] != "":
            raw, where = env[setting.env], f"environment {setting.env}"
        else:
            for file_path, file_values, text in reversed(files):
                if setting.key in file_values:
                    line = _line_of_key(text, setting.key)
                    raw = file_values[setting.key]
                    where = f"{file_path}, line {line}" if line else str(file_path)
                    break
        if not where:
            values[setting.key] = setting.default()
            sources[setting.key] = "default"
            continue
        try:
            values[setting.key] = setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{where}: {setting.key} = {raw!r} is not valid: {exc}") from exc
        sources[setting.key] = where
    return Settings(values=values, sources=sources, path=path, site_path=site_path)
