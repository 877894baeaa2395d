"""Loading a whole configuration: every form, every workflow, the roles, and what links them.

:func:`load_definitions` reads the directories; :func:`build_definitions` does the work on texts
already in memory, so publishing one changed file (``PUT /config/...``) can check it against
all the others before anything is written. Definitions are built from the files that parsed
without errors; the problems list everything, warnings included. Cross-file problems (a state
naming a missing form, an unknown role) are reported but do not remove a file: the caller
refuses to publish on any error, and a running server keeps what works.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .checking import Collector, id_problem, kind
from .deadline_keys import deadline_link_problems
from .definitions import SCOPES, Definitions, FieldDef, FormDef, Problem, RoleDef, WorkflowDef
from .expression_check import budget_problem, show_if_contexts, when_contexts
from .expressions import ExpressionError, referenced_names
from .fieldtypes import field_type
from .form_copy import copy_problems
from .forms import parse_form
from .toml_lines import LineMap, line_map
from .workflows import parse_workflow

RECORD_ATTRIBUTES = (
    "id",
    "title",
    "state",
    "state_label",
    "organisation",
    "owner",
    "created",
    "updated",
    "version",
    "consent_given",  # every required consent given and none withdrawn (server/privacy)
    "consent_withdrawn",  # a required consent was withdrawn
)
ROLE_KEYS = ("label", "scope")

Sources = Mapping[str, tuple[str, str]]  # id -> (path for messages, TOML text)


def parse_roles(
    roles_table: Any, path: str = "config.toml", text: str = ""
) -> tuple[dict[str, RoleDef], list[Problem]]:
    """The ``[roles]`` table of config.toml as RoleDefs; ``text`` (the file) gives the lines."""
    c = Collector(path, line_map(text) if text else LineMap({}))
    roles: dict[str, RoleDef] = {}
    if not isinstance(roles_table, Mapping):
        c.add(
            ("roles",), f"„roles“ muss eine Tabelle sein ([roles.<id>]), nicht {kind(roles_table)}"
        )
        return roles, c.problems
    for role_id, table in roles_table.items():
        at = ("roles", role_id)
        where = f"Rolle „{role_id}“: "
        if problem := id_problem(str(role_id), "Rollen-Id"):
            c.add(at, problem)
            continue
        if not isinstance(table, Mapping):
            c.add(at, f"{where}muss eine Tabelle [roles.{role_id}] sein, nicht {kind(table)}")
            continue
        c.unknown_keys(dict(table), ROLE_KEYS, at, where)
        label = c.text(dict(table), "label", at, where) or role_id
        scope = table.get("scope", "own")
        if scope not in SCOPES:
            c.add(
                at + ("scope",),
                f"{where}„scope“ muss einer von {', '.join(SCOPES)} sein, nicht {kind(scope)}",
            )
            scope = "own"
        roles[role_id] = RoleDef(id=role_id, label=label, scope=scope)
    return roles, c.problems


def load_definitions(
    forms_dir: str | os.PathLike,
    workflows_dir: str | os.PathLike,
    roles: Any,
    roles_path: str = "config.toml",
    base_dir: str | os.PathLike | None = None,
    roles_text: str | None = None,
) -> tuple[Definitions, list[Problem]]:
    """Read every ``*.toml`` in both directories (id = file stem) and check them together.

    ``roles`` is config.toml's ``[roles]`` table. Paths in problems are as given, or relative
    to ``base_dir`` when it is given. ``roles_text`` (config.toml's text, for line numbers) is
    read from ``roles_path`` (relative to ``base_dir``) when not passed.
    """
    problems: list[Problem] = []
    form_sources = _read_dir(Path(forms_dir), base_dir, problems)
    workflow_sources = _read_dir(Path(workflows_dir), base_dir, problems)
    if roles_text is None:
        roles_file = Path(base_dir or ".") / roles_path
        try:
            roles_text = roles_file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            roles_text = ""  # lines fall back to 1; config.toml itself is config.py's business
    defs, found = build_definitions(form_sources, workflow_sources, roles, roles_path, roles_text)
    return defs, problems + found


def read_sources(
    directory: str | os.PathLike, base_dir: str | os.PathLike | None = None
) -> tuple[dict[str, tuple[str, str]], list[Problem]]:
    """Every ``*.toml`` in ``directory`` as ``{id: (path, text)}``, plus the unreadable ones.

    For callers that combine the files with texts from elsewhere (published revisions) before
    handing all of them to :func:`build_definitions`.
    """
    problems: list[Problem] = []
    return _read_dir(Path(directory), base_dir, problems), problems


def _display(path: Path, base_dir: str | os.PathLike | None) -> str:
    if base_dir is not None:
        try:
            return str(path.resolve().relative_to(Path(base_dir).resolve()))
        except ValueError:
            pass
    return str(path)


def _read_dir(
    directory: Path, base_dir: str | os.PathLike | None, problems: list[Problem]
) -> dict[str, tuple[str, str]]:
    sources: dict[str, tuple[str, str]] = {}
    if not directory.is_dir():
        problems.append(Problem(_display(directory, base_dir), 1, "Verzeichnis fehlt"))
        return sources
    for file in sorted(directory.glob("*.toml")):
        shown = _display(file, base_dir)
        try:
            # utf-8-sig: Windows editors like to start a file with a byte-order mark
            sources[file.stem] = (shown, file.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError:
            problems.append(Problem(shown, 1, "Datei ist nicht in UTF-8 gespeichert"))
        except OSError as exc:
            problems.append(Problem(shown, 1, f"Datei kann nicht gelesen werden: {exc.strerror}"))
    return sources


def build_definitions(
    form_sources: Sources,
    workflow_sources: Sources,
    roles: Any,
    roles_path: str = "config.toml",
    roles_text: str = "",
) -> tuple[Definitions, list[Problem]]:
    """Parse and cross-check forms and workflows given as ``{id: (path, text)}``."""
    role_defs, problems = parse_roles(roles, roles_path, roles_text)
    forms: dict[str, FormDef] = {}
    workflows: dict[str, WorkflowDef] = {}
    lines: dict[str, LineMap] = {}
    broken: set[str] = set()  # "form:x" / "workflow:x" that exist but did not parse
    for form_id, (path, text) in sorted(form_sources.items()):
        form, found = parse_form(form_id, text, path)
        problems += found
        if form is None:
            broken.add(f"form:{form_id}")
        else:
            forms[form_id] = form
            lines[path] = line_map(text)
    for workflow_id, (path, text) in sorted(workflow_sources.items()):
        workflow, found = parse_workflow(workflow_id, text, path)
        problems += found
        if workflow is None:
            broken.add(f"workflow:{workflow_id}")
        else:
            workflows[workflow_id] = workflow
            lines[path] = line_map(text)

    context = _Context(forms, workflows, role_defs, broken, lines, roles_path)
    for workflow in workflows.values():
        problems += _check_workflow_links(context, workflow)
    for form in forms.values():
        problems += _check_form_links(context, form)
    # menus, lists and the start page show workflows by ``position``, then by id
    ordered = dict(sorted(workflows.items(), key=lambda item: (item[1].position, item[0])))
    defs = Definitions(
        forms=MappingProxyType(forms),
        workflows=MappingProxyType(ordered),
        roles=MappingProxyType(role_defs),
    )
    return defs, sorted(problems, key=lambda p: (p.path, p.line))


class _Context:
    def __init__(self, forms, workflows, roles, broken, lines, roles_path):
        self.forms: dict[str, FormDef] = forms
        self.workflows: dict[str, WorkflowDef] = workflows
        self.roles: dict[str, RoleDef] = roles
        self.broken: set[str] = broken
        self.lines: dict[str, LineMap] = lines
        self.roles_path: str = roles_path

    def form_exists(self, form_id: str) -> bool:
        return form_id in self.forms or f"form:{form_id}" in self.broken

    def workflow_exists(self, workflow_id: str) -> bool:
        return workflow_id in self.workflows or f"workflow:{workflow_id}" in self.broken

    def role_problem(self, role: str) -> str | None:
        if role in self.roles:
            return None
        known = ", ".join(self.roles) or "keine"
        return f"Rolle „{role}“ gibt es nicht ({self.roles_path} [roles]: {known})"


def _check_workflow_links(ctx: _Context, wf: WorkflowDef) -> list[Problem]:
    c = Collector(wf.path, ctx.lines.get(wf.path, LineMap({})))
    for key in ("create_roles", "read_roles"):
        for i, role in enumerate(getattr(wf, key)):
            if message := ctx.role_problem(role):
                c.add((key, i), f"„{key}“: {message}")
    for si, state in enumerate(wf.states):
        where = f"Zustand „{state.id}“: "
        for fi, form_id in enumerate(state.forms):
            if not ctx.form_exists(form_id):
                c.add(
                    ("states", si, "forms", fi),
                    f"{where}Formular „{form_id}“ gibt es nicht (forms/{form_id}.toml fehlt)",
                )
        for ri, role in enumerate(state.edit_roles):
            if message := ctx.role_problem(role):
                c.add(("states", si, "edit_roles", ri), f"{where}{message}")
    for ti, transition in enumerate(wf.transitions):
        where = f"Übergang nach „{transition.to}“: "
        for ri, role in enumerate(transition.roles):
            if message := ctx.role_problem(role):
                c.add(("transitions", ti, "roles", ri), f"{where}{message}")
        for ni, target in enumerate(transition.notify):
            if target.startswith("role:") and (message := ctx.role_problem(target[5:])):
                c.add(("transitions", ti, "notify", ni), f"{where}„notify“: {message}")
        if transition.when:
            messages = _when_problems(ctx, wf, transition.when)
            if not messages:  # only then can the samples reach all of it
                contexts = when_contexts(ctx.forms, wf, transition)
                messages = [m for m in [budget_problem(transition.when, contexts)] if m]
            for message in messages:
                c.add(("transitions", ti, "when"), f"{where}„when“: {message}")
    if wf.title_field:
        if message := _title_field_problem(ctx, wf, wf.title_field):
            c.add(("title_field",), message)
    deadline_link_problems(c, wf.form_ids, ctx.forms, wf.deadlines, ctx.role_problem)
    return c.problems


def _when_problems(ctx: _Context, wf: WorkflowDef, source: str) -> list[str]:
    """Names in a ``when`` must be forms of this workflow (with their fields) or ``record``."""
    try:
        names = referenced_names(source)
    except ExpressionError:
        return []  # already reported by parse_workflow
    out = []
    for name, attribute in sorted(names, key=lambda n: (n[0], n[1] or "")):
        if name == "record":
            if attribute is not None and attribute not in RECORD_ATTRIBUTES:
                out.append(
                    f"„record.{attribute}“ gibt es nicht (vorhanden: "
                    f"{', '.join(RECORD_ATTRIBUTES)})"
                )
        elif name in wf.form_ids:
            form = ctx.forms.get(name)
            if attribute is not None and form is not None and form.field(attribute) is None:
                out.append(f"Formular „{name}“ hat kein Feld „{attribute}“")
        elif ctx.form_exists(name):
            out.append(f"Formular „{name}“ gehört zu keinem Zustand dieses Ablaufs")
        else:
            allowed = ", ".join((*wf.form_ids, "record"))
            out.append(
                f"„{name}“ ist weder ein Formular dieses Ablaufs noch „record“ (erlaubt: {allowed})"
            )
    return out


def _title_field_problem(ctx: _Context, wf: WorkflowDef, title_field: str) -> str | None:
    form_id, _, field_name = title_field.partition(".")
    if form_id not in wf.form_ids:
        return f"„title_field“: Formular „{form_id}“ gehört zu keinem Zustand dieses Ablaufs"
    form = ctx.forms.get(form_id)
    if form is None:
        return None  # the form itself is broken and reported
    field = form.field(field_name)
    if field is None:
        return f"„title_field“: Formular „{form_id}“ hat kein Feld „{field_name}“"
    if not field_type(field.type).usable_as_title:
        return f"„title_field“: ein Feld vom Typ „{field.type}“ taugt nicht als Titel"
    return None


def _check_form_links(ctx: _Context, form: FormDef) -> list[Problem]:
    c = Collector(form.path, ctx.lines.get(form.path, LineMap({})))

    def check_reference(field: FieldDef, at: tuple, where: str) -> None:
        # only a type that points at records (reference) has a ``workflow``
        if field.workflow and not ctx.workflow_exists(field.workflow):
            c.add(
                at + ("workflow",),
                f"{where}Ablauf „{field.workflow}“ gibt es nicht "
                f"(workflows/{field.workflow}.toml fehlt)",
            )

    for fi, field in enumerate(form.fields):
        check_reference(field, ("fields", fi), f"Feld „{field.name}“: ")
        if field.show_if and (message := budget_problem(field.show_if, show_if_contexts(form))):
            c.add(("fields", fi, "show_if"), f"Feld „{field.name}“: „show_if“: {message}")
        for message in copy_problems(form, field, ctx.forms):
            c.add(("fields", fi, "copy"), f"Feld „{field.name}“: {message}")
        if field.copy is not None and field.copy.form in ctx.forms:
            for wf in ctx.workflows.values():
                if form.id in wf.form_ids and field.copy.form not in wf.form_ids:
                    c.add(
                        ("fields", fi, "copy", "from"),
                        f"Feld „{field.name}“: „copy.from“: Formular „{field.copy.form}“ gehört "
                        f"nicht zum Ablauf „{wf.id}“, der dieses Formular verwendet "
                        "(übernommen wird nur aus demselben Datensatz)",
                    )
        for ci, column in enumerate(field.columns):
            check_reference(
                column,
                ("fields", fi, "columns", ci),
                f"Spalte „{column.name}“ von Feld „{field.name}“: ",
            )
    unused = not any(form.id in wf.form_ids for wf in ctx.workflows.values())
    # with a broken workflow around, the form may well be its, so say nothing
    if ctx.workflows and unused and not any(b.startswith("workflow:") for b in ctx.broken):
        c.add(("title",), f"Formular „{form.id}“ wird in keinem Ablauf verwendet", warning=True)
    return c.problems


# names every Word template sees besides the workflow's forms (design §4)
TEMPLATE_NAMES = ("record", "history", "now")
