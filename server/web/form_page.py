"""The editable forms of the record page: what each needs to render, and saving with files.

Kept apart from :mod:`server.web.records` (the page and its actions) so that the form
engine's screen side — conditions, files, references — lives in one place.
"""

from __future__ import annotations

from typing import Any

from ..forms import field_type, validate_form
from ..forms.conditions import browser_spec
from ..forms.filekinds import KINDS
from ..forms.links import accepted, size_label
from ..forms.steps import copy_label
from ..forms.validation import visible_fields
from ..models import Record, Upload, User
from ..models.fast import Slot, cached_select
from ..schema.definitions import Definitions, FieldDef, FormDef
from ..services.errors import Invalid
from ..services.records.form_links import reference_ids
from ..services.records.uploads import store_upload, upload_limit
from .base import runtime
from .values import ValueLookup, input_values

# what the file chooser offers by name; the server still checks the content
EXTENSIONS = {
    "pdf": ".pdf",
    "png": ".png",
    "jpeg": ".jpg,.jpeg",
    "docx": ".docx",
    "xlsx": ".xlsx",
    "txt": ".txt",
}


def form_panel(
    form: FormDef,
    values: dict[str, Any],
    raw: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """One form of the record page: input values, errors, hidden fields, browser conditions.

    ``raw`` is what the user sent when a save failed: it is shown again as typed, and the
    fields hidden are those its values hide.
    """
    if raw is not None:
        hidden = validate_form(form, raw).hidden
        shown = raw
    else:
        hidden = visible_fields(form, values)[1]
        shown = input_values(form, values)
    return {
        "form": form,
        "values": shown,
        "errors": errors or {},
        "hidden": hidden,
        "spec": browser_spec(form),
    }


def unsaved_input(form: FormDef, raw: dict[str, Any]) -> list[tuple[str, str]]:
    """What someone typed into a form that this record no longer offers (a step was taken
    meanwhile), as (label, text): shown on the page so that nothing typed is lost."""

    def text(field: FieldDef, value: Any) -> str:
        labels = {c.value: c.label for c in field.choices or ()}
        if isinstance(value, list):
            if all(isinstance(row, dict) for row in value):  # table rows
                columns = {c.name: c for c in field.columns}
                return " · ".join(
                    ", ".join(
                        f"{columns[k].label}: {text(columns[k], v)}"
                        for k, v in row.items()
                        if k in columns and v not in (None, "", [])
                    )
                    for row in value
                )
            return ", ".join(labels.get(str(v), str(v)) for v in value)
        if field_type(field.type).widget == "checkbox":
            return "Ja" if value else ""
        return labels.get(str(value), str(value))

    lines = []
    for field in form.fields:
        shown = text(field, raw.get(field.name)) if raw.get(field.name) is not None else ""
        if shown.strip(" ·,"):
            lines.append((field.label, shown))
    return lines


def page_extras(defs: Definitions, user: User, record: Record, forms: list[FormDef]) -> dict:
    """What the field macros need beyond values: the record's files and upload limits.

    The files are read only when a form shown has a file field (only the file widget
    asks for them, and most pages show none: a closed case shows no form at all)."""
    with_files = any(field_type(f.type).widget == "file" for form in forms for f in form.fields)
    uploads = (
        {
            str(u.id): u.as_value()
            for u in cached_select("record.uploads", _uploads, record=record.id)
        }
        if with_files
        else {}
    )
    limit = upload_limit(runtime().settings)
    return {"uploads": uploads, "upload_limit": limit, "file_input": file_input_attrs}


def _uploads():
    return Upload.select().where(Upload.record == Slot("record")).order_by(Upload.id)


def file_input_attrs(field: FieldDef, limit: int) -> dict[str, str]:
    """Attributes of a file chooser: what it offers, and the size the browser checks first."""
    kinds = accepted(field)
    most = min(x for x in (field.max_bytes, limit) if x)
    return {
        "accept": ",".join(EXTENSIONS[k] for k in kinds),
        "max": str(most),
        "too_large": f"„{field.label}“: Die Datei ist zu groß (höchstens {size_label(most)}).",
        "kinds": ", ".join(KINDS[k].label for k in kinds),
    }


def value_lookup(defs: Definitions, user: User, forms_values) -> ValueLookup:
    """A lookup with the titles of every record the given (form, values) pairs refer to."""
    lookup = ValueLookup(defs, user)
    ids: set[int] = set()
    for form, values in forms_values:
        ids |= {record_id for _, record_id in reference_ids(form, values)}
    lookup.prefetch(ids)
    return lookup


def attach_uploads(
    defs: Definitions, user: User, record: Record, form: FormDef, files, raw: dict[str, Any]
) -> None:
    """Store the files chosen in the form's file fields and put their ids into ``raw``.

    A file that cannot be taken (too big, wrong kind) leaves its field as it was and raises
    Invalid with every message of the form, so the page shows all of them at once and keeps
    what was typed; files that were fine stay uploaded and are kept in the re-shown form.
    """
    prefix = f"{form.id}-"
    problems: dict[str, list[str]] = {}
    for field in form.fields:
        if field_type(field.type).widget != "file":
            continue
        chosen = files.get(f"{prefix}{field.name}-_upload")
        if chosen is None or not chosen.filename:
            continue
        try:
            upload = store_upload(
                defs,
                runtime().settings,
                user,
                record.id,
                chosen.filename,
                chosen.stream,
                form_id=form.id,
                field_name=field.name,
            )
        except Invalid as exc:
            problems[field.name] = (exc.errors or {}).get(field.name) or [exc.message]
        else:
            raw[field.name] = str(upload.id)
    if problems:
        errors = {**validate_form(form, raw).errors, **problems}
        raise Invalid("Bitte prüfen Sie die markierten Felder.", errors)


def copy_buttons(defs: Definitions, state_forms) -> dict[str, list[dict[str, str]]]:
    """For each form of the page, its tables that take rows over from another form
    (``[fields.copy]``): the field, the table's label and the button's text."""
    out: dict[str, list[dict[str, str]]] = {}
    for item in state_forms:
        for field in item.form.fields:
            if field.copy is None:
                continue
            source = defs.forms.get(field.copy.form)
            out.setdefault(item.form.id, []).append(
                {
                    "field": field.name,
                    "table": field.label,
                    "label": copy_label(field, source.title if source else field.copy.form),
                }
            )
    return out
