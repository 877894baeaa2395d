"""``scale``: one point of a scale from 1 to n (``points``, default 5), e.g. satisfaction.

``labels`` names every point (as many texts as points) or only the two ends. Stored and read
in the API as the number; expressions see the number, templates a
:class:`~.template_data.ScaleValue` (prints the number, ``|label`` gives its text). The
screen draws a row of radio buttons in a fieldset: keyboard (arrow keys) and screen readers
know it, and it wraps at 320 px.
"""

from __future__ import annotations

import re

from ..checking import kind
from .base import FieldError, FieldType, is_empty, quoted
from .template_data import ScaleValue, Shape

DEFAULT_POINTS = 5
MAX_POINTS = 11  # 0..10 is the largest scale in use (NPS); ours starts at 1


def points(field) -> int:
    """The number of points of a scale field."""
    return field.option("points") or DEFAULT_POINTS


def point_label(field, point: int) -> str:
    """The text of one point: its own label, the end's label, or nothing."""
    labels = field.option("labels") or ()
    if len(labels) == points(field):
        return labels[point - 1]
    if len(labels) == 2 and point in (1, points(field)):
        return labels[0] if point == 1 else labels[1]
    return ""


class ScaleType(FieldType):
    name = "scale"
    label = "Skala"
    explanation = (
        "Ein Punkt einer Skala von 1 bis n mit Beschriftung, z. B. Zufriedenheit "
        "(Zahl der Punkte und ihre Beschriftungen einstellbar)."
    )
    keys = ("points", "labels")
    key_labels = {"points": "Zahl der Punkte", "labels": "Beschriftung der Punkte"}
    key_explanations = {
        "points": "Wie viele Punkte die Skala hat, von 1 an gezählt (leer: 5).",
        "labels": "Je Punkt eine Beschriftung, durch Komma getrennt, vom ersten Punkt an.",
    }
    widget = "scale"
    in_columns = False  # a row of radio buttons does not fit a table cell
    usable_as_title = False
    searchable = False

    def read_keys(self, c, table, keypath, where):
        count = c.count(table, "points", keypath, where, 2)
        if count is not None and count > MAX_POINTS:
            c.add(keypath + ("points",), f"{where}„points“ darf höchstens {MAX_POINTS} sein")
            count = None
        count = count or DEFAULT_POINTS
        labels = table.get("labels", [])
        at = keypath + ("labels",)
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            c.add(at, f"{where}„labels“ muss eine Liste von Texten sein, nicht {kind(labels)}")
            labels = []
        elif labels and len(labels) not in (2, count):
            c.add(at, f"{where}„labels“ braucht {count} Texte (einen je Punkt) oder 2 "
                  f"(für beide Enden), nicht {len(labels)}")  # fmt: skip
            labels = []
        return {"points": count, "labels": tuple(labels)}

    def read_default(self, c, value, at, where, values):
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not (1 <= value <= values["points"])
        ):
            c.add(at, f"{where}„default“ muss eine ganze Zahl von 1 bis {values['points']} "
                  f"sein, nicht {kind(value)}")  # fmt: skip
            return None
        return value

    def clean(self, field, raw):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        wrong = FieldError(f"{quoted(field)}: Bitte einen Wert von 1 bis {points(field)} wählen.")
        if isinstance(raw, bool):
            raise wrong
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, str):
            if not re.fullmatch(r"\d{1,2}", raw.strip(), re.ASCII):
                raise wrong
            raw = int(raw)
        if not isinstance(raw, int) or not 1 <= raw <= points(field):
            raise wrong
        return raw

    def to_python(self, field, value):
        return value

    def display(self, field, value, lookup=None):
        if is_empty(value):
            return ""
        if isinstance(value, bool) or not isinstance(value, int):
            return str(value)  # saved before the field was a scale
        text = f"{value} von {points(field)}"
        label = point_label(field, value) if 1 <= value <= points(field) else ""
        return f"{text} – {label}" if label else text

    def template_value(self, field, value):
        if isinstance(value, int) and not isinstance(value, bool):
            label = point_label(field, value) if 1 <= value <= points(field) else ""
            return ScaleValue(value, label or str(value))
        return value

    def template_shape(self, field, path):
        return Shape("value", f"„{path}“", type="scale", choices=True)

    def focus_id(self, field, name):
        return f"{name}-1"

    def choices(self, field) -> list[tuple[int, str]]:
        """Every point with its label, for the widget."""
        return [(n, point_label(field, n)) for n in range(1, points(field) + 1)]

    def sample(self, field, high):
        return points(field) if high else 1

    def browser_spec(self, field):
        return {**super().browser_spec(field), "points": points(field)}

    def api_schema(self, field=None):
        return {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_POINTS,
                "description": "ein Punkt von 1 bis options.points"}  # fmt: skip
