"""Stepped forms and copied rows: the pure parts (no database), shared by screens and services.

A form with ``[[steps]]`` is shown one step at a time (:mod:`server.web.form_steps`) and saved
step by step; the stored data is the same one object the API reads and writes whole.
"""

from __future__ import annotations

from typing import Any

from ..schema.definitions import FieldDef, FormDef
from ..schema.fieldtypes import is_empty
from .validation import validate_form


def field_of_key(key: str) -> str:
    """The field an error key belongs to: ``goals.0.goal`` -> ``goals``."""
    return key.split(".", 1)[0]


def errors_by_step(form: FormDef, errors: dict[str, list[str]]) -> dict[int, dict[str, list[str]]]:
    """``errors`` (field or cell keys) grouped by the index of the step each field is in."""
    grouped: dict[int, dict[str, list[str]]] = {}
    for key, messages in errors.items():
        step = form.step_of(field_of_key(key))
        if step is not None:
            grouped.setdefault(step, {})[key] = messages
    return grouped


def open_errors(form: FormDef, values: dict[str, Any]) -> dict[int, dict[str, list[str]]]:
    """What is still missing or wrong in saved ``values``, by step (for the step list)."""
    known = {k: v for k, v in values.items() if k in form.field_names}
    return errors_by_step(form, validate_form(form, known).errors)


def merged_input(
    form: FormDef, current: dict[str, Any], raw: dict[str, Any], fields: set[str]
) -> dict[str, Any]:
    """The whole form's input: ``current`` (saved) values, with those of ``fields`` from
    ``raw``; keys the form no longer has are left out (they would be unknown-key errors)."""
    merged = {k: v for k, v in current.items() if k in form.field_names}
    merged.update({k: v for k, v in raw.items() if k in fields})
    return merged


def kept_values(
    form: FormDef, values: dict[str, Any], merged: dict[str, Any], hidden: set[str]
) -> dict[str, Any]:
    """Validated ``values`` plus the saved value of each visible field outside the step that
    no longer validates: a step's save never throws away what another step holds."""
    out = dict(values)
    for name in form.field_names:
        if name not in out and name not in hidden and name in merged:
            out[name] = merged[name]
    return out


def _cell(source: FieldDef | None, value: Any) -> Any:
    # a select's value becomes its label in a text column: people read labels
    if source is not None and source.choices and isinstance(value, str):
        return source.choice_label(value)
    return value


def _key(row: dict[str, Any], match: tuple[str, ...]) -> tuple:
    return tuple(row.get(m).strip() if isinstance(row.get(m), str) else row.get(m) for m in match)


def rows_to_copy(
    field: FieldDef, source: FieldDef, source_rows: Any, existing: Any
) -> list[dict[str, Any]]:
    """The rows ``field.copy`` adds: one per source row, mapped by ``copy.columns``, except
    those whose ``copy.match`` columns equal a row already there (so copying twice adds
    nothing) or are all empty."""
    copy = field.copy
    if copy is None or not isinstance(source_rows, list):
        return []
    columns = {c.name: c for c in source.columns}
    targets = {c.name: c for c in field.columns}
    seen = {_key(row, copy.match) for row in existing or [] if isinstance(row, dict)}
    added = []
    for row in source_rows:
        if not isinstance(row, dict):
            continue
        new = {}
        for target, origin in copy.columns:
            value = _cell(columns.get(origin), row.get(origin))
            if not is_empty(value) and target in targets:
                new[target] = value
        key = _key(new, copy.match)
        if all(is_empty(part) for part in key) or key in seen:
            continue
        seen.add(key)
        added.append(new)
    return added


def copy_label(field: FieldDef, source_title: str) -> str:
    """The button's text: the TOML ``label``, else „Aus „<form title>“ übernehmen“."""
    if field.copy is None:
        return ""
    return field.copy.label or f"Aus „{source_title}“ übernehmen"
