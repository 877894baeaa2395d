"""Declared reports: ``[[reports]]`` of config.toml, what they may say, their shape.

A report is a set of figures about one workflow for a period, declared by the office, not
coded (issue 17)::

    [[reports]]
    id = "lenkungskreis"                 # its address: /statistik/bericht/lenkungskreis
    title = "KIM: Bericht an den Lenkungskreis"
    workflow = "case_management"
    period = "quarter"                   # shown first: the last complete quarter
    roles = ["coordination"]             # who may open it (all in [privacy] statistics_roles)

    [[reports.measures]]
    kind = "count"                       # count | duration | phases
    title = "Neue Fälle nach Phase"
    rows = "state"                       # a dimension of the statistics; columns, where too

    [[reports.measures]]
    kind = "duration"
    title = "Erstkontakt bis Aufnahme"
    from = "created"                     # an event (services/privacy/durations.py)
    to = "state:assessment"

Like ``[[start]]``, two levels: :func:`report_problems` needs only the entry (shape, types,
keys); :func:`server.services.configuration.report_check.report_check` checks workflows,
fields, dimensions and roles against the definitions for ``verbund check``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

KINDS = {
    "count": "Anzahl (nach rows, columns; where)",
    "duration": "Dauer von einem Ereignis (from) bis zu einem anderen (to)",
    "phases": "Zeit in jeder Phase",
}
PERIODS = ("quarter", "year", "current_quarter", "current_year", "all")

REPORT_KEYS: dict[str, tuple[type, str]] = {
    "id": (str, "ein Text (Buchstaben, Ziffern, - und _)"),
    "title": (str, "ein Text"),
    "description": (str, "ein Text"),
    "workflow": (str, "ein Text (Ablauf-Id)"),
    "period": (str, f"einer von {', '.join(PERIODS)}"),
    "date": (str, "„created“ oder <formular>.<datumsfeld>"),
    "roles": (list, "eine Liste von Rollen"),
    "measures": (list, "eine Liste [[reports.measures]]"),
    # the Word/Excel report: open records of another workflow counted by one dimension
    "barriers": (str, "ein Text (Ablauf-Id der Barrieren)"),
    "barriers_by": (str, "ein Text (Merkmal der Statistik dieses Ablaufs)"),
    # the Word file on the office's letterhead: a template (.docx) with a cover page
    "template": (str, "ein Vorlagenname (.docx)"),
}
MEASURE_KEYS: dict[str, tuple[type, str]] = {
    "kind": (str, f"eines von {', '.join(KINDS)}"),
    "title": (str, "ein Text"),
    "rows": (str, "ein Text (Merkmal der Statistik)"),
    "columns": (str, "ein Text (Merkmal der Statistik)"),
    "where": (str, "ein Text (Ja/Nein-Merkmal der Statistik)"),
    "from": (str, "ein Ereignis"),
    "to": (str, "ein Ereignis"),
}
NEEDED = {"count": ("rows",), "duration": ("from", "to"), "phases": ()}
ALLOWED = {
    "count": ("kind", "title", "rows", "columns", "where"),
    "duration": ("kind", "title", "rows", "from", "to"),
    "phases": ("kind", "title"),
}
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# a template's name as the template store accepts it (documents/store.py NAME_RE)
_TEMPLATE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,150}\.docx$")


@dataclass(frozen=True)
class Measure:
    kind: str
    title: str
    rows: str = ""
    columns: str = ""
    where: str = ""
    start: str = ""  # the event "from"
    end: str = ""  # the event "to"


@dataclass(frozen=True)
class Report:
    index: int
    id: str
    title: str
    workflow: str
    measures: tuple[Measure, ...]
    description: str = ""
    period: str = "quarter"
    date: str = "created"
    roles: tuple[str, ...] = ()  # empty: everyone in [privacy] statistics_roles
    barriers: str = ""  # a workflow whose open records the document counts (issue 17)
    barriers_by: str = ""  # ... by this dimension
    template: str = ""  # a Word template: letterhead and cover of the Word file


def _typed(item: Any, keys: dict, where: tuple) -> list[tuple[tuple, str]]:
    out = []
    for key, value in item.items():
        if key not in keys:
            out.append(
                (where + (key,), f"unbekannter Schlüssel „{key}“ (bekannt: {', '.join(keys)})")
            )
        elif type(value) is not keys[key][0]:
            out.append((where + (key,), f"„{key}“ muss {keys[key][1]} sein"))
    return out


def report_problems(entries: Any) -> list[tuple[tuple, str]]:
    """What is wrong with the ``[[reports]]`` entries on their own: (key path, message)."""
    if not isinstance(entries, list):
        return [(("reports",), "„reports“ muss eine Liste [[reports]] sein")]
    problems: list[tuple[tuple, str]] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        at = ("reports", i)
        if not isinstance(entry, dict):
            problems.append((at, "jeder Eintrag [[reports]] muss eine Tabelle sein"))
            continue
        problems += _typed(entry, REPORT_KEYS, at)
        for key in ("id", "title", "workflow", "measures"):
            if key not in entry:
                problems.append((at, f"„{key}“ fehlt"))
        ident = entry.get("id")
        if isinstance(ident, str) and not _ID.match(ident):
            problems.append((at + ("id",), "„id“: nur Buchstaben, Ziffern, - und _"))
        elif isinstance(ident, str) and ident in seen:
            problems.append((at + ("id",), f"die id „{ident}“ gibt es schon"))
        seen.add(ident) if isinstance(ident, str) else None
        if isinstance(entry.get("period"), str) and entry["period"] not in PERIODS:
            problems.append(
                (at + ("period",), f"„period“ muss einer von {', '.join(PERIODS)} sein")
            )
        template = entry.get("template")
        if isinstance(template, str) and not _TEMPLATE.match(template):
            problems.append(
                (at + ("template",), "„template“: ein Vorlagenname auf .docx, z. B. bericht.docx")
            )
        measures = entry.get("measures")
        if isinstance(measures, list) and not measures:
            problems.append((at + ("measures",), "der Bericht braucht mindestens eine Kennzahl"))
        for j, m in enumerate(measures if isinstance(measures, list) else []):
            where = at + ("measures", j)
            if not isinstance(m, dict):
                problems.append((where, "jede Kennzahl muss eine Tabelle sein"))
                continue
            problems += _typed(m, MEASURE_KEYS, where)
            kind = m.get("kind")
            if kind not in KINDS:
                problems.append(
                    (where + ("kind",), f"„kind“ muss eines von {', '.join(KINDS)} sein")
                )
                continue
            for key in NEEDED[kind]:
                if key not in m:
                    problems.append((where, f"eine Kennzahl „{kind}“ braucht „{key}“"))
            for key in m:
                if key in MEASURE_KEYS and key not in ALLOWED[kind]:
                    problems.append((where + (key,), f"„{key}“ gilt nicht für „{kind}“"))
            if "title" not in m:
                problems.append((where, "„title“ fehlt"))
    return problems


def read_reports(entries: Any) -> list[Report]:
    """The valid entries as :class:`Report` (invalid ones are skipped: ``verbund check`` and
    loading config.toml name them)."""
    if not isinstance(entries, list):
        return []
    bad = {path[1] for path, _ in report_problems(entries) if len(path) > 1}
    out = []
    for i, e in enumerate(entries):
        if i in bad or not isinstance(e, dict):
            continue
        measures = tuple(
            Measure(
                kind=m["kind"],
                title=m["title"],
                rows=m.get("rows", ""),
                columns=m.get("columns", ""),
                where=m.get("where", ""),
                start=m.get("from", ""),
                end=m.get("to", ""),
            )
            for m in e["measures"]
        )
        out.append(
            Report(
                index=i,
                id=e["id"],
                title=e["title"],
                workflow=e["workflow"],
                measures=measures,
                description=e.get("description", ""),
                period=e.get("period", "quarter"),
                date=e.get("date", "created"),
                roles=tuple(e.get("roles", ())),
                barriers=e.get("barriers", ""),
                barriers_by=e.get("barriers_by", ""),
                template=e.get("template", ""),
            )
        )
    return out
