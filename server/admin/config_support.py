"""What the configuration screens share: kinds in URLs, starters, diffs, the template list."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path

from flask import abort

from ..config import Settings
from ..documents.checking import check_templates
from ..schema.definitions import Definitions, Problem

KINDS = {"forms": "form", "workflows": "workflow"}  # URL part -> kind
URL_PART = {kind: part for part, kind in KINDS.items()}


def kind_of(part: str) -> str:
    kind = KINDS.get(part)
    if kind is None:
        abort(404)
    return kind


def _toml_string(value: str) -> str:
    # a JSON string without non-ASCII escapes is a valid TOML basic string
    return json.dumps(value, ensure_ascii=False)


def form_starter(title: str) -> str:
    """A small, valid form to start from."""
    return (
        f"title = {_toml_string(title)}\n"
        'description = ""\n\n'
        "[[fields]]\n"
        'name = "bemerkung"\n'
        'type = "textarea"\n'
        'label = "Bemerkung"\n'
        'help = "Weitere Felder: text, integer, decimal, date, boolean, select, multiselect, '
        'email, table, reference, file"\n'
    )


def workflow_starter(title: str, roles: list[str]) -> str:
    """A valid two-state workflow to start from; ``roles`` fill its role lists."""
    role_list = "[" + ", ".join(_toml_string(r) for r in roles) + "]"
    return (
        f"title = {_toml_string(title)}\n"
        'record_label = "Vorgang"\n'
        'initial = "offen"\n'
        f"create_roles = {role_list}\n\n"
        "[[states]]\n"
        'id = "offen"\n'
        'label = "Offen"\n'
        "forms = []\n"
        f"edit_roles = {role_list}\n\n"
        "[[states]]\n"
        'id = "erledigt"\n'
        'label = "Erledigt"\n'
        "final = true\n\n"
        "[[transitions]]\n"
        'from = ["offen"]\n'
        'to = "erledigt"\n'
        'label = "Erledigen"\n'
        f"roles = {role_list}\n"
    )


def working_roles(defs: Definitions) -> list[str]:
    """Roles that see records (the first of them fills a starter workflow)."""
    return [r.id for r in defs.roles.values() if r.scope != "none"][:1]


@dataclass(frozen=True)
class DiffLine:
    kind: str  # add | del | hunk | head | same
    text: str


def diff_lines(before: str | None, after: str | None, before_name: str, after_name: str):
    """A unified diff of two texts as classified lines (None: the file did not exist)."""
    old = (before or "").splitlines()
    new = (after or "").splitlines()
    out = []
    for line in difflib.unified_diff(old, new, before_name, after_name, lineterm="", n=3):
        if line.startswith(("---", "+++")):
            kind = "head"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "same"
        out.append(DiffLine(kind, line))
    return out


@dataclass(frozen=True)
class TemplateRow:
    name: str
    size: int
    used_by: list[str]


def template_rows(settings: Settings, defs: Definitions) -> tuple[list[TemplateRow], list[Problem]]:
    """Every Word template in exports/, who uses it, and the problems of the templates."""
    used: dict[str, list[str]] = {}
    for wf in defs.workflows.values():
        for doc in wf.documents:
            used.setdefault(doc.template, []).append(f"{wf.title}: {doc.label}")
    rows = []
    directory: Path = settings.exports_dir
    files = sorted(directory.glob("*.docx")) if directory.is_dir() else []
    for file in files:
        rows.append(TemplateRow(file.name, file.stat().st_size, used.get(file.name, [])))
    problems = check_templates(defs, settings.exports_dir, settings.base_dir)
    return rows, problems
