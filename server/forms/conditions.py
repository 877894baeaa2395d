"""What the browser needs to evaluate a form's ``show_if`` conditions while the user types.

The record page puts :func:`browser_spec` on each ``<form>`` as JSON; ``verbund-input.js``
cleans the inputs with the rules of the field types (:mod:`server.schema.fieldtypes`;
each names its entry of ``CLEAN`` there) and walks the condition trees
(:func:`server.schema.show_if.show_if_tree`) in :func:`server.schema.show_if.show_if_order`,
which is also the order :func:`server.forms.validation.visible_fields` uses on the server.
"""

from __future__ import annotations

from typing import Any

from ..schema.compute import compute_fields
from ..schema.definitions import FormDef
from ..schema.expressions import ExpressionError
from ..schema.fieldtypes import field_type
from ..schema.row_conditions import has_row_conditions
from ..schema.show_if import form_prefix, show_if_fields, show_if_order, show_if_tree
from .computed import browser_compute, computed_trees


def browser_spec(form: FormDef) -> dict[str, Any] | None:
    """Conditions, their order and the fields they read; None when nothing is conditional.

    Only fields some condition or computation reads are described: the others cannot change
    what is shown. ``compute`` (:func:`.computed.browser_compute`) and ``tables`` (tables
    with per-row column conditions, trees in their field's ``rows``) when the form has them.
    """
    order = show_if_order(form)
    computed = browser_compute(form)
    tables = [f.name for f in form.fields if f.columns and has_row_conditions(f)]
    if not order and not computed and not tables:
        return None
    names = set(form.field_names)
    conditions: dict[str, Any] = {}
    read: set[str] = set()
    for name in order:
        source = form.field(name).show_if
        try:
            prefix = form_prefix(form.id, names)
            conditions[name] = show_if_tree(source, prefix)
            read |= show_if_fields(source, prefix, names)
        except ExpressionError:
            # cannot happen for a checked form; if it did, the server treats the condition as
            # false (hidden), and so does the browser
            conditions[name] = {"t": "bool", "v": False}
    if computed:
        for _, tree in computed_trees(form):
            read |= compute_fields(tree)
    read |= set(tables)
    spec: dict[str, Any] = {
        "order": list(order),
        "conditions": conditions,
        "fields": {
            f.name: field_type(f.type).browser_spec(f) for f in form.fields if f.name in read
        },
    }
    if computed:
        spec["compute"] = computed
    if tables:
        spec["tables"] = tables  # tables whose columns have per-row conditions
    return spec
