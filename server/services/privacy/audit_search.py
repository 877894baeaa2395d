"""Searching the audit log (for administrators and the data-protection officer).

Read-only by construction: this module only selects. Filters: person, organisation, action
(``record`` finds every ``record.*``), record number, address, and a period of Berlin days.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from ... import clock
from ...german import local_time, parse_day
from ...models import AuditEntry

PAGE = 100
FILTERS = ("user", "organisation", "action", "record", "address", "from", "to")


@dataclass
class AuditQuery:
    values: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    query: Any = None


def build_query(args: Any) -> AuditQuery:
    """The entries matching the request arguments, newest first; problems in German."""
    values = {k: (args.get(k) or "").strip()[:64] for k in FILTERS}
    problems = []
    query = AuditEntry.select()
    if values["user"]:
        query = query.where(AuditEntry.username == values["user"].lower())
    if values["organisation"]:
        query = query.where(AuditEntry.organisation == values["organisation"].lower())
    if values["action"]:
        action = values["action"]
        query = query.where(
            (AuditEntry.action == action) | AuditEntry.action.startswith(action + ".")
        )
    if values["record"]:
        if values["record"].isdigit() and len(values["record"]) < 12:
            query = query.where(AuditEntry.record_id == int(values["record"]))
        else:
            problems.append("Datensatz: bitte eine Nummer angeben.")
    if values["address"]:
        query = query.where(AuditEntry.remote_addr == values["address"])
    for key, label in (("from", "von"), ("to", "bis")):
        if not values[key]:
            continue
        day = parse_day(values[key])
        if day is None:
            problems.append(f"Datum „{label}“: bitte als TT.MM.JJJJ angeben.")
        elif key == "from":
            query = query.where(AuditEntry.at >= clock.start_of_day(day))
        else:
            query = query.where(AuditEntry.at < clock.start_of_day(day + dt.timedelta(days=1)))
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    return AuditQuery(values, problems, query)


def local(moment: dt.datetime) -> str:
    """A naive UTC timestamp of the audit log as Berlin time, to the second."""
    return local_time(moment, seconds=True)


def entries_csv(query, limit: int = 100_000) -> tuple[str, int]:
    """Matching entries as CSV (semicolons); the details as JSON text."""
    import json

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        ["Zeit", "Person", "Organisation", "Aktion", "Objekt", "Datensatz", "Adresse", "Details"]
    )
    count = 0
    for e in query.limit(limit):
        writer.writerow(
            [
                local(e.at),
                e.username,
                e.organisation,
                e.action,
                f"{e.object_type} {e.object_id}".strip(),
                e.record_id or "",
                e.remote_addr,
                json.dumps(e.detail or {}, ensure_ascii=False),
            ]
        )
        count += 1
    return out.getvalue(), count
