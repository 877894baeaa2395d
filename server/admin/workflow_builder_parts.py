"""The workflow builder's deadlines and documents: posted inputs -> WorkflowModel edits.

Translation only (German input to TOML values, the choices a screen offers); the edits are
:mod:`server.schema.builder.workflow_parts`' and whether the values fit together is the
checker's answer after every change (``schema/deadline_keys.py``).
"""

from __future__ import annotations

import re
from typing import Any

from ..schema.builder.form_model import BuilderError
from ..schema.builder.key_names import KEY_INFO
from ..schema.builder.workflow_model import WorkflowModel
from ..schema.builder.workflow_parts import EntryView
from .form_builder_edits import technical_name

_WHOLE = re.compile(r"[+-]?\d{1,5}")
# the number inputs of the deadline editor, in the order they are shown
NUMBER_KEYS = ("days", "offset_days", "every_days", "escalate_after_days")
PATH_KEYS = ("from_field", "days_field", "done_field")
SCOPES = {"organisation": "in der Organisation des Vorgangs", "all": "alle mit dieser Rolle"}


def key_info(keys) -> dict[str, tuple[str, str]]:
    """German name and explanation of each key, for the editors' labels and hints."""
    return {key: KEY_INFO.get(key, (key, "")) for key in keys}


def workflow_fields(defs, model: WorkflowModel) -> dict[str, list[tuple[str, str]]]:
    """The fields of the workflow's forms a deadline or document may name, by use:
    ``date`` (dates and date columns), ``select`` (single choice), ``any`` (top-level)."""
    out: dict[str, list[tuple[str, str]]] = {"date": [], "select": [], "any": []}
    seen: set[str] = set()
    for state in model.states():
        for form_id in state.forms:
            form = defs.forms.get(form_id)
            if form is None or form_id in seen:
                continue
            seen.add(form_id)
            for field in form.fields:
                path, name = f"{form_id}.{field.name}", f"{form.title}: {field.label}"
                out["any"].append((path, name))
                if field.type in ("date", "select"):
                    out[field.type].append((path, name))
                for column in field.columns if field.type == "table" else ():
                    if column.type == "date":
                        out["date"].append(
                            (f"{path}.{column.name}", f"{name} – Spalte {column.label}")
                        )
    return out


def choices_of(defs, path: str) -> list[tuple[str, str]]:
    """The choices (value, label) of the select field ``form.field`` (empty if none)."""
    form_id, _, name = path.partition(".")
    form = defs.forms.get(form_id)
    field = form.field(name) if form else None
    return [(str(c.value), c.label) for c in field.choices] if field else []


def document_templates(names: list[str]) -> list[str]:
    """Templates a document may name: language versions (``x.en.docx``) are chosen by the
    document's ``language``, not named themselves."""
    return [n for n in names if n.lower().endswith(".docx") and n.count(".") == 1]


def _whole(key: str, text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not _WHOLE.fullmatch(text):
        name = KEY_INFO[key][0]
        raise BuilderError(f"„{name}“: „{text[:40]}“ ist keine ganze Zahl (z. B. 14 oder -7).")
    return int(text)


def add_deadline(model: WorkflowModel, form) -> int:
    """The „Frist hinzufügen“ form: state, label and days after entering the state."""
    days = _whole("days", str(form.get("new-deadline-days", ""))) or 14
    return model.add_deadline(
        str(form.get("new-deadline-state", "")), str(form.get("new-deadline-label", "")), days
    )


def save_deadline(model: WorkflowModel, index: int, form, defs) -> None:
    """Apply the deadline editor (only what changed; an empty input removes its key)."""
    view = _view(model.deadlines(), index, "Frist")
    wanted: dict[str, Any] = {}
    state = str(form.get("state", view.get("state")))
    if state not in {s.id for s in model.states()}:
        raise BuilderError(f"„Zustand“: den Zustand „{state[:60]}“ gibt es nicht.")
    wanted["state"] = state
    label = " ".join(str(form.get("label", view.label)).split())
    if not label:
        raise BuilderError("„Bezeichnung“: eine Frist braucht eine Bezeichnung.")
    wanted["label"] = label
    for key in NUMBER_KEYS:
        wanted[key] = _whole(key, str(form.get(key, view.get(key, ""))))
    for key in (*PATH_KEYS, "escalate_to"):
        wanted[key] = str(form.get(key, view.get(key, ""))).strip()
    scope = str(form.get("escalate_scope", view.get("escalate_scope", "")))
    # "organisation" is the default: written only where the file already spells it out
    written = scope == "all" or scope == view.get("escalate_scope")
    wanted["escalate_scope"] = scope if written and scope in SCOPES else ""
    wanted["days_by_choice"] = _days_by_choice(form, view, wanted["days_field"], defs)
    for key, value in wanted.items():
        if value != view.get(key, None) and not (value in ("", None) and key not in view.values):
            model.set_part("deadlines", index, key, value)


def _days_by_choice(form, view: EntryView, days_field: str, defs) -> dict[str, int]:
    """Days per choice of the chosen select field; values of the file that the field does
    not offer (any more) are kept, so the checker can name them."""
    current = dict(view.get("days_by_choice", {}) or {})
    if not days_field:
        return {}
    out = {}
    for value, _label in choices_of(defs, days_field):
        posted = form.get(f"dbc-{value}")
        days = _whole("days_by_choice", str(posted)) if posted is not None else current.get(value)
        if days is not None:
            out[value] = days
    for value, days in current.items():
        if value not in out and form.get(f"dbc-{value}") is None:
            out[value] = days
    return out


def add_document(model: WorkflowModel, form) -> int:
    """The „Dokument hinzufügen“ form: label, template and (optionally) the id."""
    label = " ".join(str(form.get("new-document-label", "")).split())
    if not label:
        raise BuilderError("Bitte eine Bezeichnung für das neue Dokument angeben.")
    document_id = str(form.get("new-document-id", "")).strip() or technical_name(label)
    return model.add_document(document_id, label, str(form.get("new-document-template", "")))


def save_document(model: WorkflowModel, index: int, form) -> None:
    """Apply the document editor (only what changed)."""
    view = _view(model.documents(), index, "Dokument")
    label = " ".join(str(form.get("label", view.label)).split())
    if not label:
        raise BuilderError("„Bezeichnung“: ein Dokument braucht eine Bezeichnung.")
    template = str(form.get("template", view.get("template"))).strip()
    if not template:
        raise BuilderError("„Word-Vorlage“: bitte eine Vorlage wählen.")
    known = [s.id for s in model.states()]
    states = [s for s in known if s in form.getlist("states")] if "states-shown" in form else None
    pdf = form.get("pdf") == "1"
    wanted = {
        "label": label,
        "template": template,
        "language": str(form.get("language", view.get("language", ""))).strip(),
    }
    if states is not None and set(states) != set(view.get("states", []) or []):
        wanted["states"] = states  # none ticked: in every state, as without the key
    if "formats-shown" in form and pdf != ("pdf" in (view.get("formats", []) or [])):
        wanted["formats"] = ["docx", "pdf"] if pdf else None
    for key, value in wanted.items():
        if value != view.get(key, None) and not (value in ("", None) and key not in view.values):
            model.set_part("documents", index, key, value or None)


def _view(views: list[EntryView], index: int, what: str) -> EntryView:
    if not 0 <= index < len(views):
        raise BuilderError(f"{what} Nr. {index + 1} gibt es nicht (mehr).")
    return views[index]
