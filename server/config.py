"""Loading ``config.toml``: defaults, the file, ``VERBUND_*`` environment overrides, overrides.

The result is one frozen :class:`Settings` value. Nothing reads settings at import time; the
app factory, the CLI and the worker each load them once and pass them on.
"""

from __future__ import annotations

import copy
import os
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "server": {"name": "Verbund", "language": "de", "secret_key": ""},
    "database": {"url": "sqlite:///instance/verbund.db"},
    "queue": {"redis_url": "", "job_timeout": 120, "queue_name": "verbund"},
    "paths": {
        "forms": "forms",
        "workflows": "workflows",
        "exports": "exports",
        "instance": "instance",
    },
    "uploads": {"max_bytes": 10 * 1024 * 1024},
    "roles": {},
}

# environment variable -> (section, key)
ENV_OVERRIDES = {
    "VERBUND_DATABASE_URL": ("database", "url"),
    "VERBUND_REDIS_URL": ("queue", "redis_url"),
    "VERBUND_SECRET_KEY": ("server", "secret_key"),
}


class ConfigError(Exception):
    """config.toml cannot be read; the message is meant for the person running Verbund."""


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


def load_settings(
    config_path: str | os.PathLike | None = None,
    overrides: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Read the config file, apply environment and explicit overrides, resolve paths."""
    path = find_config_path(config_path)
    env = os.environ if environ is None else environ
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: Konfigurationsdatei nicht gefunden") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    raw = deep_merge(DEFAULTS, data)
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
    if settings.secret_key:
        return settings.secret_key
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    key_file = settings.instance_dir / "secret_key"
    if not key_file.exists():
        # O_EXCL: two processes starting at once must agree on one key
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        except FileExistsError:
            pass
    return key_file.read_text().strip()
