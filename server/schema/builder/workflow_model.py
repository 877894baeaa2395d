"""The workflow builder's model: states and transitions of a workflow's TOML, edited in place.

Same foundation as :mod:`.form_model` (tomlkit, :mod:`.toml_edit`): every edit changes only
its lines, comments (also those right below a ``[[transitions]]`` header, which explain a
guard) stay. States are addressed by their id, transitions by their position in the file.
Deadlines and documents are edited by :mod:`.workflow_parts` (reached through the methods
below); docs/architecture.md, „Formular-Baukasten“.
"""

from __future__ import annotations

from dataclasses import dataclass

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT

from ..checking import id_problem
from .form_model import BuilderError
from .toml_edit import delete_table, insert_table, remove_key, set_key, swap_tables
from .workflow_parts import (
    EntryView,
    add_deadline,
    add_document,
    entries,
    move_entry,
    remove_entry,
    set_entry,
)

STATE_ORDER = ("id", "label", "forms", "edit_roles", "final")
TRANSITION_ORDER = ("from", "to", "label", "roles", "when", "message", "notify")


@dataclass(frozen=True)
class StateView:
    id: str
    label: str
    forms: tuple[str, ...] = ()
    edit_roles: tuple[str, ...] = ()
    final: bool = False


@dataclass(frozen=True)
class TransitionView:
    index: int
    sources: tuple[str, ...]
    to: str
    label: str
    roles: tuple[str, ...] = ()
    when: str = ""
    message: str = ""


def _words(value) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


class WorkflowModel:
    """A workflow's TOML text read with tomlkit; :attr:`text` is the edited text."""

    def __init__(self, text: str):
        try:
            self.doc = tomlkit.parse(text)
        except (TOMLKitError, ValueError) as exc:
            raise BuilderError(
                f"Der Text ist kein gültiges TOML; bitte zuerst im Texteditor beheben ({exc})."
            ) from None
        for key in ("states", "transitions", "deadlines", "documents"):
            if key in self.doc and not isinstance(self.doc[key], AoT):
                raise BuilderError(f"„{key}“ muss eine Liste von [[{key}]]-Tabellen sein.")

    @property
    def text(self) -> str:
        return tomlkit.dumps(self.doc)

    def _aot(self, key: str) -> AoT:
        if key not in self.doc:
            self.doc.append(key, tomlkit.aot())
        return self.doc[key]

    # ---- reading ---------------------------------------------------------------------

    def states(self) -> list[StateView]:
        return [
            StateView(
                id=str(t.get("id", "")),
                label=str(t.get("label", "")),
                forms=_words(t.get("forms")),
                edit_roles=_words(t.get("edit_roles")),
                final=t.get("final") is True,
            )
            for t in self.doc.get("states", ())
        ]

    def transitions(self) -> list[TransitionView]:
        return [
            TransitionView(
                index=index,
                sources=_words(t.get("from")),
                to=str(t.get("to", "")),
                label=str(t.get("label", "")),
                roles=_words(t.get("roles")),
                when=str(t.get("when", "")),
                message=str(t.get("message", "")),
            )
            for index, t in enumerate(self.doc.get("transitions", ()))
        ]

    def _state_index(self, state_id: str) -> int:
        for index, table in enumerate(self._aot("states")):
            if table.get("id") == state_id:
                return index
        raise BuilderError(f"Den Zustand „{state_id}“ gibt es nicht (mehr).")

    def _transition(self, index: int):
        transitions = self._aot("transitions")
        if not 0 <= index < len(transitions):
            raise BuilderError(f"Den Übergang Nr. {index + 1} gibt es nicht (mehr).")
        return transitions[index]

    # ---- states ----------------------------------------------------------------------

    def add_state(self, state_id: str, label: str, *, after: str = "") -> None:
        """Add a state (after state ``after``, else at the end of the states)."""
        if problem := id_problem(state_id, "Die Zustands-Id"):
            raise BuilderError(problem)
        label = " ".join(label.split())
        if not label:
            raise BuilderError("Bitte eine Bezeichnung für den Zustand angeben.")
        states = self._aot("states")
        if any(t.get("id") == state_id for t in states):
            raise BuilderError(f"Den Zustand „{state_id}“ gibt es schon.")
        new = tomlkit.table()
        new.add("id", state_id)
        new.add("label", label)
        position = self._state_index(after) if after else len(states) - 1
        insert_table(states, position, new)

    def set_state(self, state_id: str, key: str, value) -> None:
        """Set ``label``, ``forms``, ``edit_roles`` or ``final`` of a state."""
        if key not in STATE_ORDER[1:]:
            raise BuilderError(f"„{key}“ lässt sich an einem Zustand nicht ändern.")
        table = self._aot("states")[self._state_index(state_id)]
        if key == "label" and not str(value or "").strip():
            raise BuilderError("Die Bezeichnung eines Zustands darf nicht leer sein.")
        if value is None or value is False:
            remove_key(table, key)
        else:
            set_key(table, key, value, STATE_ORDER)

    def move_state(self, state_id: str, step: int) -> None:
        states = self._aot("states")
        index = self._state_index(state_id)
        other = index + step
        if step not in (-1, 1) or not 0 <= other < len(states):
            raise BuilderError(
                "Der Zustand steht schon ganz " + ("oben." if step < 0 else "unten.")
            )
        swap_tables(states, index, other)

    # ---- transitions -----------------------------------------------------------------

    def add_transition(self, sources, to: str, label: str, roles, *, after: int = -2) -> int:
        """Add a transition from ``sources`` to ``to``; returns its position."""
        known = {s.id for s in self.states()}
        for state in [*sources, to]:
            if state not in known and state != "*":
                raise BuilderError(f"Den Zustand „{state}“ gibt es nicht.")
        label = " ".join(label.split())
        if not label:
            raise BuilderError("Bitte eine Bezeichnung für den Übergang angeben (Knopftext).")
        new = tomlkit.table()
        new.add("from", list(sources))
        new.add("to", to)
        new.add("label", label)
        new.add("roles", list(roles))
        transitions = self._aot("transitions")
        return insert_table(transitions, len(transitions) - 1 if after == -2 else after, new)

    def set_transition(self, index: int, key: str, value) -> None:
        """Set a key of transition ``index`` (None or "" removes it)."""
        if key not in TRANSITION_ORDER:
            raise BuilderError(f"„{key}“ lässt sich an einem Übergang nicht ändern.")
        table = self._transition(index)
        if value is None or value == "":
            remove_key(table, key)
        else:
            set_key(table, key, value, TRANSITION_ORDER)

    def remove_transition(self, index: int) -> None:
        self._transition(index)
        delete_table(self._aot("transitions"), index)

    # ---- deadlines and documents (schema/builder/workflow_parts.py) -------------------

    def deadlines(self) -> list[EntryView]:
        return entries(self.doc, "deadlines")

    def documents(self) -> list[EntryView]:
        return entries(self.doc, "documents")

    def add_deadline(self, state: str, label: str, days: int = 14) -> int:
        """Add a deadline ``days`` after entering ``state``; returns its position."""
        if state not in {s.id for s in self.states()}:
            raise BuilderError(f"Den Zustand „{state}“ gibt es nicht.")
        return add_deadline(self.doc, state, label, days)

    def add_document(self, document_id: str, label: str, template: str) -> int:
        """Add a document from ``template``; returns its position."""
        return add_document(self.doc, document_id, label, template)

    def set_part(self, kind: str, index: int, key: str, value) -> None:
        """Set a key of deadline/document ``index`` (``kind`` "deadlines"/"documents")."""
        set_entry(self.doc, kind, index, key, value)

    def remove_part(self, kind: str, index: int) -> None:
        remove_entry(self.doc, kind, index)

    def move_part(self, kind: str, index: int, step: int) -> None:
        move_entry(self.doc, kind, index, step)
