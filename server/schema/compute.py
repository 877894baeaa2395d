"""``compute``: calculated fields, as a tree both the server and the browser evaluate.

A ``compute = "sum(plan.hours)"`` is parsed by Jinja's own parser (like every expression,
:mod:`.expressions`) and turned into a small JSON tree (:func:`compute_tree`). The server
walks the tree in :mod:`.compute_eval`, the record page walks the same tree in
``server/static/verbund-compute.js`` while the user types, so "the same rules" is one tree and
two short evaluators with identical, exact arithmetic (tests/forms/test_compute_agreement.py).

What a ``compute`` may use:

* names of fields of the form (bare or ``<form>.<field>``); ``<table>.<column>`` is the
  column's cells, for ``sum``/``count``; ``.year``/``.month``/``.day`` of a date;
* numbers (``12``, ``0.5``), texts, ``true``/``false``/``none``;
* ``+ - * /`` and unary ``-`` on numbers, exact (decimals, never floats; ``/`` to 20 places);
* ``sum(table.column)``, ``count(table)`` / ``count(table.column)`` / ``count(multiselect)``,
  ``age(date)`` (full years until today in Berlin), ``days(from, to)``, ``round(x, n)``
  (commercial rounding, half away from zero, n = 0..10);
* ``x if condition else y`` with comparisons (``== != < <= > >=``) and ``and``/``or``/``not``.

:func:`compute_problem` checks names and types statically, so ``verbund check`` can say
"„Stunden“ ist keine Zahl" with ``path:line`` before anyone saves.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from jinja2 import nodes

from .definitions import FieldDef
from .expressions import ExpressionError, _parse, quoted

FUNCTIONS = ("sum", "count", "age", "days", "round")
DATE_PARTS = ("year", "month", "day")
MAX_ROUND = 10  # places; a decimal field keeps ten
MAX_CONSTANT = 10**30  # the evaluator's range (compute_eval.MAX_WHOLE)
MAX_SCALE = 20  # decimals the evaluator keeps (compute_eval.MAX_SCALE)
_ARITH = {nodes.Add: "+", nodes.Sub: "-", nodes.Mul: "*", nodes.Div: "/"}
_COMPARE = ("eq", "ne", "lt", "lteq", "gt", "gteq")

# what a value of a field type is to a computation; a type not named here can only be
# compared ("other"); plug-in number types (money, scale) are numbers
_KINDS = {
    "integer": "number",
    "decimal": "number",
    "money": "number",
    "scale": "number",
    "date": "date",
    "boolean": "bool",
    "table": "table",
    "multiselect": "list",
    "text": "text",
    "textarea": "text",
    "email": "text",
    "select": "text",
    "phone": "text",
}
_KIND_WORDS = {
    "number": "eine Zahl",
    "date": "ein Datum",
    "bool": "ein Ja/Nein",
    "table": "eine Tabelle",
    "list": "eine Auswahlliste",
    "text": "ein Text",
    "other": "ein Wert anderer Art",
    "none": "leer",
}
# the field types a computed value can be stored in
RESULT_TYPES = ("integer", "decimal")


def value_kind(field: FieldDef) -> str:
    """What a value of ``field`` is in a computation ("number", "date", "table", …)."""
    return _KINDS.get(field.type, "other")


class ComputeError(ExpressionError):
    """A ``compute`` that cannot be used; ``message`` is German and names the expression."""


def _signature(fields: Iterable[FieldDef]) -> tuple:
    """The fields as a hashable description: (name, kind, ((column, kind), ...))."""
    return tuple(
        (f.name, value_kind(f), tuple((c.name, value_kind(c)) for c in f.columns)) for f in fields
    )


def compute_tree(source: str, prefix: str, fields: Iterable[FieldDef]) -> dict[str, Any]:
    """The JSON tree of ``source`` for a form with ``fields``; raises :class:`ComputeError`
    (German) when it does not compile, names something unknown or mixes types."""
    return _compute_tree(source, prefix, _signature(fields))


@functools.lru_cache(maxsize=1024)
def _compute_tree(source: str, prefix: str, signature: tuple) -> dict[str, Any]:
    try:
        expr = _parse(source)
    except ExpressionError as exc:
        raise ComputeError(exc.message) from None
    builder = _Builder(prefix, signature)
    try:
        tree = builder.tree(expr)
        kind = builder.kind(tree)
    except _Problem as exc:
        raise ComputeError(f"Ausdruck „{quoted(source)}“: {exc}") from None
    if kind not in ("number", "none"):
        raise ComputeError(
            f"Ausdruck „{quoted(source)}“: das Ergebnis muss eine Zahl sein, "
            f"ist aber {_KIND_WORDS.get(kind, kind)}"
        )
    return tree


def compute_problem(source: str, prefix: str, fields: Iterable[FieldDef]) -> str | None:
    """The German message why ``source`` cannot be a ``compute``, or None."""
    try:
        compute_tree(source, prefix, fields)
    except ExpressionError as exc:
        return exc.message
    return None


def compute_fields(tree: Any) -> set[str]:
    """The fields a compute tree reads (for the order of evaluation and cycles)."""
    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("t") in ("name", "col"):
                found.add(node["n"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


class _Problem(Exception):
    pass


def number_node(value: Decimal | int) -> dict[str, Any]:
    """A number constant as a tree node: mantissa (text, exact) and scale."""
    sign, digits, exponent = Decimal(value).as_tuple()
    mantissa = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    assert isinstance(exponent, int)
    if exponent > 0:
        return {"t": "num", "m": str(mantissa * 10**exponent), "s": 0}
    return {"t": "num", "m": str(mantissa), "s": -exponent}


class _Builder:
    """Jinja's syntax tree -> the compute tree, and its static type check."""

    def __init__(self, prefix: str, signature: tuple):
        self.prefix = prefix
        self.kinds = {name: kind for name, kind, _ in signature}
        self.columns = {name: dict(columns) for name, _, columns in signature}

    # ---- building --------------------------------------------------------------------

    def field(self, name: str) -> dict[str, Any]:
        if name not in self.kinds:
            raise _Problem(f"„{name}“ ist kein Feld dieses Formulars")
        return {"t": "name", "n": name}

    def tree(self, node: nodes.Node) -> dict[str, Any]:  # noqa: C901 - one case per node type
        if isinstance(node, nodes.Name):
            if node.name == self.prefix:
                raise _Problem(f"„{node.name}“ allein (gemeint ist wohl „{node.name}.<feld>“)")
            return self.field(node.name)
        if isinstance(node, nodes.Getattr):
            return self.attribute(node)
        if isinstance(node, nodes.Const):
            return self.constant(node.value)
        if type(node) in _ARITH:
            op = _ARITH[type(node)]
            return {"t": "arith", "op": op, "l": self.tree(node.left), "r": self.tree(node.right)}
        if isinstance(node, (nodes.Neg, nodes.Pos)):
            inner = self.tree(node.node)
            return {"t": "neg", "x": inner} if isinstance(node, nodes.Neg) else inner
        if isinstance(node, (nodes.And, nodes.Or)):
            kind = "and" if isinstance(node, nodes.And) else "or"
            return {"t": kind, "l": self.tree(node.left), "r": self.tree(node.right)}
        if isinstance(node, nodes.Not):
            return {"t": "not", "x": self.tree(node.node)}
        if isinstance(node, nodes.CondExpr):
            if node.expr2 is None:
                raise _Problem("„… if …“ braucht ein „else …“")
            return {
                "t": "cond",
                "test": self.tree(node.test),
                "a": self.tree(node.expr1),
                "b": self.tree(node.expr2),
            }
        if isinstance(node, nodes.Compare):
            ops = []
            for operand in node.ops:
                if operand.op not in _COMPARE:
                    raise _Problem(f"der Vergleich „{operand.op}“")
                ops.append([operand.op, self.tree(operand.expr)])
            return {"t": "cmp", "first": self.tree(node.expr), "ops": ops}
        if isinstance(node, nodes.Call):
            return self.call(node)
        raise _Problem(
            f"„{type(node).__name__}“ ist hier nicht möglich (erlaubt: Feldnamen, Zahlen, "
            "+ - * /, " + ", ".join(f"{f}(…)" for f in FUNCTIONS) + ", … if … else …)"
        )

    def attribute(self, node: nodes.Getattr) -> dict[str, Any]:
        inner = node.node
        if isinstance(inner, nodes.Name) and inner.name == self.prefix:
            return self.field(node.attr)
        base = self.tree(inner)
        if node.attr in DATE_PARTS and self.kind(base) in ("date", "none"):
            return {"t": "part", "x": base, "n": node.attr}
        if base["t"] == "name" and self.kinds[base["n"]] == "table":
            columns = self.columns[base["n"]]
            if node.attr not in columns:
                raise _Problem(f"die Tabelle „{base['n']}“ hat keine Spalte „{node.attr}“")
            return {"t": "col", "n": base["n"], "c": node.attr}
        raise _Problem(f"„.{node.attr}“ (nur „<tabelle>.<spalte>“ oder „{self.prefix}.<feld>“)")

    def constant(self, value: Any) -> dict[str, Any]:
        if value is None:
            return {"t": "none"}
        if isinstance(value, bool):
            return {"t": "bool", "v": value}
        if isinstance(value, (int, float)):
            if isinstance(value, float) and not math.isfinite(value):
                raise _Problem("eine Zahl außerhalb des Wertebereichs")
            number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
            if abs(number) >= MAX_CONSTANT:
                raise _Problem("eine Zahl außerhalb des Wertebereichs")
            node = number_node(number)
            if node["s"] > MAX_SCALE:
                raise _Problem(f"eine Zahl mit mehr als {MAX_SCALE} Nachkommastellen")
            return node
        if isinstance(value, str):
            return {"t": "str", "v": value}
        raise _Problem(f"der Wert {value!r}")

    def call(self, node: nodes.Call) -> dict[str, Any]:
        if not isinstance(node.node, nodes.Name) or node.node.name not in FUNCTIONS:
            raise _Problem(
                "nur die Funktionen " + ", ".join(f"{f}(…)" for f in FUNCTIONS) + " sind möglich"
            )
        name = node.node.name
        if node.kwargs or node.dyn_args or node.dyn_kwargs:
            raise _Problem(f"„{name}(…)“ nimmt nur Werte in Klammern, keine Namen=Werte")
        wanted = {"sum": (1,), "count": (1,), "age": (1,), "days": (2,), "round": (1, 2)}[name]
        if len(node.args) not in wanted:
            raise _Problem(f"„{name}(…)“ braucht {' oder '.join(map(str, wanted))} Angabe(n)")
        args = [self.tree(a) for a in node.args]
        if name == "round" and len(args) == 2:
            places = args[1]
            if places["t"] != "num" or places["s"] != 0 or not 0 <= int(places["m"]) <= MAX_ROUND:
                raise _Problem(f"„round(x, n)“: n muss eine ganze Zahl von 0 bis {MAX_ROUND} sein")
        return {"t": "call", "f": name, "a": args}

    # ---- types -----------------------------------------------------------------------

    def kind(self, node: dict[str, Any]) -> str:  # noqa: C901 - one case per node type
        t = node["t"]
        if t == "name":
            return self.kinds[node["n"]]
        if t == "col":
            return "col:" + self.columns[node["n"]][node["c"]]
        if t in ("num", "str", "bool", "none"):
            return {"num": "number", "str": "text", "bool": "bool", "none": "none"}[t]
        if t == "arith":
            for side in ("l", "r"):
                self.expect(node[side], ("number", "none"), f"bei „{node['op']}“")
            return "number"
        if t == "neg":
            self.expect(node["x"], ("number", "none"), "bei „-“")
            return "number"
        if t == "part":
            return "number"
        if t in ("and", "or", "not"):
            for child in _children(node):
                self.kind(child)
            return "bool"
        if t == "cmp":
            for child in _children(node):
                kind = self.kind(child)
                if kind in ("table", "list") or kind.startswith("col:"):
                    raise _Problem(f"Vergleich: {_described(child, kind)}; verglichen werden "
                                   "Zahlen, Daten, Texte und Ja/Nein")  # fmt: skip
            return "bool"
        if t == "cond":
            self.kind(node["test"])
            a, b = self.kind(node["a"]), self.kind(node["b"])
            if "none" in (a, b) or a == b:
                return b if a == "none" else a
            raise _Problem(f"„… if … else …“ gibt einmal {_KIND_WORDS[a]}, einmal {_KIND_WORDS[b]}")
        return self.call_kind(node)

    def call_kind(self, node: dict[str, Any]) -> str:
        name, args = node["f"], node["a"]
        if name == "sum":
            kind = self.kind(args[0])
            if kind != "col:number":
                raise _Problem(
                    "„sum(…)“ braucht die Spalte einer Tabelle mit Zahlen, "
                    f"z. B. „sum(plan.stunden)“ ({_described(args[0], kind)})"
                )
        elif name == "count":
            kind = self.kind(args[0])
            if kind not in ("table", "list") and not kind.startswith("col:"):
                raise _Problem(
                    "„count(…)“ zählt Zeilen einer Tabelle, gefüllte Zellen einer Spalte oder "
                    f"gewählte Einträge ({_described(args[0], kind)})"
                )
        elif name in ("age", "days"):
            for arg in args:
                self.expect(arg, ("date", "none"), f"bei „{name}(…)“")
        else:  # round
            self.expect(args[0], ("number", "none"), "bei „round(…)“")
        return "number"

    def expect(self, node: dict[str, Any], kinds: tuple[str, ...], where: str) -> None:
        kind = self.kind(node)
        if kind not in kinds:
            raise _Problem(f"{where}: {_described(node, kind)}, nötig ist {_KIND_WORDS[kinds[0]]}")


def _described(node: dict[str, Any], kind: str) -> str:
    if kind.startswith("col:"):
        return f"die Spalte „{node['n']}.{node['c']}“ ist {_KIND_WORDS[kind[4:]]}"
    if node["t"] == "name":
        return f"„{node['n']}“ ist {_KIND_WORDS.get(kind, kind)}"
    return f"der Wert ist {_KIND_WORDS.get(kind, kind)}"


def _children(node: dict[str, Any]) -> list[dict[str, Any]]:
    if node["t"] == "cmp":
        return [node["first"], *(operand for _, operand in node["ops"])]
    return [node[k] for k in ("l", "r", "x") if k in node]


def compute_cycle(trees: dict[str, dict[str, Any]]) -> list[str]:
    """A cycle among computed fields ({field: tree}) as [a, b, ..., a], or []."""
    deps = {name: compute_fields(tree) & set(trees) for name, tree in trees.items()}
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> list[str]:
        state[name] = 1
        for dep in sorted(deps[name]):
            if state.get(dep) == 1:
                return path[path.index(dep) :] + [dep]
            if state.get(dep) is None and (found := visit(dep, path + [dep])):
                return found
        state[name] = 2
        return []

    for name in trees:
        if state.get(name) is None and (found := visit(name, [name])):
            return found
    return []


def compute_order(trees: dict[str, dict[str, Any]]) -> list[str]:
    """Computed fields, each after the computed fields it reads (form order otherwise)."""
    deps = {name: compute_fields(tree) & set(trees) for name, tree in trees.items()}
    order: list[str] = []
    remaining = list(trees)
    while remaining:
        ready = [n for n in remaining if deps[n] <= set(order)] or remaining[:1]
        order.append(ready[0])
        remaining.remove(ready[0])
    return order
