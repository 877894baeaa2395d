"""Types with fixed answers: ``boolean`` (yes/no), ``select`` (one) and ``multiselect``."""

from __future__ import annotations

from typing import Any

from ...german import yes_no
from ..checking import kind
from ..definitions import Choice
from .base import FieldError, FieldType, count, is_empty, quoted
from .template_data import VALUE, ChoiceValue, Shape

TRUE_WORDS = {"true", "1", "on", "yes", "ja", "y"}
FALSE_WORDS = {"false", "0", "off", "no", "nein", "n", ""}
_CHOICE_KEYS = ("value", "label")


def read_choices(c, table: dict, ftype: str, keypath, where: str) -> tuple[Choice, ...]:
    """``choices``: strings (value = label) or ``{value, label}`` tables."""
    if "choices" not in table:
        c.add(
            keypath,
            f"{where}„choices“ fehlt: ein Feld vom Typ „{ftype}“ braucht Auswahlmöglichkeiten",
        )
        return ()
    raw = table["choices"]
    at = keypath + ("choices",)
    if not isinstance(raw, list) or not raw:
        c.add(
            at,
            f'{where}„choices“ muss eine nicht leere Liste sein, z. B. ["a", "b"] '
            'oder [{value = "a", label = "A"}]',
        )
        return ()
    choices: list[Choice] = []
    for index, item in enumerate(raw):
        item_at = at + (index,)
        if isinstance(item, str):
            value, label = item, item
        elif isinstance(item, dict):
            c.unknown_keys(item, _CHOICE_KEYS, item_at, f"{where}Auswahl Nr. {index + 1}: ")
            value = item.get("value")
            label = item.get("label", value)
            if not isinstance(label, str):
                c.add(item_at, f"{where}Auswahl Nr. {index + 1}: „label“ muss ein Text sein")
                label = str(value)
        else:
            value, label = None, ""
        if not isinstance(value, str) or not value:
            c.add(
                item_at,
                f"{where}Auswahl Nr. {index + 1} braucht einen Wert (Text), "
                f"nicht {kind(value if isinstance(item, dict) else item)}",
            )
            continue
        if any(ch.value == value for ch in choices):
            c.add(item_at, f"{where}Auswahlwert „{value}“ steht doppelt")
            continue
        choices.append(Choice(value=value, label=label))
    return tuple(choices)


def _check_in_choices(c, at, where: str, values: list, choices) -> None:
    known = {choice.value for choice in choices}
    for value in values:
        if choices and value not in known:
            c.add(at, f"{where}„default“ „{value}“ ist keiner der Auswahlwerte")


class BooleanType(FieldType):
    name = "boolean"
    label = "Ja/Nein"
    explanation = "Ein Kästchen zum Ankreuzen; Pflicht heißt: muss angekreuzt sein."
    widget = "checkbox"
    searchable = False  # "Ja"/"Nein" finds nothing anybody looks for

    def read_default(self, c, value, at, where, values):
        if isinstance(value, bool):
            return value
        c.add(at, f"{where}„default“ muss true oder false sein, nicht {kind(value)}")
        return None

    def clean(self, field, raw):
        if raw is None or isinstance(raw, bool):
            return bool(raw)
        if isinstance(raw, int) and raw in (0, 1):
            return bool(raw)
        if isinstance(raw, str) and raw.strip().lower() in TRUE_WORDS | FALSE_WORDS:
            return raw.strip().lower() in TRUE_WORDS
        raise FieldError(f"{quoted(field)}: Bitte Ja oder Nein angeben.")

    def missing(self, field, value):
        # a required box must be ticked: "not ticked" is the empty answer
        return is_empty(value) or (field.required and value is False)

    def stored_when_missing(self, value):
        return bool(value)

    def display(self, field, value, lookup=None):
        return yes_no(value)

    def input_value(self, field, value):
        return bool(value)

    def api_schema(self, field=None):
        return {"type": ["boolean", "null"]}

    def sample(self, field, high):
        return high


class SelectType(FieldType):
    name = "select"
    label = "Auswahl (eine)"
    explanation = "Genau ein Eintrag aus einer festen Liste (choices)."
    keys = ("choices",)
    widget = "select"

    def read_keys(self, c, table, keypath, where):
        return {"choices": read_choices(c, table, self.name, keypath, where)}

    def read_default(self, c, value, at, where, values):
        if not isinstance(value, str):
            c.add(at, f"{where}„default“ muss einer der Auswahlwerte sein, nicht {kind(value)}")
            return None
        _check_in_choices(c, at, where, [value], values["choices"])
        return value

    def clean(self, field, raw):
        if raw is None or raw == "":
            return None
        if not isinstance(raw, (str, int)) or isinstance(raw, bool):
            raise FieldError(f"{quoted(field)}: Bitte einen Eintrag aus der Liste wählen.")
        value = str(raw)
        if value not in {c.value for c in field.choices}:
            raise FieldError(f"{quoted(field)}: „{value[:40]}“ ist keine der Auswahlmöglichkeiten.")
        return value

    def display(self, field, value, lookup=None):
        return field.choice_label(value)

    def template_value(self, field, value):
        if value is None:
            return None
        return ChoiceValue(str(value), field.choice_label(value))

    def template_shape(self, field, path):
        return Shape("value", f"„{path}“", {"label": VALUE}, type="select", choices=True)

    def api_schema(self, field=None):
        return {"type": ["string", "null"], "description": "einer der Werte aus choices"}

    def sample(self, field, high):
        values = [c.value for c in field.choices]
        if not values:
            return super().sample(field, high)
        return values[-1] if high else values[0]

    def browser_spec(self, field):
        return {**super().browser_spec(field), "choices": [c.value for c in field.choices]}


class MultiselectType(SelectType):
    name = "multiselect"
    label = "Auswahl (mehrere)"
    explanation = "Beliebig viele Einträge aus einer festen Liste; Mindest- und Höchstzahl."
    keys = ("choices", "min_items", "max_items")
    widget = "checkboxes"
    native_required = False
    empty: Any = []
    usable_as_title = False

    def focus_id(self, field, name):
        return f"{name}-1"  # the first box (templates/verbund/_widgets.html)

    def read_keys(self, c, table, keypath, where):
        values = {
            "min_items": c.count(table, "min_items", keypath, where, 0),
            "max_items": c.count(table, "max_items", keypath, where, 1),
        }
        c.ordered(keypath, where, "min_items", values["min_items"], "max_items",
                  values["max_items"])  # fmt: skip
        values.update(super().read_keys(c, table, keypath, where))
        if values["choices"]:
            for key in ("min_items", "max_items"):
                if (values[key] or 0) > len(values["choices"]):
                    c.add(
                        keypath + (key,),
                        f"{where}„{key}“ ({values[key]}) ist größer als die "
                        f"Zahl der Auswahlmöglichkeiten ({len(values['choices'])})",
                    )
        return values

    def read_default(self, c, value, at, where, values):
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            c.add(
                at,
                f"{where}„default“ muss eine Liste von Auswahlwerten sein, nicht {kind(value)}",
            )
            return None
        _check_in_choices(c, at, where, value, values["choices"])
        return value

    def clean(self, field, raw):
        if raw is None or raw == "":
            return []
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list):
            raise FieldError(f"{quoted(field)}: Bitte eine Liste von Einträgen angeben.")
        allowed = {c.value for c in field.choices}
        values: list[str] = []
        for item in raw:
            if (
                not isinstance(item, (str, int))
                or isinstance(item, bool)
                or str(item) not in allowed
            ):
                raise FieldError(
                    f"{quoted(field)}: „{str(item)[:40]}“ ist keine der Auswahlmöglichkeiten."
                )
            if str(item) not in values:
                values.append(str(item))
        # keep the order of the choices, so equal selections compare equal
        order = [c.value for c in field.choices]
        return sorted(values, key=order.index)

    def from_formdata(self, field, formdata, key):
        return formdata.getlist(key)

    def constraints(self, field, value):
        out = []
        if field.min_items is not None and len(value) < field.min_items:
            least = count(field.min_items, "Eintrag", "Einträge")
            out.append(f"{quoted(field)}: mindestens {least} wählen.")
        if field.max_items is not None and len(value) > field.max_items:
            most = count(field.max_items, "Eintrag", "Einträge")
            out.append(f"{quoted(field)}: höchstens {most} wählen.")
        return out

    def minimum_problems(self, field):
        return self.constraints(field, [])

    def display(self, field, value, lookup=None):
        return ", ".join(field.choice_label(v) for v in value or [])

    def input_value(self, field, value):
        return list(value or [])

    def template_value(self, field, value):
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        return [ChoiceValue(str(v), field.choice_label(v)) for v in items]

    def template_shape(self, field, path):
        shown = f"„{path}“"
        item = Shape("value", f"ein Eintrag von {shown}", {"label": VALUE}, choices=True)
        return Shape("list", shown, item=item, type="multiselect", choices=True)

    def api_schema(self, field=None):
        return {"type": "array", "items": {"type": "string"}}

    def sample(self, field, high):
        return [c.value for c in field.choices] if high else []
