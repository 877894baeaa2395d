"""What the form builder's buttons do to the draft: posted inputs -> edits of the model.

Only translation happens here (which input means which edit, German text to TOML values);
the edits themselves are :class:`server.schema.builder.form_model.FormModel`'s, and whether a
choice may go is the configuration service's question.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

from ..schema.builder.conditions import (
    Condition,
    clause_from_input,
    compares_as_number,
    read_condition,
    write_condition,
)
from ..schema.builder.form_model import BuilderError, FieldView, FormModel
from ..schema.fieldtypes import REGISTRY
from ..services.configuration.choice_usage import refuse_if_in_use
from ..services.errors import Conflict

_INT = re.compile(r"-?\d+")
_DECIMAL = re.compile(r"-?\d+[.,]\d+")
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
# keys whose value is a list of words (file kinds, the labels of a scale's points)
_LISTS = ("accept", "labels")


def technical_name(label: str) -> str:
    """A field or choice name from a German label: „Größe in m²“ -> ``groesse_in_m2``."""
    text = label.lower()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    if text[:1].isdigit():
        text = "f_" + text
    return text[:60].rstrip("_") or "feld"


def setting_value(key: str, text: str) -> Any:
    """A limit or setting typed into the builder as the TOML value to write (None: remove)."""
    text = text.strip()
    if not text:
        return None
    if key in _LISTS:
        return [word.strip() for word in text.split(",") if word.strip()]
    if _INT.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        return float(text.replace(",", "."))
    if match := _GERMAN_DATE.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
        try:
            return datetime(year, month, day).date().isoformat()
        except ValueError:
            raise BuilderError(f"„{text}“ ist kein gültiges Datum.") from None
    return text


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def settings_shown(view: FieldView) -> dict[str, str]:
    """The field's settings as the inputs show them."""
    return {key: _shown(value) for key, value in view.settings.items()}


def apply_editor(model: FormModel, form_id: str, path: str, form) -> None:
    """Apply the inputs of the field editor to the field at ``path`` (only what changed)."""
    view = model.field(path)
    for key, flag in (("required", view.required), ("personal", view.personal)):
        wanted = form.get(key) == "1"
        if wanted != flag:
            model.set_value(path, key, wanted)
    for key, current in (("label", view.label), ("help", view.help)):
        text = " ".join(str(form.get(key, current)).split()) if key == "label" else form.get(key)
        if text is not None and text.strip() != current:
            model.set_value(path, key, text.strip())
    if "/" not in path and "section" in form:
        heading = " ".join(form.get("section", "").split())
        if heading != view.section:
            model.set_value(path, "section", heading)
    shown = settings_shown(view)
    for key in _setting_keys(view):
        posted = form.get(f"set-{key}")
        if posted is not None and posted.strip() != shown.get(key, ""):
            model.set_value(path, key, setting_value(key, posted))
    for index, choice in enumerate(view.choices):
        label = form.get(f"choice-label-{index}")
        if label is not None and form.get(f"choice-value-{index}") == choice.value:
            if " ".join(label.split()) != choice.label:
                model.rename_choice(path, choice.value, label)
    if "/" not in path:
        _apply_condition(model, form_id, path, view, form)


def _setting_keys(view: FieldView) -> list[str]:
    from_type = [k for k in view.settings]
    return from_type + [k for k in type_setting_keys(view.type) if k not in from_type]


def type_setting_keys(type_name: str) -> tuple[str, ...]:
    """The keys of a type the editor offers as simple inputs (limits, pattern, …)."""
    ftype = REGISTRY.get(type_name)
    return tuple(k for k in (ftype.keys if ftype else ()) if k not in ("choices", "columns"))


def _apply_condition(model: FormModel, form_id: str, path: str, view: FieldView, form) -> None:
    mode = form.get("cond-mode")
    if mode == "text":
        text = " ".join(str(form.get("show_if", "")).split())
        if text != view.show_if:
            model.set_value(path, "show_if", text)
        return
    if mode != "rows":
        return
    types = {f.name: f.type for f in model.fields()}
    clauses = []
    rows = int(form.get("cond-rows", "0")) if str(form.get("cond-rows", "")).isdigit() else 0
    for index in range(min(rows, 20)):
        field = form.get(f"cond-field-{index}", "")
        if not field or field not in types or field == view.name:
            continue
        try:
            clauses.append(
                clause_from_input(
                    field,
                    form.get(f"cond-op-{index}", ""),
                    form.get(f"cond-value-{index}", ""),
                    compares_as_number(types[field]),
                )
            )
        except ValueError as exc:
            raise BuilderError(f"Bedingung, Zeile {index + 1}: {exc}") from None
    join = form.get("cond-join") if form.get("cond-join") in ("and", "or") else "and"
    wanted = Condition(tuple(clauses), join)
    current = read_condition(view.show_if, form_id, types)
    if current is None or current != wanted:
        model.set_value(path, "show_if", write_condition(wanted))


def remove_choice(model: FormModel, defs, form_id: str, path: str, value: str) -> None:
    """Remove a choice unless stored records hold it (then: how many, in German)."""
    view = model.field(path)
    label = next((c.label for c in view.choices if c.value == value), value)
    try:
        refuse_if_in_use(defs, form_id, path, value, label)
    except Conflict as exc:
        raise BuilderError(exc.message) from None
    model.remove_choice(path, value)


def add_choice(model: FormModel, path: str, form) -> None:
    """Add the choice typed into the editor's last row (its value made from the label)."""
    label = " ".join(str(form.get("new-choice-label", "")).split())
    if not label:
        raise BuilderError("Bitte eine Bezeichnung für die neue Auswahl angeben.")
    value = str(form.get("new-choice-value", "")).strip() or technical_name(label)
    model.add_choice(path, value, label)


def add_field(model: FormModel, form) -> str:
    """Add the field described by the „Feld hinzufügen“ form; returns its path."""
    label = " ".join(str(form.get("new-label", "")).split())
    if not label:
        raise BuilderError("Bitte eine Bezeichnung für das neue Feld angeben.")
    name = str(form.get("new-name", "")).strip() or technical_name(label)
    parent = str(form.get("new-parent", "")).strip()
    after = str(form.get("new-after", "")).strip()
    path = f"{parent}/{name}" if parent else name
    return model.add_field(str(form.get("new-type", "")), path, label, after=after)


# German names of the type keys the editor offers; a key of a type registered later that is
# missing here is shown under its own name (a type may add ``key_labels`` to name them)
SETTING_LABELS = {
    "min": "Kleinster erlaubter Wert",
    "max": "Größter erlaubter Wert",
    "min_length": "Mindestlänge (Zeichen)",
    "max_length": "Höchstlänge (Zeichen)",
    "pattern": "Muster der Eingabe (regulärer Ausdruck)",
    "min_items": "Mindestens so viele auswählen",
    "max_items": "Höchstens so viele auswählen",
    "min_rows": "Mindestzahl der Zeilen",
    "max_rows": "Höchstzahl der Zeilen",
    "workflow": "Ablauf, auf dessen Datensätze verwiesen wird (Id)",
    "accept": "Erlaubte Dateiarten (durch Komma getrennt, z. B. pdf, png)",
    "max_bytes": "Größte erlaubte Datei (Bytes)",
}


SETTING_EXPLANATIONS = {
    "min": "Kleinere Werte werden nicht angenommen (bei Datumsfeldern auch „today“: heute).",
    "max": "Größere Werte werden nicht angenommen (bei Datumsfeldern auch „today“: heute).",
    "pattern": "Nur Eingaben, die ganz auf dieses Muster passen, werden angenommen.",
    "accept": "Andere Dateiarten werden beim Hochladen abgelehnt.",
    "max_bytes": "Größere Dateien werden beim Hochladen abgelehnt (z. B. 5000000 für 5 MB).",
    "workflow": "Die Id des Ablaufs, dessen Datensätze hier gewählt werden.",
}


def setting_labels(type_name: str) -> dict[str, str]:
    """German names of the type's keys: the table above, refined by the type's own."""
    ftype = REGISTRY.get(type_name)
    return {**SETTING_LABELS, **dict(getattr(ftype, "key_labels", {}) or {})}


def setting_explanations(type_name: str) -> dict[str, str]:
    """One-line explanations of the type's keys (the type's own win over the table)."""
    ftype = REGISTRY.get(type_name)
    return {**SETTING_EXPLANATIONS, **dict(getattr(ftype, "key_explanations", {}) or {})}


def types_with(key: str) -> set[str]:
    """Names of the registered types that take ``key`` (``choices``, ``columns``)."""
    return {name for name, ftype in REGISTRY.items() if key in ftype.keys}
