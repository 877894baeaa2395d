"""The order of a table's categories: as declared, else natural; „keine Angabe“ last.

Phases come in workflow order, choices in the order the form lists them, yes before no –
the order people know from the forms. What is not declared (organisations, values saved
before a choice was removed) follows in natural order, so „Stadtbezirk 3“ comes before
„Stadtbezirk 10“ (:mod:`natsort`, case-insensitive, umlauts by the locale-free key).
"""

from __future__ import annotations

from collections.abc import Iterable

from natsort import natsort_keygen, ns

from ...schema.definitions import FieldDef, WorkflowDef

EMPTY = ("(keine Angabe)", "(keine)")
_natural = natsort_keygen(alg=ns.IGNORECASE)


def declared_states(workflow: WorkflowDef) -> tuple[str, ...]:
    """The phases' labels in the order the workflow declares them."""
    return tuple(s.label for s in workflow.states)


def declared_choices(field: FieldDef) -> tuple[str, ...]:
    """A choice field's labels in declared order (yes before no; a scale sorts naturally)."""
    if field.type == "boolean":
        return ("Ja", "Nein")
    return tuple(c.label for c in field.choices)


def ordered(labels: Iterable[str], declared: tuple[str, ...] = ()) -> list[str]:
    """``labels`` sorted: declared ones first in declared order, then the rest naturally,
    the „no answer“ labels last."""
    position = {label: i for i, label in enumerate(declared)}

    def key(label: str):
        if label in EMPTY:
            return (2, 0, _natural(label))
        if label in position:
            return (0, position[label], _natural(""))
        return (1, 0, _natural(label))

    return sorted(set(labels), key=key)
