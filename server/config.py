"""Loading ``config.toml``: defaults, the file, ``VERBUND_*`` environment overrides, overrides.

The result is one frozen :class:`Settings` value. Nothing reads settings at import time; the
app factory, the CLI and the worker each load them once and pass them on.
"""

from __future__ import annotations

import copy
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config_checks import settings_problems
from .config_defaults import DEFAULTS, ENV_OVERRIDES
from .schema.definitions import Problem
from .schema.toml_lines import parse_toml


class ConfigError(Exception):
    """config.toml cannot be used; the message is meant for the person running Verbund.

    ``problems`` holds each problem with the path relative to the config directory, for
    ``verbund check``; the message names the file with its full path.
    """

    def __init__(self, path: Path, problems: list[Problem]):
        self.path = path
        self.problems = problems
        super().__init__(
            "\n".join(
                f"{path}:{p.line}: {p.message}" if p.line else f"{path}: {p.message}"
                for p in problems
            )
        )


@dataclass(frozen=True)
class Settings:
    """Everything Verbund needs to know about one installation, with absolute paths."""

    config_path: Path
    base_dir: Path
    raw: dict[str, Any] = field(repr=False)
    database_url: str
    redis_url: str
    secret_key: str
    forms_dir: Path
    workflows_dir: Path
    exports_dir: Path
    instance_dir: Path

    @property
    def roles(self) -> dict[str, Any]:
        return self.raw.get("roles", {})

    @property
    def demo_dir(self) -> Path:
        """The demo folder (``[paths] demo``) that ``verbund init --demo`` loads."""
        return (self.base_dir / self.raw["paths"]["demo"]).resolve()

    def section(self, name: str) -> dict[str, Any]:
        return self.raw.get(name, {})

    def relative(self, path: Path) -> str:
        """``path`` relative to the config directory, for messages like ``forms/x.toml:3``."""
        try:
            return str(Path(path).resolve().relative_to(self.base_dir))
        except ValueError:
            return str(path)


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """A new dict: ``base`` with ``extra`` merged in, tables merged key by key."""
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def find_config_path(config_path: str | os.PathLike | None = None) -> Path:
    """The config file to use: the argument, else ``VERBUND_CONFIG``, else ./config.toml."""
    chosen = config_path or os.environ.get("VERBUND_CONFIG") or "config.toml"
    return Path(chosen).expanduser().resolve()


def read_config(path: Path) -> dict[str, Any]:
    """Parse and check config.toml; raises ConfigError listing every problem."""
    shown = Path(path.name)
    try:
        text = path.read_bytes().decode("utf-8-sig")  # Windows editors write a BOM
    except FileNotFoundError:
        problem = Problem(str(shown), 0, "Konfigurationsdatei nicht gefunden")
        raise ConfigError(path, [problem]) from None
    except OSError as exc:
        problem = Problem(str(shown), 0, f"nicht lesbar: {exc.strerror}")
        raise ConfigError(path, [problem]) from None
    except UnicodeDecodeError:
        raise ConfigError(
            path, [Problem(str(shown), 1, "Die Datei ist nicht in UTF-8 gespeichert.")]
        ) from None
    data, lines, syntax = parse_toml(text)
    if data is None:
        assert syntax is not None
        raise ConfigError(path, [Problem(str(shown), syntax[0], syntax[1])])
    problems = settings_problems(data, lines, str(shown))
    if problems:
        raise ConfigError(path, problems)
    return data


def load_settings(
    config_path: str | os.PathLike | None = None,
    overrides: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Read the config file, apply environment and explicit overrides, resolve paths."""
    path = find_config_path(config_path)
    env = os.environ if environ is None else environ
    raw = deep_merge(DEFAULTS, read_config(path))
    for var, (section, key) in ENV_OVERRIDES.items():
        if env.get(var):
            raw[section][key] = env[var]
    if overrides:
        raw = deep_merge(raw, overrides)

    base = path.parent
    paths = raw["paths"]
    instance = (base / paths["instance"]).resolve()
    return Settings(
        config_path=path,
        base_dir=base,
        raw=raw,
        database_url=resolve_database_url(raw["database"]["url"], base),
        redis_url=raw["queue"]["redis_url"] or "",
        secret_key=raw["server"]["secret_key"] or "",
        forms_dir=(base / paths["forms"]).resolve(),
        workflows_dir=(base / paths["workflows"]).resolve(),
        exports_dir=(base / paths["exports"]).resolve(),
        instance_dir=instance,
    )


def resolve_database_url(url: str, base: Path) -> str:
    """Make a relative SQLite path absolute against the config directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////"):
        rest = url[len(prefix) :]
        if rest and rest != ":memory:" and not Path(rest).is_absolute():
            return prefix + str((base / rest).resolve())
    return url


def ensure_secret_key(settings: Settings) -> str:
    """The configured secret key, else one created once and kept under instance/."""
    return ensure_instance_key(settings, "secret_key", settings.secret_key)


def ensure_instance_key(settings: Settings, name: str, configured: str = "") -> str:
    """``configured`` if set, else a random key created once in ``instance/<name>``."""
    if configured:
        return configured
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    key_file = settings.instance_dir / name
    for _ in range(3):
        try:
            key = key_file.read_text().strip()
        except FileNotFoundError:
            key = ""
        if key:
            return key
        # write the whole key to a private temporary file, then link it into place: the
        # key file appears complete or not at all, and of two processes only one wins
        tmp = key_file.with_name(f"{name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            if key_file.exists() and not key_file.read_text().strip():
                key_file.unlink()  # left empty by a crash of an older version
            os.link(tmp, key_file)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    raise ConfigError(key_file, [Problem(key_file.name, 0, "Schlüssel nicht lesbar")])
