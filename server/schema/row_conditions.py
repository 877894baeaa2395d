"""``show_if`` and ``required_if`` on table columns, decided for each row on its own.

A column's condition reads the other columns of the same row by their bare names
(``required_if = "massnahme"``: required when the row names a measure). Like a field's
``show_if`` it is a Jinja condition on the server (:func:`.expressions.evaluate_condition`)
and the same tree in the browser (``rowStates`` in ``server/static/verbund-input.js``),
in the subset both evaluate alike (:mod:`.show_if`). A cell its condition hides counts as
empty for the conditions after it, is neither validated nor stored.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from .definitions import FieldDef
from .expression_budget import ExpressionBudgetExceeded
from .expressions import ExpressionError, evaluate_condition
from .show_if import show_if_fields, show_if_tree

log = logging.getLogger(__name__)


def has_row_conditions(field: FieldDef) -> bool:
    """True when some column of the table ``field`` has a ``show_if`` or ``required_if``."""
    return any(c.show_if or c.required_if for c in field.columns)


def column_order(field: FieldDef) -> tuple[str, ...]:
    """Columns with a ``show_if``, each after the columns its condition reads."""
    names = {c.name for c in field.columns}
    conditions = {c.name: c.show_if for c in field.columns if c.show_if}
    deps: dict[str, set[str]] = {}
    for name, source in conditions.items():
        try:
            deps[name] = show_if_fields(source, "", names) & set(conditions)
        except ExpressionError:
            deps[name] = set()
    order: list[str] = []
    remaining = list(conditions)
    while remaining:
        ready = [n for n in remaining if deps[n] <= set(order)] or remaining[:1]
        order.append(ready[0])
        remaining.remove(ready[0])
    return tuple(order)


def _holds(field: FieldDef, source: str, row: Mapping[str, Any]) -> bool:
    try:
        return evaluate_condition(source, row)
    except ExpressionBudgetExceeded as exc:
        # like a field's show_if: undecidable is false (hidden, not required)
        log.warning("Tabelle %s: Bedingung abgebrochen: %s", field.name, exc.message)
        return False


def row_states(field: FieldDef, typed_row: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """(hidden columns, columns required by ``required_if``) for one row of typed values."""
    row = dict(typed_row)
    hidden: set[str] = set()
    for name in column_order(field):
        column = next(c for c in field.columns if c.name == name)
        if not _holds(field, column.show_if, row):
            hidden.add(name)
            row[name] = [] if isinstance(row.get(name), list) else None
    required = {
        c.name
        for c in field.columns
        if c.required_if and c.name not in hidden and _holds(field, c.required_if, row)
    }
    return hidden, required


def row_spec(field: FieldDef) -> dict[str, Any]:
    """The trees the browser needs for ``rowStates``: {"order", "show_if", "required_if"}."""

    def tree(source: str) -> dict[str, Any]:
        try:
            return show_if_tree(source, "")
        except ExpressionError:  # cannot happen for a checked form; false on both sides
            return {"t": "bool", "v": False}

    return {
        "order": list(column_order(field)),
        "show_if": {c.name: tree(c.show_if) for c in field.columns if c.show_if},
        "required_if": {c.name: tree(c.required_if) for c in field.columns if c.required_if},
    }
