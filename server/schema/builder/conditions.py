"""The condition builder for ``show_if``: an expression as rows of (field, comparison, value).

:func:`read_condition` turns an expression into a :class:`Condition` when the builder can show
it – comparisons of one field with constants, joined all by ``and`` or all by ``or`` – and
returns None otherwise (that expression stays editable as text). :func:`write_condition` writes
a condition back; reading what it wrote gives the same condition. Parsing is done by the
expression parser every condition goes through (:mod:`server.schema.expressions`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from jinja2 import nodes

from ..expressions import ExpressionError, _parse
from ..fieldtypes import REGISTRY
from ..fieldtypes.numbers import DecimalType, IntegerType

# comparison -> German wording in the builder
COMPARISONS = {
    "eq": "ist gleich",
    "ne": "ist nicht",
    "lt": "kleiner als",
    "lteq": "höchstens",
    "gt": "größer als",
    "gteq": "mindestens",
    "in": "ist eines von (durch Komma getrennt)",
    "contains": "enthält (Mehrfachauswahl)",
    "set": "ist angekreuzt bzw. ausgefüllt",
    "unset": "ist nicht angekreuzt bzw. leer",
}
JOINS = {"and": "alle Bedingungen gelten (und)", "or": "eine der Bedingungen gilt (oder)"}
_SYMBOL = {"eq": "==", "ne": "!=", "lt": "<", "lteq": "<=", "gt": ">", "gteq": ">="}
_NO_VALUE = ("set", "unset")


@dataclass(frozen=True)
class Clause:
    field: str
    comparison: str
    value: tuple[object, ...] = ()  # constants; one, except for "in"


@dataclass(frozen=True)
class Condition:
    clauses: tuple[Clause, ...]
    join: str = "and"


def _field(node: nodes.Node, form_id: str, names: set[str]) -> str | None:
    """The field ``node`` names: ``x`` or ``<form_id>.x`` for a field of the form; for a
    workflow's ``when`` (form_id "") the names are ``form.field`` and are kept so."""
    if isinstance(node, nodes.Name) and node.name in names:
        return node.name
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
        if node.node.name == form_id and node.attr in names:
            return node.attr
        if not form_id and f"{node.node.name}.{node.attr}" in names:
            return f"{node.node.name}.{node.attr}"
    return None


def _const(node: nodes.Node) -> tuple[object, ...] | None:
    if isinstance(node, nodes.Const) and isinstance(node.value, (str, int, float, bool)):
        return (node.value,)
    if isinstance(node, nodes.List) and all(isinstance(i, nodes.Const) for i in node.items):
        values = tuple(i.value for i in node.items)
        if all(isinstance(v, (str, int, float, bool)) for v in values):
            return values
    return None


def _clause(node: nodes.Node, form_id: str, names: set[str]) -> Clause | None:
    if (name := _field(node, form_id, names)) is not None:
        return Clause(name, "set")
    if isinstance(node, nodes.Not) and (name := _field(node.node, form_id, names)):
        return Clause(name, "unset")
    if not isinstance(node, nodes.Compare) or len(node.ops) != 1:
        return None
    op, left, right = node.ops[0].op, node.expr, node.ops[0].expr
    if op in _SYMBOL and (name := _field(left, form_id, names)):
        value = _const(right)
        if value is not None and len(value) == 1 and not isinstance(right, nodes.List):
            return Clause(name, op, value)
    if op == "in" and (name := _field(left, form_id, names)) and isinstance(right, nodes.List):
        value = _const(right)
        return Clause(name, "in", value) if value else None
    if op == "in" and (name := _field(right, form_id, names)):
        value = _const(left)
        if value is not None and not isinstance(left, nodes.List):
            return Clause(name, "contains", value)
    return None


def read_condition(source: str, form_id: str, field_names) -> Condition | None:
    """The condition ``source`` as rows, or None when the builder cannot show it.

    For a ``show_if`` ``form_id`` is the form and ``field_names`` its fields; for a
    transition's ``when`` ``form_id`` is "" and ``field_names`` are ``form.field`` names."""
    if not source or not source.strip():
        return Condition(())
    try:
        expr = _parse(source)
    except ExpressionError:
        return None
    names = set(field_names)
    for join, kind in (("and", nodes.And), ("or", nodes.Or)):
        if isinstance(expr, kind):
            parts, stack = [], [expr]
            while stack:  # a and b and c is And(And(a, b), c): flatten left to right
                node = stack.pop()
                if isinstance(node, kind):
                    stack.extend([node.right, node.left])
                else:
                    parts.append(node)
            clauses = [_clause(p, form_id, names) for p in parts]
            if any(c is None for c in clauses):
                return None
            return Condition(tuple(clauses), join)
    clause = _clause(expr, form_id, names)
    return None if clause is None else Condition((clause,))


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_condition(condition: Condition) -> str:
    """The expression for ``condition`` ("" when it has no rows)."""
    parts = []
    for c in condition.clauses:
        if c.comparison == "set":
            parts.append(c.field)
        elif c.comparison == "unset":
            parts.append(f"not {c.field}")
        elif c.comparison == "in":
            parts.append(f"{c.field} in [{', '.join(_literal(v) for v in c.value)}]")
        elif c.comparison == "contains":
            parts.append(f"{_literal(c.value[0])} in {c.field}")
        else:
            parts.append(f"{c.field} {_SYMBOL[c.comparison]} {_literal(c.value[0])}")
    return f" {condition.join} ".join(parts)


def typed_value(text: str, numeric: bool) -> object:
    """A value typed into the builder as the constant to compare with: a number for number
    fields (German comma allowed), text otherwise."""
    text = text.strip()
    if numeric:
        try:
            number = Decimal(text.replace(".", "").replace(",", ".") if "," in text else text)
        except InvalidOperation:
            return text
        return int(number) if number == number.to_integral_value() else float(number)
    return text


def clause_from_input(field: str, comparison: str, text: str, numeric: bool) -> Clause:
    """One row of the builder's form as a clause (raises ValueError with a German message)."""
    if comparison not in COMPARISONS:
        raise ValueError("Bitte einen Vergleich wählen.")
    if comparison in _NO_VALUE:
        return Clause(field, comparison)
    if comparison == "in":
        values = tuple(typed_value(v, numeric) for v in text.split(",") if v.strip())
        if not values:
            raise ValueError("Bitte mindestens einen Wert angeben (durch Komma getrennt).")
        return Clause(field, comparison, values)
    if not text.strip():
        raise ValueError("Bitte einen Wert angeben.")
    return Clause(field, comparison, (typed_value(text, numeric),))


def shown_value(clause: Clause) -> str:
    """The clause's value as the builder's input shows it."""
    return ", ".join(str(v).replace(".", ",") if isinstance(v, float) else str(v)
                     for v in clause.value)  # fmt: skip


def compares_as_number(type_name: str) -> bool:
    """Whether values of the type compare as numbers (integer, decimal and their kin)."""
    return isinstance(REGISTRY.get(type_name), (IntegerType, DecimalType))
