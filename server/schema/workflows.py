"""Parsing and checking one workflow file, ``workflows/<id>.toml`` (design §4).

Only what the file itself can tell is checked here; whether its forms, roles and the names in
its conditions exist is checked by :mod:`server.schema.loader`, which sees every file.

Final states: ``from = "*"`` never leaves a final state, and a final state counts as an end
(no "dead end" warning). A transition that names a final state in ``from`` explicitly is
allowed: it is how a workflow offers "Fall wieder öffnen" to, say, team leads only. This is
the rule :meth:`TransitionDef.leaves` implements.
"""

from __future__ import annotations

import hashlib
import posixpath
from typing import Any

from .checking import Collector, id_problem, kind
from .deadline_keys import parse_deadlines
from .definitions import (
    DEFAULT_POSITION,
    SCOPES,
    DocumentDef,
    Problem,
    StateDef,
    TransitionDef,
    WorkflowDef,
)
from .expressions import check_expression
from .privacy_keys import parse_consents, parse_retention
from .toml_lines import parse_toml

# edit_scope narrows who may change a record; "all" is the default (any reader the roles allow)
EDIT_SCOPES = ("organisation", "own", "all")

WORKFLOW_KEYS = (
    "title",
    "description",
    "record_label",
    "initial",
    "create_roles",
    "title_field",
    "states",
    "transitions",
    "documents",
    "deadlines",
    "read_roles",
    "read_scope",
    "edit_scope",
    "retention",
    "consents",
    "position",
)
STATE_KEYS = ("id", "label", "forms", "edit_roles", "final")
TRANSITION_KEYS = ("from", "to", "label", "roles", "when", "message", "notify")
# whom "notify" of a transition may name besides "role:<id>"
NOTIFY_TARGETS = ("owner", "creator", "organisation")
DOCUMENT_KEYS = ("id", "label", "template", "states", "formats", "language")
DOCUMENT_FORMATS = ("docx", "pdf")


def parse_workflow(
    workflow_id: str, text: str, path: str
) -> tuple[WorkflowDef | None, list[Problem]]:
    """Parse the TOML ``text`` of workflow ``workflow_id``; ``path`` is used in the problems.

    Returns the workflow and every problem found; the workflow is None when any problem is an
    error (warnings, such as an unreachable state, keep it).
    """
    data, lines, syntax = parse_toml(text)
    c = Collector(path, lines)
    if data is None:
        assert syntax is not None
        c.problems.append(Problem(path, syntax[0], syntax[1]))
        return None, c.problems
    if problem := id_problem(workflow_id, "Ablauf-Id"):
        c.add((), problem)

    c.unknown_keys(data, WORKFLOW_KEYS, (), "")
    title = c.text(data, "title", (), "", required=True)
    description = c.text(data, "description", (), "")
    record_label = c.text(data, "record_label", (), "") or "Vorgang"
    create_roles = c.identifiers(data, "create_roles", (), "", "Rollen")
    read_roles = c.identifiers(data, "read_roles", (), "", "Rollen")
    read_scope = c.text(data, "read_scope", (), "") or None
    if read_scope is not None and read_scope not in SCOPES:
        c.add(
            ("read_scope",),
            f"„read_scope“ muss eines von {', '.join(SCOPES)} sein, nicht „{read_scope}“",
        )
    edit_scope = c.text(data, "edit_scope", (), "") or None
    if edit_scope is not None and edit_scope not in EDIT_SCOPES:
        c.add(
            ("edit_scope",),
            f"„edit_scope“ muss eines von {', '.join(EDIT_SCOPES)} sein, nicht „{edit_scope}“",
        )
    position = c.count(data, "position", (), "", least=0)
    title_field = c.text(data, "title_field", (), "") or None
    if title_field is not None and (title_field.count(".") != 1 or "" in title_field.split(".")):
        c.add(
            ("title_field",), f"„title_field“ muss „<formular>.<feld>“ sein, nicht „{title_field}“"
        )

    states = _states(c, data)
    state_ids = {s.id: s for s in states}
    initial = c.text(data, "initial", (), "", required=True)
    if initial and states and initial not in state_ids:
        c.add(
            ("initial",),
            f"Anfangszustand „{initial}“ ist keiner der Zustände "
            f"(vorhanden: {', '.join(state_ids)})",
        )
    transitions = _transitions(c, data, state_ids)
    documents = _documents(c, data, state_ids)
    deadlines = parse_deadlines(c, data, state_ids)
    retention = parse_retention(c, data, state_ids)
    consents = parse_consents(c, data)
    if initial in state_ids:
        _check_graph(c, data, states, transitions, initial)

    c.problems.sort(key=lambda p: p.line)
    if c.errors:
        return None, c.problems
    workflow = WorkflowDef(
        id=workflow_id,
        title=title,
        initial=initial,
        states=tuple(states),
        transitions=tuple(transitions),
        record_label=record_label,
        create_roles=create_roles,
        title_field=title_field,
        documents=tuple(documents),
        deadlines=tuple(deadlines),
        description=description,
        read_roles=read_roles,
        read_scope=read_scope,
        edit_scope=edit_scope,
        revision=hashlib.sha256(text.encode("utf-8")).hexdigest()[:12],
        path=path,
        retention=tuple(retention),
        consents=tuple(consents),
        position=DEFAULT_POSITION if position is None else position,
    )
    return workflow, c.problems


def _states(c: Collector, data: dict[str, Any]) -> list[StateDef]:
    raw = c.tables(data, "states", ())
    if "states" not in data:
        c.add((), "Der Ablauf hat keine Zustände ([[states]])")
    states: list[StateDef] = []
    for index, table in enumerate(raw):
        at = ("states", index)
        sid = table.get("id")
        where = f"Zustand „{sid}“: " if isinstance(sid, str) else f"Zustand Nr. {index + 1}: "
        c.unknown_keys(table, STATE_KEYS, at, where)
        label = c.text(table, "label", at, where, required=True)
        forms = c.identifiers(table, "forms", at, where, "Formularen")
        edit_roles = c.identifiers(table, "edit_roles", at, where, "Rollen")
        final = c.flag(table, "final", at, where)
        if c.entry_id(table, at, where, "Zustands-Id", {s.id for s in states}) is None:
            continue
        states.append(
            StateDef(
                id=sid,
                label=label,
                forms=forms,
                edit_roles=edit_roles,
                final=final,
                line=c.lines.line(*at),
            )
        )
    return states


def _transitions(
    c: Collector, data: dict[str, Any], states: dict[str, StateDef]
) -> list[TransitionDef]:
    transitions: list[TransitionDef] = []
    for index, table in enumerate(c.tables(data, "transitions", ())):
        at = ("transitions", index)
        to = table.get("to")
        where = f"Übergang nach „{to}“: " if isinstance(to, str) else f"Übergang Nr. {index + 1}: "
        c.unknown_keys(table, TRANSITION_KEYS, at, where)
        to = c.text(table, "to", at, where, required=True)
        if to and states and to not in states:
            c.add(at + ("to",), f"{where}Zielzustand „{to}“ gibt es nicht")
        from_states = _from_states(c, table, at, where, states)
        if to and from_states == (to,):
            c.add(at + ("from",), f"{where}führt von „{to}“ nach „{to}“ – das ist kein Schritt")
        label = c.text(table, "label", at, where)
        if not label.strip() and to in states:
            label = states[to].label  # the button then reads like the state it leads to
        roles = c.identifiers(table, "roles", at, where, "Rollen")
        when = c.text(table, "when", at, where) or None
        if when is not None and (message := check_expression(when)):
            c.add(at + ("when",), f"{where}„when“: {message}")
        message = c.text(table, "message", at, where)
        notify = c.identifiers(table, "notify", at, where, "Empfängern")
        for i, target in enumerate(notify):
            if target not in NOTIFY_TARGETS and not target.startswith("role:"):
                c.add(
                    at + ("notify", i),
                    f"{where}„notify“: „{target}“ ist kein Empfänger "
                    f"(möglich: {', '.join(NOTIFY_TARGETS)}, role:<Rolle>)",
                )
        transitions.append(
            TransitionDef(
                from_states=from_states,
                to=to,
                label=label,
                roles=roles,
                when=when,
                message=message,
                line=c.lines.line(*at),
                notify=notify,
            )
        )
    return transitions


def _from_states(
    c: Collector, table: dict, at: tuple, where: str, states: dict[str, StateDef]
) -> tuple[str, ...]:
    """``from``: "*" (every non-final state), one state id, or a list of them."""
    if "from" not in table:
        c.add(at, f'{where}„from“ fehlt (eine Liste von Zuständen oder "*")')
        return ()
    raw = table["from"]
    if raw == "*":
        return ("*",)
    if isinstance(raw, str):
        raw_list, table = [raw], {"from": [raw]}  # one id is accepted as a list of one
    elif isinstance(raw, list) and raw:
        raw_list = raw
    else:
        c.add(
            at + ("from",),
            f"{where}„from“ muss eine nicht leere Liste von Zuständen oder "
            f'"*" sein, nicht {kind(raw)}',
        )
        return ()
    if "*" in raw_list:
        c.add(at + ("from",), f'{where}„from“: "*" steht allein, nicht in einer Liste')
    ids = c.identifiers(table, "from", at, where, "Zuständen")
    for index, sid in enumerate(ids):
        if sid != "*" and states and sid not in states:
            c.add(at + ("from", index), f"{where}Ausgangszustand „{sid}“ gibt es nicht")
    return ids


def _documents(
    c: Collector, data: dict[str, Any], states: dict[str, StateDef]
) -> list[DocumentDef]:
    documents: list[DocumentDef] = []
    for index, table in enumerate(c.tables(data, "documents", ())):
        at = ("documents", index)
        did = table.get("id")
        where = f"Dokument „{did}“: " if isinstance(did, str) else f"Dokument Nr. {index + 1}: "
        c.unknown_keys(table, DOCUMENT_KEYS, at, where)
        label = c.text(table, "label", at, where, required=True)
        template = c.text(table, "template", at, where, required=True)
        if template and not _safe_template_name(template):
            c.add(
                at + ("template",),
                f"{where}„template“ muss ein Pfad innerhalb von exports/ sein, nicht „{template}“",
            )
        elif template and not template.lower().endswith(".docx"):
            c.add(at + ("template",), f"{where}„template“ muss eine .docx-Datei sein")
        doc_states: tuple[str, ...] | None = None
        if "states" in table:
            doc_states = c.identifiers(table, "states", at, where, "Zuständen")
            for i, sid in enumerate(doc_states):
                if states and sid not in states:
                    c.add(at + ("states", i), f"{where}Zustand „{sid}“ gibt es nicht")
        formats = _formats(c, table, at, where)
        language = _language(c, table, at, where, states)
        if c.entry_id(table, at, where, "Dokument-Id", {d.id for d in documents}) is None:
            continue
        documents.append(
            DocumentDef(
                id=did,
                label=label,
                template=template,
                states=doc_states,
                line=c.lines.line(*at),
                formats=formats,
                language=language,
            )
        )
    return documents


def _formats(c: Collector, table: dict[str, Any], at: tuple, where: str) -> tuple[str, ...]:
    """``formats = ["docx", "pdf"]``: the Word file is always made (the PDF comes from it)."""
    if "formats" not in table:
        return ("docx",)
    formats = c.identifiers(table, "formats", at, where, "Formaten")
    known = ", ".join(f"„{f}“" for f in DOCUMENT_FORMATS)
    for index, name in enumerate(formats):
        if name not in DOCUMENT_FORMATS:
            c.add(
                at + ("formats", index),
                f"{where}Format „{name}“ gibt es nicht (möglich: {known})",
            )
    if formats and "docx" not in formats:
        c.add(
            at + ("formats",),
            f"{where}„formats“ muss „docx“ enthalten: die PDF-Fassung entsteht aus der Word-Datei",
        )
    return tuple(f for f in DOCUMENT_FORMATS if f in formats) or ("docx",)


def _language(
    c: Collector, table: dict[str, Any], at: tuple, where: str, states: dict[str, StateDef]
) -> str:
    """``language = "intake.interpreter_language"``: a field of a form of this workflow."""
    if "language" not in table:
        return ""
    value = c.text(table, "language", at, where)
    form, dot, field = (value or "").partition(".")
    forms = {f for state in states.values() for f in state.forms}
    if not (form and dot and field):
        c.add(at + ("language",), f"{where}„language“ muss „<formular>.<feld>“ sein")
        return ""
    if forms and form not in forms:
        message = f"{where}„language“: das Formular „{form}“ hat dieser Ablauf nicht"
        c.add(at + ("language",), message)
        return ""
    return value


def _safe_template_name(name: str) -> bool:
    # a template is read from exports/; an absolute path or ".." would let a workflow file
    # point the document job at any file on the server
    normal = posixpath.normpath(name.replace("\\", "/"))
    return not (normal.startswith(("/", "../")) or normal == ".." or ":" in normal)


def _check_graph(
    c: Collector,
    data: dict[str, Any],
    states: list[StateDef],
    transitions: list[TransitionDef],
    initial: str,
) -> None:
    """Warn about states no path from ``initial`` reaches, and non-final dead ends."""
    by_id = {s.id: s for s in states}
    # where each state was written (a skipped duplicate shifts the indexes of the rest)
    written: dict[Any, int] = {}
    raw = data.get("states")
    for index, table in enumerate(raw if isinstance(raw, list) else []):
        written.setdefault(table.get("id") if isinstance(table, dict) else None, index)
    reached = {initial}
    queue = [initial]
    while queue:
        current = by_id[queue.pop()]
        for t in transitions:
            if t.to in by_id and t.to not in reached and t.leaves(current):
                reached.add(t.to)
                queue.append(t.to)
    for state in states:
        index = written.get(state.id, 0)
        if state.id not in reached:
            c.add(
                ("states", index, "id"),
                f"Zustand „{state.id}“ ist vom Anfangszustand „{initial}“ aus nicht erreichbar",
                warning=True,
            )
        elif (
            len(states) > 1
            and not state.final
            and not any(t.leaves(state) and t.to != state.id for t in transitions)
        ):
            # one state alone is a plain register and fine; among several it is a trap
            c.add(
                ("states", index, "id"),
                f"Zustand „{state.id}“ ist nicht final, aber kein Übergang führt aus ihm hinaus",
                warning=True,
            )
