"""Validating a whole form: types, constraints, ``show_if``; one path for API and screens."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from ..schema.definitions import FieldDef, FormDef
from ..schema.dynamic_defaults import dynamic_default
from ..schema.expression_budget import ExpressionBudgetExceeded
from ..schema.expressions import evaluate_condition
from ..schema.fieldtypes import FieldError, field_type, quoted
from ..schema.show_if import show_if_order
from .computed import apply_computed
from .error_cap import cap_errors, unknown_keys_errors

log = logging.getLogger(__name__)


@dataclass
class FormResult:
    """Clean values of the visible fields, and German messages keyed by field (or cell)."""

    values: dict[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.errors


def typed_values(form: FormDef, values: dict[str, Any]) -> dict[str, Any]:
    """Clean values as typed Python values (dates, decimals) for expressions and templates."""
    out = {}
    for f in form.fields:
        value = values.get(f.name)
        ftype = field_type(f.type)
        # never-saved lists are empty lists, so `x|length` and loops work before the first save
        out[f.name] = ftype.empty_value() if value is None else ftype.to_python(f, value)
    return out


def visible_fields(form: FormDef, values: dict[str, Any]) -> tuple[list[FieldDef], set[str]]:
    """The fields shown for ``values`` (clean), and the names of those ``show_if`` hides."""
    typed = typed_values(form, values)
    hidden: set[str] = set()
    # dependencies first: a field hidden by its condition counts as empty for the conditions
    # after it (the browser does the same, server/static/verbund-forms.js)
    for name in show_if_order(form):
        f = form.field(name)
        # the form id first, so a field named like its form (goals.goals) wins as a bare name
        context = {form.id: typed, **typed}
        if not _shown(form, f, context):
            hidden.add(name)
            typed = {**typed, name: field_type(f.type).empty_value()}
    return [f for f in form.fields if f.name not in hidden], hidden


def _shown(form: FormDef, f: FieldDef, context: dict[str, Any]) -> bool:
    """The field's ``show_if``; one stopped by its work limits counts as false (hidden).

    Hidden, like every other condition that cannot be decided: a hidden field is neither
    validated nor stored, so the user can still save, and nothing is kept that the form
    might not have meant to ask (data minimisation). The browser cannot disagree for long:
    a ``show_if`` has no arithmetic there (:mod:`server.schema.show_if`), so only absurdly
    large values reach a limit. The log names the form, field and expression, no data.
    """
    try:
        return evaluate_condition(f.show_if, context)
    except ExpressionBudgetExceeded as exc:
        log.warning("Formular %s, Feld %s bleibt verborgen: %s", form.id, f.name, exc.message)
        return False


def validate_form(form: FormDef, raw: Any, links: Any = None) -> FormResult:
    """Clean and check ``raw`` ({field: raw value}) against ``form``.

    Every field is cleaned first, so ``show_if`` sees the values the user just entered; then
    hidden fields are dropped (neither validated nor stored) and the constraints of the visible
    ones are checked. Unknown keys are errors, so a typo in an API call does not vanish.
    The errors are capped (:mod:`.error_cap`): an answer never grows with the input.
    ``links`` (:class:`server.forms.links.Links`) checks references and files; without it
    they are only checked for form (the engine's own tests, the benchmark).
    """
    if not isinstance(raw, dict):
        return FormResult({}, {"data": ["Die Formulardaten müssen ein Objekt sein."]})
    errors: dict[str, list[str]] = {}
    known = set(form.field_names)
    # only counted here: a message for each of 600,000 unknown keys made a 50 MB answer
    unknown = [key for key in raw if key not in known]

    cleaned: dict[str, Any] = {}
    cell_errors: dict[str, dict[str, list[str]]] = {}
    for f in form.fields:
        ftype = field_type(f.type)
        if f.compute:  # the server computes it below; what a client sent is ignored
            cleaned[f.name] = None
            continue
        try:
            # a type with parts (a table) reports their errors as its own keys (table.0.col)
            cleaned[f.name], cells = ftype.clean_cells(f, raw.get(f.name), links)
            if cells:
                cell_errors[f.name] = cells
        except FieldError as exc:
            errors.setdefault(f.name, []).append(str(exc))
            cleaned[f.name] = None

    _, hidden = visible_fields(form, cleaned)
    apply_computed(form, cleaned, hidden)
    values: dict[str, Any] = {}
    for f in form.fields:
        if f.name in hidden:
            errors.pop(f.name, None)
            continue
        errors.update(cell_errors.get(f.name, {}))
        value = cleaned[f.name]
        if f.name in errors:
            continue
        ftype = field_type(f.type)
        if ftype.missing(f, value):
            if f.required:
                errors.setdefault(f.name, []).append(f"{quoted(f)} ist ein Pflichtfeld.")
            elif problems := ftype.minimum_problems(f):
                # "min_rows = 1" means at least one row, even on a field that is not required
                errors[f.name] = problems
            values[f.name] = ftype.stored_when_missing(value)
            continue
        problems = ftype.constraints(f, value)
        if problems:
            errors[f.name] = problems
        values[f.name] = value
    # the fields' own errors first, so the cap never hides them behind unknown keys
    for key, messages in unknown_keys_errors(unknown, form.title).items():
        errors.setdefault(key, []).extend(messages)
    return FormResult(values, cap_errors(errors), hidden)


def raw_from_formdata(form: FormDef, formdata: Any, prefix: str = "") -> dict[str, Any]:
    """The raw values of ``form`` in a submitted HTML form (a MultiDict)."""
    return {
        f.name: field_type(f.type).from_formdata(f, formdata, prefix + f.name) for f in form.fields
    }


def defaults(form: FormDef, lookup: Any = None) -> dict[str, Any]:
    """Initial values of a form nobody has saved yet.

    ``lookup(field)`` gives the raw value of a looked-up default (``user.name``,
    ``previous.<field>``: :mod:`server.schema.dynamic_defaults`), or None for none; without
    it (a preview) such fields start empty. A value that no longer fits the field is dropped.
    """
    out = {}
    for f in form.fields:
        if f.default is None:
            continue
        ftype = field_type(f.type)
        dynamic = dynamic_default(f.default) is not None
        if dynamic and lookup is None:
            continue
        try:
            raw = lookup(f) if dynamic else ftype.default_value(f)
            if raw is None:
                continue
            value = ftype.clean(f, raw)
            # a looked-up value may break this field's limits (an organisation's long name)
            if not dynamic or not (ftype.missing(f, value) or ftype.constraints(f, value)):
                out[f.name] = value
        except FieldError:
            continue
    return out
