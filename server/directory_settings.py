"""The ``[ldap]`` section of config.toml: directory login (LDAP / Active Directory).

Read here into a frozen :class:`DirectorySettings` and checked by :func:`ldap_problems`, which
the config loader calls, so ``verbund check`` and every start report each mistake as
``config.toml:line: message``. The login itself is :mod:`server.services.accounts.directory`.
The service account's password never stands in config.toml: it comes from the environment
variable ``VERBUND_LDAP_BIND_PASSWORD``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ldap3.core.exceptions import LDAPInvalidFilterError
from ldap3.operation.search import parse_filter
from ldap3.utils.dn import parse_dn

PASSWORD_VARIABLE = "VERBUND_LDAP_BIND_PASSWORD"

# every key of [ldap] and its default; the loader's whitelist (server/config.py DEFAULTS)
LDAP_DEFAULTS: dict[str, Any] = {
    "url": "",  # empty: no directory login
    "bind_dn": "",  # the service account that searches for people
    "bind_password": "",  # only from VERBUND_LDAP_BIND_PASSWORD, never from the file
    "user_base": "",
    "user_filter": "(&(objectClass=person)(uid={username}))",
    "group_base": "",  # empty: the groups are the person's memberOf values
    "group_filter": "(|(member={dn})(uniqueMember={dn}))",
    "disabled_filter": "",  # an entry matching it counts as disabled here
    "name_attribute": "displayName",
    "email_attribute": "mail",
    "start_tls": False,
    "ca_file": "",  # CA certificates for ldaps:// and StartTLS; empty: the system's
    "timeout": 5,  # seconds for connecting and for each answer
    "groups": [],  # [[ldap.groups]]: group, roles, organisation, organisation_label
}

GROUP_KEYS = {"group", "roles", "organisation", "organisation_label"}
ORG_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class GroupMapping:
    """Members of ``group`` (a DN) get ``roles`` and, for the first matching group, the
    organisation ``organisation`` (created with ``organisation_label`` if it is new)."""

    group: str
    roles: tuple[str, ...]
    organisation: str = ""
    organisation_label: str = ""


@dataclass(frozen=True)
class DirectorySettings:
    url: str
    bind_dn: str
    bind_password: str
    user_base: str
    user_filter: str
    group_base: str
    group_filter: str
    disabled_filter: str
    name_attribute: str
    email_attribute: str
    start_tls: bool
    ca_file: str
    timeout: int
    groups: tuple[GroupMapping, ...]

    @property
    def enabled(self) -> bool:
        return bool(self.url)

    @classmethod
    def from_section(cls, section: dict[str, Any]) -> DirectorySettings:
        """From the merged ``[ldap]`` section (defaults, file, environment)."""
        values = {**LDAP_DEFAULTS, **(section or {})}
        groups = tuple(
            GroupMapping(
                group=str(g.get("group", "")),
                roles=tuple(str(r) for r in g.get("roles", [])),
                organisation=str(g.get("organisation", "")),
                organisation_label=str(g.get("organisation_label", "")),
            )
            for g in values["groups"]
            if isinstance(g, dict)
        )
        return cls(
            url=str(values["url"]).strip(),
            bind_dn=str(values["bind_dn"]),
            bind_password=str(values["bind_password"]),
            user_base=str(values["user_base"]),
            user_filter=str(values["user_filter"]),
            group_base=str(values["group_base"]),
            group_filter=str(values["group_filter"]),
            disabled_filter=str(values["disabled_filter"]),
            name_attribute=str(values["name_attribute"]),
            email_attribute=str(values["email_attribute"]),
            start_tls=bool(values["start_tls"]),
            ca_file=str(values["ca_file"]),
            timeout=max(1, int(values["timeout"])),
            groups=groups,
        )


Report = Callable[[tuple, str], None]


def ldap_problems(section: dict[str, Any], known_roles: set[str], report: Report) -> None:
    """Check the ``[ldap]`` table as written in the file; ``report(key path, message)``.

    The key path is relative to ``[ldap]`` so the caller can find its line. Types of the
    simple keys are checked by the loader (the defaults are the whitelist); this checks what
    they mean.
    """
    if "bind_password" in section:
        report(
            ("bind_password",),
            "[ldap] bind_password gehört nicht in config.toml (sie liegt oft in der "
            f"Versionsverwaltung); bitte die Umgebungsvariable {PASSWORD_VARIABLE} setzen",
        )
    url = section.get("url", "")
    if isinstance(url, str) and url and not re.match(r"^ldaps?://[^\s/]+/?$", url.strip()):
        report(
            ("url",),
            "[ldap] url muss wie „ldaps://dc1.stadt.example“ oder „ldap://host:389“ lauten",
        )
    for key in ("bind_dn", "user_base", "group_base"):
        value = section.get(key)
        if isinstance(value, str) and value:
            _check_dn(value, f"[ldap] {key}", (key,), report)
    if isinstance(url, str) and url:
        for key in ("bind_dn", "user_base"):
            if not section.get(key):
                report((key,), f"[ldap] {key} fehlt (nötig, sobald url gesetzt ist)")
    for key, placeholder in (
        ("user_filter", "{username}"),
        ("group_filter", "{dn}"),
        ("disabled_filter", ""),
    ):
        value = section.get(key)
        if isinstance(value, str) and value:
            _check_filter(value, key, placeholder, report)
    timeout = section.get("timeout")
    if isinstance(timeout, int) and not isinstance(timeout, bool) and not 1 <= timeout <= 60:
        report(("timeout",), "[ldap] timeout muss zwischen 1 und 60 Sekunden liegen")
    groups = section.get("groups", [])
    if isinstance(groups, list):
        for index, entry in enumerate(groups):
            _check_group(index, entry, known_roles, report)


def _check_dn(value: str, label: str, at: tuple, report: Report) -> None:
    try:
        parse_dn(value)
    except Exception:  # noqa: BLE001 - ldap3 raises several kinds for a malformed DN
        report(
            at, f"{label}: „{value[:80]}“ ist kein gültiger DN (z. B. „ou=leute,dc=stadt,dc=de“)"
        )


def _check_filter(value: str, key: str, placeholder: str, report: Report) -> None:
    if placeholder and placeholder not in value:
        report((key,), f"[ldap] {key} muss {placeholder} enthalten")
        return
    sample = value.replace("{username}", "x").replace("{dn}", "cn=x")
    try:
        parse_filter(
            sample, None, auto_escape=True, auto_encode=True, validator=None, check_names=False
        )
    except (LDAPInvalidFilterError, Exception):  # noqa: BLE001 - any parse failure
        report((key,), f"[ldap] {key}: „{value[:80]}“ ist kein gültiger LDAP-Filter")


def _check_group(index: int, entry: Any, known_roles: set[str], report: Report) -> None:
    at = ("groups", index)
    name = f"[[ldap.groups]] Nr. {index + 1}"
    if not isinstance(entry, dict):
        report(at, f"{name} muss eine Tabelle sein")
        return
    for key in sorted(set(entry) - GROUP_KEYS):
        known = ", ".join(sorted(GROUP_KEYS))
        report((*at, key), f"{name}: unbekannter Schlüssel „{key}“ (bekannt: {known})")
    group = entry.get("group")
    if not isinstance(group, str) or not group.strip():
        report(at, f"{name}: „group“ (der DN der Gruppe) fehlt")
    else:
        _check_dn(group, f"{name} group", (*at, "group"), report)
    roles = entry.get("roles")
    if not isinstance(roles, list) or not roles:
        report((*at, "roles"), f"{name}: „roles“ muss eine nicht leere Liste von Rollen sein")
    else:
        for j, role in enumerate(roles):
            if not isinstance(role, str) or role not in known_roles:
                report((*at, "roles", j), f"{name}: die Rolle „{role}“ gibt es nicht in [roles]")
    org = entry.get("organisation", "")
    if not isinstance(org, str) or (org and not ORG_CODE.match(org)):
        report(
            (*at, "organisation"),
            f"{name}: „organisation“ ist ein Kurzname aus Kleinbuchstaben, Ziffern, - und _",
        )
    label = entry.get("organisation_label", "")
    if not isinstance(label, str):
        report((*at, "organisation_label"), f"{name}: „organisation_label“ muss ein Text sein")
