"""``verbund check`` for ``[[start]]``: the entries against forms, workflows, the register
and the privacy settings. The entries' own shape is checked in :mod:`server.start_page`."""

from __future__ import annotations

from typing import Any

from ...schema.definitions import Problem
from ...schema.toml_lines import parse_toml
from ...start_page import Widget, read_widgets
from ..privacy.statistics import dimension_keys
from ..register.settings import register_config, register_workflow


def start_problems(defs: Any, settings: Any) -> list[Any]:
    """``[[start]]`` against forms, workflows, the register and the privacy settings."""
    entries = settings.raw.get("start") or []
    if not entries:
        return []
    path = settings.relative(settings.config_path)
    try:
        _, lines, _ = parse_toml(settings.config_path.read_text(encoding="utf-8"))
    except OSError:
        lines = None
    problems: list[Problem] = []
    statistics_roles = set(settings.section("privacy").get("statistics_roles") or [])
    for widget in read_widgets(entries):

        def add(key: str | None, message: str, widget: Widget = widget) -> None:
            at = ("start", widget.index) + ((key,) if key else ())
            line = lines.line(*at) if lines is not None else 0
            problems.append(Problem(path, line, f"[[start]] „{widget.widget}“: {message}"))

        workflow = defs.workflows.get(widget.workflow) if widget.workflow else None
        if widget.workflow and workflow is None:
            add("workflow", f"den Ablauf „{widget.workflow}“ gibt es nicht")
        if workflow is not None:
            known = {s.id for s in workflow.states}
            for state in widget.states:
                if state not in known:
                    add("states", f"der Ablauf „{workflow.id}“ hat keinen Zustand „{state}“")
        if widget.widget == "upcoming" and workflow is not None:
            form_id, _, name = widget.date.partition(".")
            form = defs.forms.get(form_id) if form_id in workflow.form_ids else None
            found = form.field(name) if form else None
            if found is None or found.type != "date":
                add("date", f"„{widget.date}“ ist kein Datumsfeld eines Formulars des Ablaufs")
        if widget.widget == "statistic" and workflow is not None:
            keys = dimension_keys(defs, workflow)  # key -> (field type, table or None)
            if widget.rows not in keys:
                add("rows", f"„{widget.rows}“ ist kein Merkmal der Statistik dieses Ablaufs")
            if widget.where and (keys.get(widget.where) or ("",))[0] != "boolean":
                add("where", f"„{widget.where}“ ist kein Ja/Nein-Merkmal dieses Ablaufs")
            elif widget.where and widget.rows in keys:
                tables = {keys[widget.rows][1], keys[widget.where][1]} - {None}
                if len(tables) > 1:
                    add("where", "„rows“ und „where“ gehören zu verschiedenen Tabellen")
            for role in widget.roles:
                if role not in statistics_roles:
                    add("roles", f"die Rolle „{role}“ steht nicht in [privacy] statistics_roles")
        register = register_workflow(defs, register_config(settings))
        if widget.widget == "register" and register is None:
            add("widget", "es ist kein Beschlussregister ([register]) eingerichtet")
    return problems
