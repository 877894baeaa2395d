"""The defaults of ``config.toml``: every section and key Verbund knows, with its value when
the file does not set it. They are also the whitelist of the file's check
(:mod:`server.config_checks`): a key not here is unknown, a value of another type is wrong."""

from __future__ import annotations

from typing import Any

from .directory_settings import LDAP_DEFAULTS
from .mail_settings import MAIL_DEFAULTS

DEFAULTS: dict[str, Any] = {
    # config_check_seconds: how often a process asks for newly published forms/workflows
    "server": {"name": "Verbund", "language": "de", "secret_key": "", "config_check_seconds": 1},
    # prepared_statements: PostgreSQL keeps the statements sent on every page parsed and
    # planned per connection (server/models/prepared.py); false behind a pooler in
    # transaction mode (PgBouncer), which does not keep them
    "database": {"url": "sqlite:///instance/verbund.db", "prepared_statements": True},
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
        # 0..5: shown counts perturbed by up to ±noise against the differencing attack
        # (services/privacy/noise.py); 0: exact figures
        "noise": 0,
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
