"""Saving part of a form: one step of a stepped form, or rows copied from another form.

Both save like :func:`.changes.save_form` (new version, history entry, audit entry), but
only the part at hand must be valid: a stepped form is filled over several screens, so a
required field of step 4 may still be empty while step 1 is saved. The whole form is still
validated (``show_if`` may read any field of it); only the errors of the part stop the save,
and the screen lists the others with links (:mod:`server.web.form_steps`). The API keeps
saving whole forms with every check (:func:`.changes.save_form`).
"""

from __future__ import annotations

from typing import Any

from ...forms import validate_form
from ...forms.steps import field_of_key, kept_values, merged_input, rows_to_copy
from ...models import Record, User
from ...schema.definitions import Definitions, FormDef, WorkflowDef
from ..errors import Forbidden, Invalid, NotFound
from .access import get_readable, within_edit_scope
from .changes import check_form_editable, stale, workflow_of, write_form
from .form_defaults import initial_values
from .form_links import RecordLinks

CHECK_MARKED = "Bitte prüfen Sie die markierten Felder."


class PartInvalid(Invalid):
    """The part's own errors; ``input`` is the whole form's input to show again."""

    def __init__(self, message: str, errors: dict[str, list[str]], input_: dict[str, Any]):
        super().__init__(message, errors)
        self.input = input_


def _editable(
    defs: Definitions, user: User, record_id: Any, form_id: Any, version: Any
) -> tuple[Record, WorkflowDef, FormDef]:
    record = get_readable(defs, user, record_id)
    workflow = workflow_of(defs, record.workflow)
    stale_now = isinstance(version, int) and version != record.version
    try:
        check_form_editable(user, workflow, record, form_id)
    except Forbidden:
        if stale_now and within_edit_scope(user, workflow, record):
            raise stale(record.id) from None
        raise
    if stale_now:
        raise stale(record.id)
    return record, workflow, defs.forms[form_id]


def current_values(defs: Definitions, user: User, record: Record, form: FormDef) -> dict:
    """The form's saved values, or what it starts with when it was never saved."""
    saved = (record.data or {}).get(form.id)
    if isinstance(saved, dict):
        return saved
    return initial_values(defs, user, form, record.workflow, record.id)


def _save_part(
    defs: Definitions,
    user: User,
    record: Record,
    workflow: WorkflowDef,
    form: FormDef,
    merged: dict[str, Any],
    part: set[str],
    version: Any,
    **detail: Any,
) -> Record:
    result = validate_form(form, merged, RecordLinks(defs, user, record, form))
    own = {k: v for k, v in result.errors.items() if field_of_key(k) in part}
    if own:
        raise PartInvalid(CHECK_MARKED, own, merged)
    values = kept_values(form, result.values, merged, result.hidden)
    return write_form(defs, user, workflow, record, form.id, values, version, **detail)


def save_form_step(
    defs: Definitions,
    user: User,
    record_id: Any,
    form_id: Any,
    raw: dict[str, Any],
    version: Any,
    step: Any,
) -> Record:
    """Save the fields of step ``step`` (0-based) of a stepped form from ``raw``.

    Invalid (422) with the step's own errors; other steps' errors do not stop it.
    """
    record, workflow, form = _editable(defs, user, record_id, form_id, version)
    if not form.steps or not isinstance(step, int) or not 0 <= step < len(form.steps):
        raise NotFound(f"„{form.title}“ hat diesen Schritt nicht.")
    part = set(form.steps[step].fields)
    merged = merged_input(form, current_values(defs, user, record, form), raw, part)
    return _save_part(defs, user, record, workflow, form, merged, part, version, step=step + 1)


def copy_rows(
    defs: Definitions, user: User, record_id: Any, form_id: Any, field_name: Any, version: Any
) -> tuple[Record, int]:
    """Add the rows ``[fields.copy]`` of table ``field_name`` takes from the other form of
    the same record, and save; returns the record and how many rows were added (0: nothing
    new, nothing saved). Copying again adds no row twice (``copy.match``).

    When the added rows leave required cells empty, nothing is saved: PartInvalid carries
    the form with the rows, so the screen shows them for completing.
    """
    record, workflow, form = _editable(defs, user, record_id, form_id, version)
    field = form.field(field_name) if isinstance(field_name, str) else None
    if field is None or field.copy is None:
        raise NotFound("Diese Tabelle übernimmt keine Zeilen aus einem anderen Formular.")
    source_form = defs.forms.get(field.copy.form)
    source = source_form.field(field.copy.field) if source_form else None
    if source is None:
        raise NotFound(f"Das Formular „{field.copy.form}“ gibt es nicht mehr.")
    current = current_values(defs, user, record, form)
    existing = current.get(field.name) if isinstance(current.get(field.name), list) else []
    source_rows = ((record.data or {}).get(source_form.id) or {}).get(source.name)
    added = rows_to_copy(field, source, source_rows, existing)
    if not added:
        return record, 0
    merged = merged_input(form, current, {field.name: existing + added}, {field.name})
    saved = _save_part(
        defs,
        user,
        record,
        workflow,
        form,
        merged,
        {field.name},
        version,
        copied_from=field.copy.source,
        rows=len(added),
    )
    return saved, len(added)
