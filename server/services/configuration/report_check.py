"""``verbund check`` for ``[[reports]]``: workflows, fields, dimensions, events and roles
against the definitions and the privacy settings. The entries' own shape is checked in
:mod:`server.report_settings` (when config.toml is read)."""

from __future__ import annotations

from typing import Any

from ...report_settings import read_reports
from ...schema.definitions import Problem
from ...schema.toml_lines import parse_toml
from ..privacy.statistics import dimension_keys

# every measure is counted twice (period and the one before) on the page and in the file,
# durations read the transition log: a report of a few dozen would take minutes at 100,000
# records (docs/architecture.md, "Berichte: Betrieb")
MAX_MEASURES = 20


def _field(defs: Any, workflow: Any, key: str) -> Any:
    form_id, _, name = key.partition(".")
    form = defs.forms.get(form_id) if form_id in workflow.form_ids else None
    return form.field(name) if form is not None and name else None


def _personal(defs: Any, workflow: Any, key: str) -> bool:
    """``key`` names a personal field or column of the workflow's forms."""
    parts = key.split(".")
    found = _field(defs, workflow, ".".join(parts[:2])) if len(parts) >= 2 else None
    if found is None:
        return False
    if len(parts) == 3 and found.type == "table":
        column = next((c for c in found.columns if c.name == parts[2]), None)
        return bool(column is not None and column.personal)
    return bool(found.personal)


def _event_problem(defs: Any, workflow: Any, event: str) -> str | None:
    if event in ("created", "final"):
        return None
    if event.startswith("state:"):
        if event[6:] not in {s.id for s in workflow.states}:
            return f"der Ablauf „{workflow.id}“ hat keinen Zustand „{event[6:]}“"
        return None
    found = _field(defs, workflow, event)
    if found is None or found.type != "date":
        return (
            f"„{event}“ ist kein Ereignis: created, final, state:<zustand> oder ein "
            "Datumsfeld <formular>.<feld> des Ablaufs"
        )
    return None


def _barrier_problems(defs: Any, report: Any, add: Any) -> None:
    """``barriers`` / ``barriers_by``: a workflow and one of its non-personal dimensions."""
    if not report.barriers and not report.barriers_by:
        return
    if not (report.barriers and report.barriers_by):
        add((), "„barriers“ und „barriers_by“ gehören zusammen")
        return
    workflow = defs.workflows.get(report.barriers)
    if workflow is None:
        add(("barriers",), f"den Ablauf „{report.barriers}“ gibt es nicht")
    elif _personal(defs, workflow, report.barriers_by):
        add(("barriers_by",), f"„{report.barriers_by}“ ist personenbezogen")
    elif report.barriers_by not in dimension_keys(defs, workflow):
        add(("barriers_by",), f"„{report.barriers_by}“ ist kein Merkmal dieses Ablaufs")


def report_check(defs: Any, settings: Any) -> list[Problem]:
    """``[[reports]]`` against forms, workflows and ``[privacy] statistics_roles``."""
    reports = read_reports(settings.raw.get("reports") or [])
    if not reports:
        return []
    path = settings.relative(settings.config_path)
    try:
        _, lines, _ = parse_toml(settings.config_path.read_text(encoding="utf-8"))
    except OSError:
        lines = None
    statistics_roles = set(settings.section("privacy").get("statistics_roles") or [])
    problems: list[Problem] = []
    for report in reports:

        def add(at: tuple, message: str, report=report) -> None:
            line = lines.line("reports", report.index, *at) if lines is not None else 0
            problems.append(Problem(path, line, f"[[reports]] „{report.id}“: {message}"))

        for role in report.roles:
            if role not in statistics_roles:
                add(("roles",), f"die Rolle „{role}“ steht nicht in [privacy] statistics_roles")
        workflow = defs.workflows.get(report.workflow)
        if workflow is None:
            add(("workflow",), f"den Ablauf „{report.workflow}“ gibt es nicht")
            continue
        if report.date != "created":
            found = _field(defs, workflow, report.date)
            if found is None or found.type != "date":
                add(("date",), f"„{report.date}“ ist kein Datumsfeld eines Formulars des Ablaufs")
        _barrier_problems(defs, report, add)
        if len(report.measures) > MAX_MEASURES:
            add(
                ("measures", MAX_MEASURES),
                f"höchstens {MAX_MEASURES} Kennzahlen je Bericht, hier "
                f"{len(report.measures)}: bitte auf mehrere Berichte verteilen",
            )
        keys = dimension_keys(defs, workflow)  # key -> (field type, table or None)
        for j, m in enumerate(report.measures):
            at = ("measures", j)
            for name in ("rows", "columns", "where"):
                key = getattr(m, name)
                if not key:
                    continue
                if _personal(defs, workflow, key):
                    add((*at, name), f"„{key}“ ist personenbezogen und kein Merkmal der Statistik")
                elif key not in keys:
                    add((*at, name), f"„{key}“ ist kein Merkmal der Statistik dieses Ablaufs")
                elif name == "where" and keys[key][0] != "boolean":
                    add((*at, name), f"„{key}“ ist kein Ja/Nein-Merkmal dieses Ablaufs")
                elif m.kind == "duration" and keys[key][1] is not None:
                    add(
                        (*at, name), "eine Dauer zählt Datensätze: keine Tabellenspalte als Merkmal"
                    )
            if m.kind == "count":
                tables = {keys[k][1] for k in (m.rows, m.columns, m.where) if k in keys} - {None}
                if len(tables) > 1:
                    add(at, "Spalten aus verschiedenen Tabellen lassen sich nicht kreuzen")
            for name, event in (("from", m.start), ("to", m.end)):
                problem = _event_problem(defs, workflow, event) if event else None
                if problem:
                    add((*at, name), problem)
    return problems
