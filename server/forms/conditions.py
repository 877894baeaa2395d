"""What the browser needs to evaluate a form's ``show_if`` conditions while the user types.

The record page puts :func:`browser_spec` on each ``<form>`` as JSON; ``verbund-input.js``
cleans the inputs with the rules of the field types (:mod:`server.schema.fieldtypes`;
each names its entry of ``CLEAN`` there) and walks the condition trees
(:func:`server.schema.show_if.show_if_tree`) in :func:`server.schema.show_if.show_if_order`,
which is also the order :func:`server.forms.validation.visible_fields` uses on the server.
"""

from __future__ import annotations

from typing import Any

from ..schema.definitions import FormDef
from ..schema.expressions import ExpressionError
from ..schema.fieldtypes import field_type
from ..schema.show_if import form_prefix, show_if_fields, show_if_order, show_if_tree


def browser_spec(form: FormDef) -> dict[str, Any] | None:
    """Conditions, their order and the fields they read; None when nothing is conditional.

    Only fields some condition reads are described: the others cannot change what is shown.
    """
    order = show_if_order(form)
    if not order:
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
    return {
        "order": list(order),
        "conditions": conditions,
        "fields": {
            f.name: field_type(f.type).browser_spec(f) for f in form.fields if f.name in read
        },
    }
