"""``show_if``: the part of the expression language the browser evaluates too.

A ``show_if`` is an ordinary condition (:mod:`server.schema.expressions`), evaluated by Jinja
on the server. The record page evaluates the same condition in the browser while the user
types (``server/static/verbund-expr.js``). To make sure both give the same answer, a
``show_if`` may only use constructs whose Python semantics the script reproduces exactly:

* names of fields of the form, bare or as ``<form>.<field>`` / ``<form>["field"]``;
* ``.year``, ``.month``, ``.day`` of a date;
* constants (text, whole and decimal numbers, ``true``/``false``/``none``) and lists ``[...]``;
* ``and``, ``or``, ``not``, ``x if c else y``, unary ``-``/``+``;
* comparisons ``== != < <= > >=`` (also chained), ``in``, ``not in``;
* the filters ``length``/``count``, ``lower``, ``upper``, ``trim`` (without arguments);
* the tests ``defined``, ``undefined``, ``none``, ``number``, ``string``, ``boolean``,
  ``true``, ``false``.

No arithmetic, no function or method calls, no other filters: a condition that needs them
belongs in a workflow ``when``, which only the server evaluates. :func:`show_if_tree` turns a
``show_if`` into the JSON tree the script walks, so the browser never parses Jinja itself;
the tree comes from Jinja's own parser.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from jinja2 import nodes

from .definitions import FormDef
from .expressions import ExpressionError, _parse, quoted

FILTERS = ("length", "count", "lower", "upper", "trim")
TESTS = ("defined", "undefined", "none", "number", "string", "boolean", "true", "false")
DATE_PARTS = ("year", "month", "day")
_COMPARE = ("eq", "ne", "lt", "lteq", "gt", "gteq", "in", "notin")

# what an admin may have written, for the message that says it is not allowed here
_NAMES = {
    nodes.Add: "Rechnen (+)",
    nodes.Sub: "Rechnen (-)",
    nodes.Mul: "Rechnen (*)",
    nodes.Div: "Rechnen (/)",
    nodes.FloorDiv: "Rechnen (//)",
    nodes.Mod: "Rechnen (%)",
    nodes.Pow: "Rechnen (**)",
    nodes.Concat: "Verketten (~)",
    nodes.Call: "Aufrufe von Funktionen oder Methoden",
    nodes.Tuple: "Tupel (…, …) – bitte eine Liste [...] schreiben",
    nodes.Dict: "Wörterbücher {...}",
    nodes.Slice: "Ausschnitte [a:b]",
}


class _Unsupported(Exception):
    pass


def form_prefix(form_id: str, field_names: set[str] | tuple[str, ...]) -> str:
    """The name that means "this form" in a ``show_if``: its id, unless a field has that
    name — a bare name is always a field, so then the form has no prefix at all."""
    return "" if form_id in field_names else form_id


@functools.lru_cache(maxsize=1024)
def show_if_tree(source: str, form_id: str) -> dict[str, Any]:
    """The JSON tree of ``source`` for the browser; raises ExpressionError (German) when
    ``source`` does not compile or uses something outside the subset (see module doc)."""
    expr = _parse(source)
    try:
        return _tree(expr, form_id)
    except _Unsupported as exc:
        raise ExpressionError(
            f"Ausdruck „{quoted(source)}“: in „show_if“ nicht möglich: {exc} (erlaubt: Feldnamen, "
            "Konstanten, Listen, Vergleiche, and/or/not, in, .year/.month/.day, "
            "length/lower/upper/trim, Tests wie „is defined“)"
        ) from None


def show_if_problem(source: str, form_id: str) -> str | None:
    """The German message why ``source`` cannot be a ``show_if``, or None."""
    try:
        show_if_tree(source, form_id)
    except ExpressionError as exc:
        return exc.message
    return None


def _const(value: Any) -> dict[str, Any]:
    if value is None:
        return {"t": "none"}
    if isinstance(value, bool):
        return {"t": "bool", "v": value}
    if isinstance(value, int):
        # as text: a JSON number would lose digits beyond 2**53 in the browser
        return {"t": "int", "v": str(value)}
    if isinstance(value, float):
        if math.isinf(value):
            # Jinja writes the constant into Python source as `inf`, which is no name there:
            # the condition could never work on the server either
            raise _Unsupported("eine Zahl außerhalb des Wertebereichs")
        return {"t": "float", "v": value}
    if isinstance(value, str):
        return {"t": "str", "v": value}
    raise _Unsupported(f"der Wert {value!r}")


def _field_of_form(node: nodes.Node, form_id: str) -> str | None:
    """``f.x`` or ``f["x"]`` where f is the form's id: the field name x."""
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
        if node.node.name == form_id:
            return node.attr
    if (
        isinstance(node, nodes.Getitem)
        and isinstance(node.node, nodes.Name)
        and node.node.name == form_id
        and isinstance(node.arg, nodes.Const)
        and isinstance(node.arg.value, str)
    ):
        return node.arg.value
    return None


def _tree(node: nodes.Node, form_id: str) -> dict[str, Any]:
    field = _field_of_form(node, form_id)
    if field is not None:
        return {"t": "name", "n": field}
    if isinstance(node, nodes.Name):
        if node.name == form_id:
            raise _Unsupported(f"„{form_id}“ allein (gemeint ist wohl „{form_id}.<feld>“)")
        return {"t": "name", "n": node.name}
    if isinstance(node, nodes.Getattr):
        if node.attr not in DATE_PARTS:
            raise _Unsupported(f"„.{node.attr}“")
        return {"t": "attr", "o": _tree(node.node, form_id), "n": node.attr}
    if isinstance(node, nodes.Getitem):
        raise _Unsupported("der Zugriff mit [...]")
    if isinstance(node, nodes.Const):
        return _const(node.value)
    if isinstance(node, nodes.List):
        return {"t": "list", "items": [_tree(item, form_id) for item in node.items]}
    if isinstance(node, (nodes.And, nodes.Or)):
        kind = "and" if isinstance(node, nodes.And) else "or"
        return {"t": kind, "l": _tree(node.left, form_id), "r": _tree(node.right, form_id)}
    if isinstance(node, nodes.Not):
        return {"t": "not", "x": _tree(node.node, form_id)}
    if isinstance(node, (nodes.Neg, nodes.Pos)):
        kind = "neg" if isinstance(node, nodes.Neg) else "pos"
        return {"t": kind, "x": _tree(node.node, form_id)}
    if isinstance(node, nodes.CondExpr):
        out = {
            "t": "cond",
            "test": _tree(node.test, form_id),
            "a": _tree(node.expr1, form_id),
        }
        if node.expr2 is not None:
            out["b"] = _tree(node.expr2, form_id)
        return out
    if isinstance(node, nodes.Compare):
        ops = []
        for operand in node.ops:
            if operand.op not in _COMPARE:
                raise _Unsupported(f"der Vergleich „{operand.op}“")
            ops.append([operand.op, _tree(operand.expr, form_id)])
        return {"t": "cmp", "first": _tree(node.expr, form_id), "ops": ops}
    if isinstance(node, (nodes.Filter, nodes.Test)):
        is_filter = isinstance(node, nodes.Filter)
        allowed = FILTERS if is_filter else TESTS
        what = "der Filter" if is_filter else "der Test"
        if node.name not in allowed:
            raise _Unsupported(f"{what} „{node.name}“")
        if node.args or node.kwargs or node.dyn_args or node.dyn_kwargs:
            raise _Unsupported(f"{what} „{node.name}“ mit Argumenten")
        if node.node is None:  # ``{% filter %}`` blocks only; cannot occur in an expression
            raise _Unsupported(what)
        kind = "filter" if is_filter else "test"
        return {"t": kind, "n": node.name, "x": _tree(node.node, form_id)}
    raise _Unsupported(_NAMES.get(type(node), f"„{type(node).__name__}“"))


def show_if_fields(source: str, form_id: str, field_names: set[str]) -> set[str]:
    """The fields of the form ``source`` depends on (bare names and ``<form>.<field>``)."""
    found: set[str] = set()

    def walk(tree: Any) -> None:
        if isinstance(tree, dict):
            if tree.get("t") == "name" and tree["n"] in field_names:
                found.add(tree["n"])
            for value in tree.values():
                walk(value)
        elif isinstance(tree, list):
            for item in tree:
                walk(item)

    walk(show_if_tree(source, form_id))
    return found


def show_if_cycle(form_id: str, conditions: dict[str, str], field_names: set[str]) -> list[str]:
    """A cycle among ``show_if`` conditions ({field: source}) as [a, b, ..., a], or []."""
    deps = {
        name: show_if_fields(source, form_id, field_names) & set(conditions)
        for name, source in conditions.items()
    }
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name: str, path: list[str]) -> list[str]:
        state[name] = 1
        for dep in sorted(deps[name]):
            if state.get(dep) == 1:
                return path[path.index(dep) :] + [dep] if dep in path else [name, dep]
            if state.get(dep) is None:
                found = visit(dep, path + [dep])
                if found:
                    return found
        state[name] = 2
        return []

    for name in conditions:
        if state.get(name) is None:
            found = visit(name, [name])
            if found:
                return found
    return []


_ORDER_CACHE: dict[int, tuple[FormDef, tuple[str, ...]]] = {}


def show_if_order(form: FormDef) -> tuple[str, ...]:
    """Fields with a ``show_if``, each after the fields its condition depends on.

    Evaluated in this order, a field hidden by its condition already counts as empty for
    the conditions after it, so "C shows if B, B shows if A" hides C with A unticked.
    ``verbund check`` refuses cycles; should one slip through, the rest keeps form order.
    """
    cached = _ORDER_CACHE.get(id(form))
    if cached is not None and cached[0] is form:
        return cached[1]
    names = set(form.field_names)
    conditions = {f.name: f.show_if for f in form.fields if f.show_if}
    deps: dict[str, set[str]] = {}
    for name, source in conditions.items():
        try:
            deps[name] = show_if_fields(source, form_prefix(form.id, names), names) & set(
                conditions
            )
        except ExpressionError:
            deps[name] = set()
    order: list[str] = []
    remaining = list(conditions)
    while remaining:
        ready = [n for n in remaining if deps[n] <= set(order)] or remaining[:1]
        order.append(ready[0])
        remaining.remove(ready[0])
    if len(_ORDER_CACHE) > 2000:  # definitions are republished now and then; stay bounded
        _ORDER_CACHE.clear()
    _ORDER_CACHE[id(form)] = (form, tuple(order))
    return tuple(order)
