"""Deadlines (``[[deadlines]]``) and documents (``[[documents]]``) of a workflow, edited in place.

The second half of the workflow builder's model (:mod:`.workflow_model` has states and
transitions). An entry is addressed by its position in the file; its keys are written in the
order of docs/configuration.md (:data:`DEADLINE_ORDER`, :data:`DOCUMENT_ORDER`) and every
other line – comments above and inside an entry included – stays as it was
(:mod:`.toml_edit`). Whether the values fit together (``days`` or ``from_field``, a date field,
a known role) is the checker's question (``schema/deadline_keys.py``), asked after every edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import tomlkit
from tomlkit.items import AoT

from ..checking import id_problem
from ..toml_lines import parse_toml
from ..workflows import DOCUMENT_KEYS
from .form_model import BuilderError
from .toml_edit import delete_table, insert_table, remove_key, set_key, swap_tables

# as in docs/configuration.md: when it is due, its name, then whom it escalates to
DEADLINE_ORDER = (
    "state",
    "days",
    "from_field",
    "offset_days",
    "days_field",
    "days_by_choice",
    "every_days",
    "done_field",
    "label",
    "escalate_after_days",
    "escalate_to",
    "escalate_scope",
)
DOCUMENT_ORDER = DOCUMENT_KEYS
PARTS = {"deadlines": ("Frist", DEADLINE_ORDER), "documents": ("Dokument", DOCUMENT_ORDER)}


def _plain(value: Any) -> Any:
    """A tomlkit value as plain Python (lists, dicts, str, int, bool)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value) if value is not None else None


@dataclass(frozen=True)
class EntryView:
    """One deadline or document as the builder shows it: its keys as written."""

    index: int
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = "") -> Any:
        return self.values.get(key, default)

    @property
    def label(self) -> str:
        return str(self.values.get("label", "")) or f"Nr. {self.index + 1}"


def entries(doc, kind: str) -> list[EntryView]:
    """Every ``[[kind]]`` table of ``doc`` in file order."""
    return [
        EntryView(index, {str(k): _plain(v) for k, v in table.items()})
        for index, table in enumerate(doc.get(kind, ()) if isinstance(doc.get(kind), AoT) else ())
    ]


def _aot(doc, kind: str) -> AoT:
    if kind not in doc:
        doc.append(kind, tomlkit.aot())
    if not isinstance(doc[kind], AoT):
        raise BuilderError(f"„{kind}“ muss eine Liste von [[{kind}]]-Tabellen sein.")
    return doc[kind]


def _entry(doc, kind: str, index: int):
    aot = _aot(doc, kind)
    if not 0 <= index < len(aot):
        raise BuilderError(f"{PARTS[kind][0]} Nr. {index + 1} gibt es nicht (mehr).")
    return aot[index]


def add_deadline(doc, state: str, label: str, days: int) -> int:
    """Add a deadline ``days`` days after entering ``state``; returns its position."""
    label = " ".join(label.split())
    if not label:
        raise BuilderError("Bitte eine Bezeichnung für die Frist angeben (so steht sie in Listen).")
    if not state:
        raise BuilderError("Bitte den Zustand wählen, in dem die Frist läuft.")
    new = tomlkit.table()
    new.add("state", state)
    new.add("days", days)
    new.add("label", label)
    aot = _aot(doc, "deadlines")
    return insert_table(aot, len(aot) - 1, new)


def add_document(doc, document_id: str, label: str, template: str) -> int:
    """Add a document made from ``template``; returns its position."""
    if problem := id_problem(document_id, "Die Dokument-Id"):
        raise BuilderError(problem)
    label = " ".join(label.split())
    if not label:
        raise BuilderError("Bitte eine Bezeichnung für das Dokument angeben.")
    if not template:
        raise BuilderError("Bitte die Word-Vorlage wählen, aus der das Dokument entsteht.")
    aot = _aot(doc, "documents")
    if any(t.get("id") == document_id for t in aot):
        raise BuilderError(f"Ein Dokument „{document_id}“ gibt es schon; bitte eine andere Id.")
    new = tomlkit.table()
    new.add("id", document_id)
    new.add("label", label)
    new.add("template", template)
    return insert_table(aot, len(aot) - 1, new)


def set_entry(doc, kind: str, index: int, key: str, value: Any) -> None:
    """Set ``key`` of entry ``index`` (None, "" or an empty table removes it)."""
    what, order = PARTS[kind]
    if key not in order:
        raise BuilderError(f"„{key}“ lässt sich an einem Eintrag „{what}“ nicht ändern.")
    table = _entry(doc, kind, index)
    if value is None or value == "" or value == {}:
        remove_key(table, key)
    elif isinstance(value, dict):
        inline = tomlkit.inline_table()
        inline.update(value)
        set_key(table, key, inline, order)
    else:
        set_key(table, key, value, order)


def remove_entry(doc, kind: str, index: int) -> None:
    _entry(doc, kind, index)
    delete_table(_aot(doc, kind), index)


def move_entry(doc, kind: str, index: int, step: int) -> None:
    aot = _aot(doc, kind)
    other = index + step
    if step not in (-1, 1) or not 0 <= index < len(aot) or not 0 <= other < len(aot):
        raise BuilderError(
            f"{PARTS[kind][0]} steht schon ganz " + ("oben." if step < 0 else "unten.")
        )
    swap_tables(aot, index, other)


def entry_at_line(text: str, kind: str, line: int) -> int | None:
    """The position of the ``[[kind]]`` table that holds ``line`` (None: none does)."""
    data, lines, _ = parse_toml(text)
    if data is None or not isinstance(data.get(kind), list):
        return None
    found = None
    for index in range(len(data[kind])):
        if lines.line(kind, index) > line:
            break
        found = index
    return found
