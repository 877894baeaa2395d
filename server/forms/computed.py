"""Calculated fields on saving: the server computes them, whatever the client sent.

:func:`apply_computed` runs in :func:`server.forms.validation.validate_form` after the
``show_if`` conditions were decided, so a hidden field counts as empty for a computation
(and a computed field a condition hides is not stored, like any hidden field). The value
is stored in the record's data like a typed-in one, so workflow guards (``when``), Word
templates and statistics read it without knowing it was computed.
"""

from __future__ import annotations

import logging
from typing import Any

from .. import clock
from ..schema.compute import ComputeError, compute_order, compute_tree
from ..schema.compute_eval import evaluate_compute, stored_value
from ..schema.definitions import FormDef
from ..schema.expression_budget import ExpressionBudgetExceeded
from ..schema.fieldtypes import field_type
from ..schema.show_if import form_prefix

log = logging.getLogger(__name__)

_CACHE: dict[int, tuple[FormDef, list[tuple[str, dict[str, Any]]]]] = {}


def computed_trees(form: FormDef) -> list[tuple[str, dict[str, Any]]]:
    """[(field, tree)] of the form's computed fields, each after those it reads."""
    cached = _CACHE.get(id(form))
    if cached is not None and cached[0] is form:
        return cached[1]
    prefix = form_prefix(form.id, set(form.field_names))
    trees: dict[str, dict[str, Any]] = {}
    for f in form.fields:
        if f.compute:
            try:
                trees[f.name] = compute_tree(f.compute, prefix, form.fields)
            except ComputeError:
                # cannot happen for a checked form; the field then stays empty on both sides
                trees[f.name] = {"t": "none"}
    ordered = [(name, trees[name]) for name in compute_order(trees)]
    if len(_CACHE) > 2000:  # definitions are republished now and then; stay bounded
        _CACHE.clear()
    _CACHE[id(form)] = (form, ordered)
    return ordered


def apply_computed(form: FormDef, cleaned: dict[str, Any], hidden: set[str]) -> None:
    """Put the computed values into ``cleaned`` (clean values, as stored), in place."""
    trees = computed_trees(form)
    if not trees:
        return
    typed: dict[str, Any] = {}
    for f in form.fields:
        value = None if f.name in hidden else cleaned.get(f.name)
        ftype = field_type(f.type)
        typed[f.name] = ftype.empty_value() if value is None else ftype.to_python(f, value)
    today = clock.today()
    for name, tree in trees:
        f = form.field(name)
        if name in hidden:
            cleaned[name] = None
            continue
        try:
            number = evaluate_compute(f.compute, tree, typed, today)
        except ExpressionBudgetExceeded as exc:
            log.warning("Formular %s, Feld %s bleibt leer: %s", form.id, name, exc.message)
            number = None
        cleaned[name] = stored_value(f.type, number)
        ftype = field_type(f.type)
        value = cleaned[name]
        typed[name] = ftype.empty_value() if value is None else ftype.to_python(f, value)


def browser_compute(form: FormDef) -> dict[str, Any] | None:
    """What the record page needs to show computed values live: trees in order, the types
    they are stored as, and today in Berlin (``age``); None without computed fields."""
    trees = computed_trees(form)
    if not trees:
        return None
    return {
        "order": [name for name, _ in trees],
        "trees": dict(trees),
        "types": {name: form.field(name).type for name, _ in trees},
        "today": clock.today().isoformat(),
    }
