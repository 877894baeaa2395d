"""The ``[register]`` section of config.toml: what the decision register reads, and its checks.

See :mod:`server.services.register.decisions` for the register itself and docs/configuration.md for
the keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...config import Settings
from ...documents.lint import Shape, object_shape
from ...schema.definitions import Definitions, Problem, WorkflowDef

ENTRY_KEYS = (
    "record_id",
    "meeting",
    "meeting_state",
    "group",
    "date",
    "item",
    "topic",
    "decision",
    "measure",
    "owner",
    "due",
    "indicator",
    "escalation",
    "status",
    "status_label",
    "overdue",
    "note",
    "frozen",
    # the indicator (see indicators.py): plain text, empty for a measure without a target
    "indicator_unit",
    "indicator_baseline",
    "indicator_target",
    "indicator_values",
    "indicator_latest",
    "indicator_expected",
    "indicator_progress",
    "indicator_summary",
    "off_track",
)


@dataclass(frozen=True)
class RegisterConfig:
    title: str
    workflow: str
    form: str
    table: str
    date_field: str
    group_field: str
    status_roles: tuple[str, ...]
    template: str


def register_config(settings: Settings) -> RegisterConfig | None:
    """The ``[register]`` section, or None when the installation has no register."""
    raw = settings.section("register")
    if not raw or not raw.get("workflow") or "." not in str(raw.get("table", "")):
        return None
    form, _, table = str(raw["table"]).partition(".")
    return RegisterConfig(
        title=str(raw.get("title", "Beschlussregister")),
        workflow=str(raw["workflow"]),
        form=form,
        table=table,
        date_field=str(raw.get("date", "")).partition(".")[2],
        group_field=str(raw.get("group", "")).partition(".")[2],
        status_roles=tuple(raw.get("status_roles", ())),
        template=str(raw.get("template", "")),
    )


def register_workflow(defs: Definitions, config: RegisterConfig | None) -> WorkflowDef | None:
    if config is None:
        return None
    workflow = defs.workflows.get(config.workflow)
    form = defs.forms.get(config.form)
    if workflow is None or form is None or config.form not in workflow.form_ids:
        return None
    table = form.field(config.table)
    return workflow if table is not None and table.type == "table" else None


def register_special(settings: Settings) -> dict[str, tuple[dict[str, Shape], str]]:
    """The register template's data model, for the template check."""
    config = register_config(settings)
    if config is None or not config.template:
        return {}
    names = {
        "rows": Shape("list", "rows", item=object_shape("ein Eintrag von rows", ENTRY_KEYS)),
        "title": Shape("value", "title"),
        "filters": Shape("value", "filters"),
        "count": Shape("value", "count"),
        "now": Shape("value", "now"),
    }
    hint = "gibt es im Beschlussregister nicht (verfügbar: rows, title, filters, count, now)"
    return {config.template: (names, hint)}


def register_problems(defs: Definitions, settings: Settings) -> list[Problem]:
    """What is wrong with ``[register]`` in config.toml, as ``config.toml:line: message``."""
    raw = settings.section("register")
    if not raw or not raw.get("workflow"):
        return []
    path = settings.relative(settings.config_path)
    try:
        lines = settings.config_path.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    section = next((i for i, line in enumerate(lines, 1) if line.strip() == "[register]"), 1)

    def line_of(key: str) -> int:
        for number, line in enumerate(lines[section:], section + 1):
            if line.strip().startswith("["):
                break
            if line.split("=", 1)[0].strip() == key:
                return number
        return section

    problems: list[Problem] = []

    def add(key: str, message: str) -> None:
        problems.append(Problem(path, line_of(key), f"[register] „{key}“: {message}"))

    config = register_config(settings)
    if config is None:
        add("table", "„workflow“ und „table“ (Formular.Tabelle) sind nötig")
        return problems
    workflow = defs.workflows.get(config.workflow)
    form = defs.forms.get(config.form)
    table = form.field(config.table) if form else None
    if workflow is None:
        add("workflow", f"den Ablauf „{config.workflow}“ gibt es nicht")
    elif config.form not in workflow.form_ids:
        add("table", f"das Formular „{config.form}“ gehört nicht zum Ablauf „{workflow.id}“")
    if form is not None and (table is None or table.type != "table"):
        add("table", f"„{config.form}.{config.table}“ ist keine Tabelle")
    for key, name in (("date", config.date_field), ("group", config.group_field)):
        if name and form is not None and form.field(name) is None:
            add(key, f"das Formular „{config.form}“ hat kein Feld „{name}“")
    for role in config.status_roles:
        if role not in defs.roles:
            add("status_roles", f"die Rolle „{role}“ gibt es nicht")
    if config.template and not config.template.endswith(".docx"):
        add("template", f"„{config.template}“ ist keine .docx-Datei")
    return problems
