"""Importing organisations and people from a table (``verbund import organisations|users``).

Natural keys: an organisation's short name (``Organisation.name``), a person's user name.
A line whose key exists updates it, others create; a line that changes nothing is counted as
unchanged, so importing the same file twice changes nothing the second time. Every line is
checked before anything is written; one bad line and nothing is written at all.

Imported people get no password: they log in through the directory (``[ldap]``), or an
administrator sets one (``verbund user password``). The command line is trusted like
``verbund user grant``: roles, privacy roles included, are given at once, and audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...models import Organisation, User, transaction
from ..accounts.people import (
    ORG_RE,
    USERNAME_RE,
    changed_account_fields,
    end_all_sessions,
    revoke_all_tokens,
)
from ..audit import audit
from .tables import ImportProblems, Row, Table, pick_columns

ORGANISATION_COLUMNS = {
    "name": ("kurzname", "name", "code", "kürzel", "organisation"),
    "label": ("bezeichnung", "label", "langname"),
}
USER_COLUMNS = {
    "username": ("benutzername", "username", "kennung", "login"),
    "name": ("name", "anzeigename", "display_name", "vollständiger name"),
    "email": ("e-mail", "email", "mail"),
    "roles": ("rollen", "roles", "rolle", "role"),
    "organisation": ("organisation", "organization", "org"),
    "active": ("aktiv", "active"),
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
YES = {"ja", "j", "x", "1", "true", "wahr", "yes", "aktiv"}
NO = {"nein", "n", "0", "false", "falsch", "no", "inaktiv", "deaktiviert"}
LIST_SEPARATORS = re.compile(r"[,;|]")


@dataclass
class ImportSummary:
    """What an import did (or, in a dry run, would do)."""

    kind: str
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[str] = field(default_factory=list)  # "Zeile 3: neu „x“", for the dry run

    def text(self) -> str:
        what = "Probelauf, nichts geändert" if self.dry_run else "übernommen"
        return (
            f"{self.kind}: {self.created} neu, {self.updated} geändert, "
            f"{self.unchanged} unverändert ({what})."
        )


def split_list(text: str) -> list[str]:
    """``"a, b; c"`` -> ``["a", "b", "c"]`` (Excel users separate with either)."""
    return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]


def _required(table: Table, columns: dict[str, str], names: tuple[str, ...], known: dict) -> list:
    return [
        table.at(table.header_line, f"Spalte „{known[name][0]}“ fehlt")
        for name in names
        if name not in columns
    ]


def _duplicates(table: Table, keys: dict[int, str], label: str) -> list[str]:
    seen: dict[str, int] = {}
    problems = []
    for line, key in keys.items():
        if key in seen:
            problems.append(table.at(line, f"{label} „{key}“ steht schon in Zeile {seen[key]}"))
        else:
            seen.setdefault(key, line)
    return problems


def import_organisations(table: Table, dry_run: bool, actor: User | None) -> ImportSummary:
    """Create or update organisations (short name, label); all lines or none."""
    columns, problems = pick_columns(table, ORGANISATION_COLUMNS)
    problems += _required(table, columns, ("name",), ORGANISATION_COLUMNS)
    if problems:
        raise ImportProblems(problems)
    plans: list[tuple[Row, str, str]] = []
    keys = {}
    for row in table.rows:
        name = row.values[columns["name"]].lower()
        label = row.values.get(columns.get("label", ""), "")
        if not ORG_RE.match(name):
            problems.append(
                table.at(
                    row.line,
                    f"Kurzname „{name[:64]}“: Kleinbuchstaben, Ziffern, - und _ "
                    "(höchstens 64 Zeichen, beginnend mit Buchstabe oder Ziffer)",
                )
            )
        if len(label) > 200:
            problems.append(table.at(row.line, "Bezeichnung: höchstens 200 Zeichen"))
        keys[row.line] = name
        plans.append((row, name, label))
    problems += _duplicates(table, keys, "Kurzname")
    if problems:
        raise ImportProblems(problems)
    summary = ImportSummary("Organisationen", dry_run)
    with transaction():
        for row, name, label in plans:
            org = Organisation.get_or_none(Organisation.name == name)
            if org is None:
                summary.created += 1
                summary.changes.append(f"Zeile {row.line}: neu „{name}“")
                if not dry_run:
                    Organisation.create(name=name, label=label or name)
            elif label and org.label != label:
                summary.updated += 1
                summary.changes.append(f"Zeile {row.line}: „{name}“ neue Bezeichnung")
                if not dry_run:
                    Organisation.update(label=label).where(Organisation.id == org.id).execute()
            else:
                summary.unchanged += 1
        if not dry_run and (summary.created or summary.updated):
            _audit_import("organisations", table, summary, actor)
    return summary


def import_users(
    table: Table, dry_run: bool, actor: User | None, roles: dict[str, str]
) -> ImportSummary:
    """Create or update people (``roles``: role id -> label of the configuration)."""
    columns, problems = pick_columns(table, USER_COLUMNS)
    problems += _required(table, columns, ("username", "roles", "organisation"), USER_COLUMNS)
    if problems:
        raise ImportProblems(problems)
    by_label = {label.lower(): role for role, label in roles.items()}
    by_id = {role.lower(): role for role in roles}
    organisations = {o.name: o.id for o in Organisation.select(Organisation.id, Organisation.name)}
    plans, keys = [], {}
    for row in table.rows:
        plan, row_problems = _user_plan(table, row, columns, by_id, by_label, organisations)
        problems += row_problems
        keys[row.line] = plan["username"]
        plans.append((row, plan))
    problems += _duplicates(table, keys, "Benutzername")
    if not problems:
        problems += _keeps_an_admin(table, plans)
    if problems:
        raise ImportProblems(problems)
    summary = ImportSummary("Personen", dry_run)
    with transaction():
        for row, plan in plans:
            _apply_user(row, plan, summary, dry_run, actor)
        if not dry_run and (summary.created or summary.updated):
            _audit_import("users", table, summary, actor)
    return summary


def _user_plan(
    table: Table,
    row: Row,
    columns: dict[str, str],
    by_id: dict[str, str],
    by_label: dict[str, str],
    organisations: dict[str, int],
) -> tuple[dict[str, Any], list[str]]:
    def cell(name: str) -> str:
        return row.values.get(columns.get(name, ""), "")

    problems = []
    username = cell("username").lower()
    if not USERNAME_RE.match(username):
        problems.append(
            table.at(
                row.line,
                f"Benutzername „{username[:64]}“: 2–64 Zeichen, Kleinbuchstaben, Ziffern, . _ -",
            )
        )
    plan: dict[str, Any] = {"username": username}
    if "name" in columns:
        plan["display_name"] = cell("name") or username
        if len(cell("name")) > 200:
            problems.append(table.at(row.line, "Name: höchstens 200 Zeichen"))
    if "email" in columns:
        plan["email"] = cell("email")
        if cell("email") and (len(cell("email")) > 254 or not EMAIL.match(cell("email"))):
            problems.append(table.at(row.line, f"E-Mail „{cell('email')[:80]}“ ist ungültig"))
    wanted = []
    for item in split_list(cell("roles")):
        role = by_id.get(item.lower()) or by_label.get(item.lower())
        if role is None:
            known = ", ".join(sorted(by_id.values()))
            problems.append(
                table.at(row.line, f"unbekannte Rolle „{item[:64]}“ (bekannt: {known})")
            )
        elif role not in wanted:
            wanted.append(role)
    if not split_list(cell("roles")):
        problems.append(table.at(row.line, "Rollen fehlen (mindestens eine)"))
    plan["roles"] = wanted
    org = cell("organisation").lower()
    if org not in organisations:
        problems.append(
            table.at(
                row.line,
                f"Organisation „{org[:64]}“ gibt es nicht (zuerst „verbund import "
                "organisations“ oder in der Verwaltung anlegen)"
                if org
                else "Organisation fehlt",
            )
        )
    plan["organisation"] = organisations.get(org)
    if "active" in columns:
        flag = cell("active").lower()
        if flag and flag not in YES | NO:
            problems.append(table.at(row.line, f"Aktiv: „{flag[:20]}“ – bitte ja oder nein"))
        plan["active"] = flag not in NO
    return plan, problems


def _keeps_an_admin(table: Table, plans: list[tuple[Row, dict]]) -> list[str]:
    """Nobody locks the installation out of its own administration by an import."""
    named = {plan["username"]: plan for _, plan in plans}
    active = list(User.select().where(User.active == True))  # noqa: E712 - peewee
    if not any("admin" in (u.roles or []) for u in active):
        return []  # nobody to lock out (a fresh installation)
    after = sum(1 for u in active if u.username not in named and "admin" in (u.roles or []))
    after += sum(1 for p in named.values() if p.get("active", True) and "admin" in p["roles"])
    # a named, existing admin keeps "active" unless the file says otherwise
    if after == 0:
        return [f"{table.shown}: nach dem Import hätte niemand mehr die Rolle „admin“"]
    return []


def _apply_user(
    row: Row, plan: dict[str, Any], summary: ImportSummary, dry_run: bool, actor: User | None
) -> None:
    username = plan["username"]
    user = User.get_or_none(User.username == username)
    wanted = {k: v for k, v in plan.items() if k != "username"}
    if user is None:
        summary.created += 1
        summary.changes.append(f"Zeile {row.line}: neu „{username}“")
        if dry_run:
            return
        created = User.create(
            username=username,
            password_hash="",  # no local password: the directory, or `verbund user password`
            **{"display_name": username, **wanted},
        )
        audit(
            "user.import_create",
            actor,
            object_type="user",
            object_id=created.id,
            detail={"username": username, "roles": plan["roles"]},
        )
        return
    changed = changed_account_fields(user, wanted)
    if not changed:
        summary.unchanged += 1
        return
    summary.updated += 1
    summary.changes.append(f"Zeile {row.line}: „{username}“ ändert {', '.join(changed)}")
    if dry_run:
        return
    User.update(**wanted).where(User.id == user.id).execute()
    detail: dict[str, Any] = {"username": username, "changed": changed}
    if "roles" in changed:
        detail["roles"] = plan["roles"]
    if user.active and wanted.get("active") is False:
        detail["sessions_ended"] = end_all_sessions(user)
        detail["tokens_revoked"] = revoke_all_tokens(user)
    audit("user.import_update", actor, object_type="user", object_id=user.id, detail=detail)


def _audit_import(kind: str, table: Table, summary: ImportSummary, actor: User | None) -> None:
    audit(
        f"import.{kind}",
        actor,
        object_type="import",
        object_id=kind,
        detail={
            "file": table.shown.rsplit("/", 1)[-1][:200],
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
        },
    )
