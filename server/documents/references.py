"""References in Word templates: the title of the record a reference points to.

A form stores a reference as a record id; a document should read "Sprachkurse B1", not "12".
But a document is read by everybody who may read its record, who may not all be allowed to
read the record it points to. So a title is printed only when *every* reader of the
document's workflow may read the target: the target's workflow has ``read_scope = "all"``
and either no ``read_roles`` (a directory everybody sees) or all the ``read_roles`` of the
document's workflow. Otherwise the document says "Nr. 12" – the same words the screen shows
to someone who may not read the target. Pseudonymised references (a case conference pointing
at a case) thereby stay pseudonymous on paper, too.
"""

from __future__ import annotations

from typing import Any

from ..models import Record
from ..schema.definitions import Definitions, FieldDef, WorkflowDef
from .xml_text import xml_text


class ReferenceValue(str):
    """A reference as a template sees it: prints the target's title (or "Nr. 12"); ``.id``."""

    id: int

    def __new__(cls, text: str, record_id: int) -> ReferenceValue:
        obj = super().__new__(cls, text)
        obj.id = record_id
        return obj

    def __reduce__(self):  # copies stay ReferenceValues
        return (ReferenceValue, (str(self), self.id))


def title_visible(defs: Definitions, source: WorkflowDef, target_id: str) -> bool:
    """Whether every reader of ``source`` records may read records of workflow ``target_id``."""
    target = defs.workflows.get(target_id)
    if target is None or target.read_scope != "all":
        return False
    if not target.read_roles:
        return True
    return bool(source.read_roles) and set(source.read_roles) <= set(target.read_roles)


def _reference_fields(field: FieldDef) -> list[tuple[FieldDef, FieldDef | None]]:
    """(reference field or column, its table or None) within one field."""
    # only the reference type has a ``workflow``; only a table has columns
    if field.workflow:
        return [(field, None)]
    return [(c, field) for c in field.columns if c.workflow]


def resolve_references(defs: Definitions, workflow: WorkflowDef, context: dict[str, Any]) -> None:
    """Replace the ids of reference fields in ``context`` (form id -> values) in place."""
    spots: list[tuple[dict, str, FieldDef]] = []  # (dict holding the value, key, field)
    for form_id in workflow.form_ids:
        form, values = defs.forms.get(form_id), context.get(form_id)
        if form is None or not isinstance(values, dict):
            continue
        for field in form.fields:
            for ref, table in _reference_fields(field):
                if table is None:
                    spots.append((values, ref.name, ref))
                    continue
                for row in values.get(table.name) or []:
                    if isinstance(row, dict):
                        spots.append((row, ref.name, ref))
    wanted: dict[str, set[int]] = {}
    for holder, key, ref in spots:
        if isinstance(holder.get(key), int) and title_visible(defs, workflow, ref.workflow or ""):
            wanted.setdefault(ref.workflow, set()).add(holder[key])
    titles: dict[tuple[str, int], str] = {}
    for target, ids in wanted.items():
        query = Record.select(Record.id, Record.title).where(
            Record.workflow == target, Record.id.in_(sorted(ids))
        )
        titles.update({(target, r.id): r.title for r in query})
    for holder, key, ref in spots:
        value = holder.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            title = titles.get((ref.workflow or "", value))
            holder[key] = ReferenceValue(xml_text(title or f"Nr. {value}"), value)
