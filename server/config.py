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

from .directory_settings import LDAP_DEFAULTS, ldap_problems
from .mail_settings import MAIL_DEFAULTS, mail_problems
from .report_settings import report_problems
from .schema.definitions import Problem
from .schema.toml_lines import parse_toml
from .start_page import entry_problems

DEFAULTS: dict[str, Any] = {
    # config_check_seconds: how often a process asks for newly published forms/workflows
    "server": {"name": "Verbund", "language": "de", "secret_key": "", "config_check_seconds": 1},
    "database": {"url": "sqlite:///instance/verbund.db"},
    "queue": {
        "redis_url": "",
        "job_timeout": 120,
        "queue_name": "verbund",
        "worker_class": "simple",
        "sweep_interval": 60,  # seconds between sweeps for pending documents
        "stale_after": 30,  # seconds past job_timeout after which a started job is dead
        # the background fill of a new statistics dimension: records per transaction, and
        # seconds per job before it hands over to its continuation (at most 80 % of
        # job_timeout)
        "dimension_fill_batch": 200,
        "dimension_fill_seconds": 60,
    },
    "paths": {
        "forms": "forms",
        "workflows": "workflows",
        "exports": "exports",
        "instance": "instance",
        "demo": "demo",  # what ``verbund init --demo`` loads (docs/configuration.md)
    },
    "uploads": {"max_bytes": 10 * 1024 * 1024},
    # hard limits of Word templates: at upload (the .docx and what it unpacks to) and when a
    # document is rendered (in a child process; server/documents/sandbox_process.py)
    "documents": {
        "template_max_bytes": 5 * 1024 * 1024,
        "template_max_unpacked": 30 * 1024 * 1024,  # all parts of the .docx, unpacked
        "template_max_ratio": 100,  # unpacked / packed size, over all parts
        "render_seconds": 60,  # at most 90 % of [queue] job_timeout
        "render_memory_mb": 1024,  # address space of the render process
        "output_max_bytes": 50 * 1024 * 1024,  # rendered XML and the .docx
        "pdf_seconds": 90,  # LibreOffice's PDF/A conversion (within what the job has left)
        "report_file_days": 30,  # Lenkungskreis report files are deleted after this; 0: kept
    },
    # the decision and measure register (empty workflow: none); see docs/configuration.md
    "register": {
        "title": "",
        "workflow": "",
        "table": "",
        "date": "",
        "group": "",
        "status_roles": [],
        "template": "",
    },
    # login sessions: ended after ``idle_minutes`` without a request, and ``lifetime_hours``
    # after the login at the latest
    "sessions": {"idle_minutes": 30, "lifetime_hours": 10},
    "security": {
        "trust_proxy": False,  # honour X-Forwarded-For/-Proto of one reverse proxy
        "hsts_seconds": 31536000,
        "second_factor_roles": [],  # roles that must log in with a TOTP code
        "login_failures_per_account": 5,
        "login_failures_per_address": 50,
        "login_block_minutes": 15,
    },
    "privacy": {
        "audit_roles": ["admin", "dpo"],  # search the audit log
        "subject_access_roles": ["dpo"],  # Art. 15 exports across every record
        "hold_roles": ["dpo"],  # legal holds and anonymising on request
        "statistics_roles": ["coordination", "dpo"],
        "min_cell": 5,  # counts below this are shown as "< 5"
        "pseudonym_key": "",  # empty: created once under instance/
        "audit_retention_days": 0,  # 0: audit entries are kept for ever
    },
    # the accessibility statement /barrierefreiheit (BITV 2.0 § 7): whom to tell about a
    # barrier, when the statement was last reviewed, the enforcement body (docs/configuration.md)
    "accessibility": {"contact": "", "reviewed": "", "enforcement": ""},
    # GET /metrics: addresses or networks that may read it, and/or a bearer token
    "metrics": {"allow": ["127.0.0.1", "::1"], "token": ""},
    # e-mail of notifications over SMTP (server/mail_settings.py)
    "mail": MAIL_DEFAULTS,
    # directory login (LDAP / Active Directory); empty url: none (server/directory_settings.py)
    "ldap": LDAP_DEFAULTS,
    "roles": {},
    # the start page per role: [[start]] entries (server/start_page.py, docs/configuration.md)
    "start": [],
    # declared reports for a period: [[reports]] entries (server/report_settings.py)
    "reports": [],
}

# environment variable -> (section, key)
ENV_OVERRIDES = {
    "VERBUND_DATABASE_URL": ("database", "url"),
    "VERBUND_REDIS_URL": ("queue", "redis_url"),
    "VERBUND_SECRET_KEY": ("server", "secret_key"),
    "VERBUND_PSEUDONYM_KEY": ("privacy", "pseudonym_key"),
    "VERBUND_METRICS_TOKEN": ("metrics", "token"),
    "VERBUND_LDAP_BIND_PASSWORD": ("ldap", "bind_password"),
    "VERBUND_MAIL_PASSWORD": ("mail", "password"),
}


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


def settings_problems(data: dict[str, Any], lines: Any, shown: str) -> list[Problem]:
    """Unknown sections or keys and values of the wrong type (the defaults are the whitelist).

    ``[roles.*]`` tables are checked by the schema loader, which knows what roles mean.
    """
    problems = []
    for section, value in data.items():
        if section not in DEFAULTS:
            known = ", ".join(f"[{k}]" for k in DEFAULTS)
            problems.append(
                Problem(
                    shown,
                    lines.line(section),
                    f"unbekannter Abschnitt [{section}] (bekannt: {known})",
                )
            )
            continue
        if section == "start":
            problems += _start_problems(data, lines, shown, value)
            continue
        if section == "reports":
            problems += [
                Problem(
                    shown,
                    lines.line(*at),
                    f"[[reports]] Nr. {at[1] + 1 if len(at) > 1 else 1}: {m}",
                )
                for at, m in report_problems(value)
            ]
            continue
        if not isinstance(value, dict):
            problems.append(
                Problem(
                    shown, lines.line(section), f"„{section}“ muss ein Abschnitt [{section}] sein"
                )
            )
            continue
        if section == "roles":
            continue
        if section == "ldap":
            problems += _ldap_problems(data, lines, shown, value)
        if section == "mail":
            problems += [
                Problem(shown, lines.line("mail", *at), m) for at, m in mail_problems(value)
            ]
        for key, item in value.items():
            expected = DEFAULTS[section].get(key)
            if key not in DEFAULTS[section]:
                known = ", ".join(DEFAULTS[section])
                problems.append(
                    Problem(
                        shown,
                        lines.line(section, key),
                        f"[{section}]: unbekannter Schlüssel „{key}“ (bekannt: {known})",
                    )
                )
            elif type(item) is not type(expected):
                kind = {
                    str: "ein Text",
                    int: "eine ganze Zahl",
                    bool: "wahr oder falsch",
                    list: "eine Liste",
                }
                problems.append(
                    Problem(
                        shown,
                        lines.line(section, key),
                        f"[{section}] {key} muss {kind[type(expected)]} sein",
                    )
                )
            elif isinstance(item, int) and not isinstance(item, bool) and item < 0:
                problems.append(
                    Problem(
                        shown,
                        lines.line(section, key),
                        f"[{section}] {key} darf nicht negativ sein",
                    )
                )
            elif section == "metrics" and key == "allow":
                problems += _address_problems(lines, shown, item)
            elif isinstance(item, list) and section not in ("register", "ldap"):
                # [register] is checked against the definitions by `verbund check`
                # (services/register_config.py), together with its other keys
                problems += _role_list_problems(data, lines, shown, section, key, item)
    return problems


def _start_problems(data: dict[str, Any], lines: Any, shown: str, entries: Any) -> list[Problem]:
    """``[[start]]``: a list of tables, each checked by :func:`server.start_page.entry_problems`."""
    if not isinstance(entries, list):
        return [Problem(shown, lines.line("start"), "„start“ muss eine Liste [[start]] sein")]
    known = data.get("roles") if isinstance(data.get("roles"), dict) else {}
    problems = []
    for index, entry in enumerate(entries):
        for key, message in entry_problems(entry, set(known)):
            at = ("start", index) + ((key,) if key else ())
            problems.append(
                Problem(shown, lines.line(*at), f"[[start]] Nr. {index + 1}: {message}")
            )
    return problems


def _ldap_problems(data: dict[str, Any], lines: Any, shown: str, section: dict) -> list[Problem]:
    """``[ldap]``: what the keys mean (server/directory_settings.py); types are checked below."""
    known = data.get("roles") if isinstance(data.get("roles"), dict) else {}
    problems: list[Problem] = []

    def report(at: tuple, message: str) -> None:
        problems.append(Problem(shown, lines.line("ldap", *at), message))

    ldap_problems(section, set(known), report)
    return problems


def _address_problems(lines: Any, shown: str, items: list) -> list[Problem]:
    """``[metrics] allow``: each entry an IP address or network (``10.0.0.0/8``)."""
    import ipaddress

    problems = []
    for index, item in enumerate(items):
        try:
            ipaddress.ip_network(str(item), strict=False)
        except ValueError:
            message = f"[metrics] allow: „{str(item)[:60]}“ ist keine IP-Adresse oder kein Netz"
            problems.append(Problem(shown, lines.line("metrics", "allow", index), message))
    return problems


def _role_list_problems(
    data: dict[str, Any], lines: Any, shown: str, section: str, key: str, items: list
) -> list[Problem]:
    """A list of role ids must name roles of ``[roles]``."""
    known = data.get("roles") if isinstance(data.get("roles"), dict) else {}
    problems = []
    for index, item in enumerate(items):
        if not isinstance(item, str):
            message = f"[{section}] {key}: jeder Eintrag muss ein Rollenname sein"
        elif item not in known:
            message = f"[{section}] {key}: die Rolle „{item}“ gibt es nicht in [roles]"
        else:
            continue
        problems.append(Problem(shown, lines.line(section, key, index), message))
    return problems


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
