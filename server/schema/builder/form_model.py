"""The form builder's model: a form's TOML read with tomlkit, shown as fields, edited in place.

Every edit changes only the lines it is about; comments, blank lines, the order of keys and
the spelling of every value it does not touch stay byte for byte (``FormModel(t).text == t``
for every file). Fields are addressed by a *path*: ``"name"`` for a field, ``"table/column"``
for a column of a table field. Edits raise :class:`BuilderError` with a German message; whether
the result is a valid form is decided afterwards by the same checks as ``verbund check``.

Moving a field swaps it with its neighbour while section headings (``section = "…"``) and the
comments between fields stay at their place: moving the first field of a section up moves it
into the section before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Array, InlineTable, Table

from ..checking import id_problem
from ..fieldtypes import field_type, type_names
from ..toml_lines import parse_toml
from .form_steps_edit import follow_move
from .toml_edit import (
    choice_item,
    delete_table,
    empty_array,
    insert_table,
    remove_key,
    set_key,
    swap_tables,
)


class BuilderError(ValueError):
    """An edit that cannot be made; ``message`` is German and names the field."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ChoiceView:
    value: str
    label: str


@dataclass(frozen=True)
class FieldView:
    """One field (or table column) as the builder shows it."""

    path: str
    name: str
    type: str
    type_label: str
    label: str
    help: str = ""
    required: bool = False
    personal: bool = False
    section: str = ""
    show_if: str = ""
    choices: tuple[ChoiceView, ...] = ()
    columns: tuple[FieldView, ...] = ()
    # the type's own simple keys (limits, pattern, …) as written, key -> value
    settings: dict[str, Any] = field(default_factory=dict)
    known_type: bool = True
    # keys the builder shows but leaves to the text editor (default, compute, copy, …)
    text_only: dict[str, Any] = field(default_factory=dict)


# keys with their own editor (choices, columns) or none in the builder
_OWN_EDITOR = ("choices", "columns")
# keys shown with their German name, edited in the text (an expression, a table of rules)
TEXT_ONLY = ("default", "compute", "copy", "required_if")


def _plain(value: Any) -> Any:
    return value.unwrap() if hasattr(value, "unwrap") else value


def _choices(raw: Any) -> tuple[ChoiceView, ...]:
    out = []
    for item in raw if isinstance(raw, list) else ():
        if isinstance(item, str):
            out.append(ChoiceView(str(item), str(item)))
        elif isinstance(item, dict) and isinstance(item.get("value"), str):
            label = item.get("label", item["value"])
            out.append(ChoiceView(str(item["value"]), str(label)))
    return tuple(out)


class FormModel:
    """A form's TOML text, read with tomlkit; :attr:`text` is the edited text."""

    def __init__(self, text: str):
        try:
            self.doc = tomlkit.parse(text)
        except (TOMLKitError, ValueError) as exc:
            raise BuilderError(
                f"Der Text ist kein gültiges TOML; bitte zuerst im Texteditor beheben ({exc})."
            ) from None
        fields = self.doc.get("fields")
        if fields is not None and not isinstance(fields, AoT):
            raise BuilderError("„fields“ muss eine Liste von [[fields]]-Tabellen sein.")

    @property
    def text(self) -> str:
        return tomlkit.dumps(self.doc)

    @property
    def title(self) -> str:
        return str(self.doc.get("title", ""))

    # ---- reading ---------------------------------------------------------------------

    def _aot(self) -> AoT:
        fields = self.doc.get("fields")
        if fields is None:
            fields = tomlkit.aot()
            self.doc.append("fields", fields)
            fields = self.doc["fields"]
        return fields

    def fields(self) -> list[FieldView]:
        """Every field in file order, tables with their columns."""
        fields = self.doc.get("fields")
        return [self._view(t, "") for t in (fields or ())]

    def _view(self, table: Table, parent: str) -> FieldView:
        name = str(table.get("name", ""))
        ftype = str(table.get("type", ""))
        known = ftype in type_names()
        keys = field_type(ftype).keys if known else ()
        settings = {k: _plain(table[k]) for k in keys if k not in _OWN_EDITOR and k in table}
        columns = table.get("columns")
        path = f"{parent}/{name}" if parent else name
        return FieldView(
            path=path,
            name=name,
            type=ftype,
            type_label=field_type(ftype).label if known else ftype,
            label=str(table.get("label", "")),
            help=str(table.get("help", "")),
            required=table.get("required") is True,
            personal=table.get("personal") is True,
            section=str(table.get("section", "")),
            show_if=str(table.get("show_if", "")),
            choices=_choices(table.get("choices")),
            columns=tuple(self._view(c, name) for c in columns) if isinstance(columns, AoT) else (),
            settings=settings,
            known_type=known,
            text_only={k: _plain(table[k]) for k in TEXT_ONLY if k in table},
        )

    def field(self, path: str) -> FieldView:
        """The view of the field (or column) at ``path``."""
        parent, _, column = path.partition("/")
        view = self._view(self._table(parent), "")
        if not column:
            return view
        for col in view.columns:
            if col.name == column:
                return col
        raise BuilderError(f"Spalte „{column}“ gibt es in „{parent}“ nicht.")

    def _siblings(self, path: str) -> tuple[AoT, int]:
        """The array of tables holding the field at ``path`` and its index in it."""
        parent, _, column = path.partition("/")
        aot = self._aot()
        if column:
            table = aot[self._index(aot, parent, "Feld")]
            columns = table.get("columns")
            if not isinstance(columns, AoT):
                raise BuilderError(f"Feld „{parent}“ hat keine Spalten.")
            return columns, self._index(columns, column, "Spalte")
        return aot, self._index(aot, parent, "Feld")

    @staticmethod
    def _index(aot: AoT, name: str, what: str) -> int:
        for index, table in enumerate(aot):
            if table.get("name") == name:
                return index
        raise BuilderError(f"{what} „{name}“ gibt es nicht (mehr).")

    def _table(self, path: str) -> Table:
        aot, index = self._siblings(path)
        return aot[index]

    # ---- fields ----------------------------------------------------------------------

    def add_field(self, type_name: str, name: str, label: str, *, after: str = "") -> str:
        """Add a field of ``type_name`` (after the field ``after``, else at the end;
        ``after`` = "table" with a name "table/column" adds a column). Returns its path."""
        parent, _, own = name.rpartition("/")
        if type_name not in type_names():
            raise BuilderError(f"Unbekannter Feldtyp „{type_name}“.")
        if problem := id_problem(own, "Der Feldname"):
            raise BuilderError(problem)
        label = " ".join(label.split())
        if not label:
            raise BuilderError("Bitte eine Bezeichnung angeben (so sehen es die Mitarbeitenden).")
        if parent:
            table = self._table(parent)
            if "columns" not in field_type(str(table.get("type"))).keys:
                raise BuilderError(f"Feld „{parent}“ ist keine Tabelle.")
            if not field_type(type_name).in_columns:
                raise BuilderError(f"Eine Tabellenspalte kann nicht vom Typ „{type_name}“ sein.")
            if "columns" not in table:
                table.append("columns", tomlkit.aot())
            aot = table["columns"]
        else:
            aot = self._aot()
        if any(t.get("name") == own for t in aot):
            raise BuilderError(f"Ein Feld „{own}“ gibt es schon; bitte einen anderen Namen.")
        new = tomlkit.table()
        new.add("name", own)
        new.add("type", type_name)
        new.add("label", label)
        if "choices" in field_type(type_name).keys:
            new.add("choices", empty_array())
        position = len(aot) - 1
        if after:
            _, position = self._siblings(f"{parent}/{after}" if parent else after)
        if not parent and len(aot):
            self._join_step(own, str(aot[position].get("name", "")))
        insert_table(aot, position, new)
        return name

    def _step_lists(self) -> list[Array]:
        """The ``fields`` lists of the form's [[steps]] (steps by section need no care)."""
        steps = self.doc.get("steps")
        if not isinstance(steps, AoT):
            return []
        return [s["fields"] for s in steps if isinstance(s.get("fields"), Array)]

    def _join_step(self, name: str, neighbour: str) -> None:
        # a stepped form needs every field in a step: the new one joins its neighbour's
        for names in self._step_lists():
            if neighbour in names:
                names.insert(list(names).index(neighbour) + 1, name)
                return

    def move_field(self, path: str, step: int) -> None:
        """Move a field one place up (``step`` -1) or down (+1); headings stay in place."""
        aot, index = self._siblings(path)
        other = index + step
        if step not in (-1, 1) or not 0 <= other < len(aot):
            raise BuilderError("Das Feld steht schon ganz " + ("oben." if step < 0 else "unten."))
        headings = [aot[index].get("section"), aot[other].get("section")]
        names = [str(aot[index].get("name", "")), str(aot[other].get("name", ""))]
        swap_tables(aot, index, other)
        # the heading of a section belongs to its position, not to the field that started it
        for position, heading in ((index, headings[0]), (other, headings[1])):
            table = aot[position]
            if heading is None:
                remove_key(table, "section")
            elif table.get("section") != heading:
                remove_key(table, "section")
                set_key(table, "section", _plain(heading))
        if "/" not in path:
            follow_move(self.doc, names[0], names[1], step)

    def remove_field(self, path: str) -> None:
        """Remove the field (its stored values stay in records; publishing counts them)."""
        aot, index = self._siblings(path)
        heading = aot[index].get("section")
        if heading is not None and index + 1 < len(aot) and "section" not in aot[index + 1]:
            set_key(aot[index + 1], "section", _plain(heading))
        if "/" not in path:
            for names in self._step_lists():
                if path in names:
                    del names[list(names).index(path)]
        delete_table(aot, index)

    def set_value(self, path: str, key: str, value: Any) -> None:
        """Set a key of a field (None or "" removes it; ``required``/``personal`` False too)."""
        if key in ("name", "type", *_OWN_EDITOR):
            raise BuilderError(f"„{key}“ lässt sich hier nicht ändern.")
        table = self._table(path)
        if key == "label" and not str(value or "").strip():
            raise BuilderError("Die Bezeichnung darf nicht leer sein.")
        if value is None or value == "" or (key in ("required", "personal") and value is False):
            remove_key(table, key)
        else:
            set_key(table, key, value)

    # ---- choices ---------------------------------------------------------------------

    def _choice_array(self, path: str) -> Array:
        table = self._table(path)
        choices = table.get("choices")
        if choices is None:
            if "choices" not in field_type(str(table.get("type"))).keys:
                raise BuilderError(f"Feld „{path}“ hat keine Auswahl.")
            set_key(table, "choices", empty_array())
            choices = table["choices"]
        if not isinstance(choices, Array):
            raise BuilderError(f"„choices“ von „{path}“ ist keine Liste.")
        return choices

    def _choice_index(self, array: Array, value: str) -> int:
        for index, item in enumerate(array):
            if (item.get("value") if isinstance(item, dict) else item) == value:
                return index
        raise BuilderError(f"Die Auswahl „{value}“ gibt es nicht (mehr).")

    def add_choice(self, path: str, value: str, label: str) -> None:
        """Append a choice; its stored value ``value`` must be new in this field."""
        if problem := id_problem(value, "Der gespeicherte Wert"):
            raise BuilderError(problem)
        label = " ".join(label.split()) or value
        array = self._choice_array(path)
        if any(c.value == value for c in _choices(array)):
            raise BuilderError(f"Den Wert „{value}“ gibt es in dieser Auswahl schon.")
        like = next((item for item in array if isinstance(item, InlineTable)), None)
        if not array.as_string().strip("[] ") and len(array) == 0:
            array.multiline(True)
        array.append(choice_item(value, label, like))

    def rename_choice(self, path: str, value: str, label: str) -> None:
        """Give a choice a new label; its stored value stays, so no record changes."""
        label = " ".join(label.split())
        if not label:
            raise BuilderError("Die Bezeichnung einer Auswahl darf nicht leer sein.")
        array = self._choice_array(path)
        index = self._choice_index(array, value)
        item = array[index]
        if isinstance(item, InlineTable):
            item["label"] = label
        else:
            array[index] = choice_item(value, label, None)

    def move_choice(self, path: str, value: str, step: int) -> None:
        """Move a choice one place up (-1) or down (+1)."""
        array = self._choice_array(path)
        index = self._choice_index(array, value)
        other = index + step
        if step not in (-1, 1) or not 0 <= other < len(array):
            raise BuilderError(
                "Die Auswahl steht schon ganz " + ("oben." if step < 0 else "unten.")
            )
        first, second = array[index], array[other]
        array[index], array[other] = second, first

    def remove_choice(self, path: str, value: str) -> None:
        """Remove a choice. Whether records still hold it is for the caller to check first
        (:mod:`server.services.configuration.choice_usage`)."""
        array = self._choice_array(path)
        del array[self._choice_index(array, value)]


def field_at_line(text: str, line: int) -> str | None:
    """The name of the top-level field whose ``[[fields]]`` table holds ``line`` (None: the
    line is above the first field or the text does not parse)."""
    data, lines, _ = parse_toml(text)
    if data is None or not isinstance(data.get("fields"), list):
        return None
    found = None
    for index, table in enumerate(data["fields"]):
        if lines.line("fields", index) > line:
            break
        found = table.get("name") if isinstance(table, dict) else None
    return found if isinstance(found, str) else None
