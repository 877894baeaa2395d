"""Evaluating a ``compute`` tree (:mod:`.compute`) on the server; the browser's twin is
``compute`` in ``server/static/verbund-compute.js``.

Numbers are exact: a mantissa and a scale (``Num(1250, 2)`` is 12.50), whole numbers and
decimals alike, so ``0.1 + 0.2`` is 0.3 and the browser (BigInt) gets the same digits.
``+ - *`` are exact; ``/`` rounds to :data:`MAX_SCALE` places; every result beyond
:data:`MAX_SCALE` places is rounded there and one of :data:`MAX_WHOLE` or more is an error.
Rounding is commercial (half away from zero), as people here round money.

An empty operand makes ``+ - * /`` empty (like a sum nobody can know yet); ``sum`` skips
empty cells; an error (a division by zero, a number too big) makes the whole value empty.
Every step ticks the expression budget (:mod:`.expression_budget`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .expression_budget import budget, tick

MAX_SCALE = 20
MAX_WHOLE = 10**30


class _Fail(Exception):
    """The value cannot be computed (the field is saved empty)."""


@dataclass(frozen=True)
class Num:
    """An exact number ``m / 10**s``."""

    m: int
    s: int

    @classmethod
    def of(cls, value: Any) -> Num:
        """A field's typed value (int, Decimal) as a Num; anything else fails."""
        if isinstance(value, bool):
            raise _Fail("bool")
        if isinstance(value, int):
            return cls(value, 0)
        if isinstance(value, Decimal) and value.is_finite():
            sign, digits, exponent = value.as_tuple()
            mantissa = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
            assert isinstance(exponent, int)
            return cls(mantissa * 10**exponent, 0) if exponent > 0 else cls(mantissa, -exponent)
        raise _Fail(type(value).__name__)

    def decimal(self) -> Decimal:
        return Decimal(self.m).scaleb(-self.s)


def round_half_up(n: Num, places: int) -> Num:
    """``n`` with at most ``places`` decimals, halves away from zero."""
    if n.s <= places:
        return n
    unit = 10 ** (n.s - places)
    quotient, rest = divmod(abs(n.m), unit)
    if 2 * rest >= unit:
        quotient += 1
    return Num(-quotient if n.m < 0 else quotient, places)


def _checked(n: Num) -> Num:
    n = round_half_up(n, MAX_SCALE)
    if abs(n.m) >= MAX_WHOLE * 10**n.s:
        raise _Fail("too big")
    return n


def _align(a: Num, b: Num) -> tuple[int, int, int]:
    s = max(a.s, b.s)
    return a.m * 10 ** (s - a.s), b.m * 10 ** (s - b.s), s


def _arith(op: str, a: Num, b: Num) -> Num:
    if op == "+":
        x, y, s = _align(a, b)
        return _checked(Num(x + y, s))
    if op == "-":
        x, y, s = _align(a, b)
        return _checked(Num(x - y, s))
    if op == "*":
        return _checked(Num(a.m * b.m, a.s + b.s))
    if b.m == 0:
        raise _Fail("division by zero")
    # a/b * 10**MAX_SCALE = a.m * 10**(MAX_SCALE + b.s - a.s) / b.m, rounded half up
    numerator, denominator = abs(a.m) * 10 ** (MAX_SCALE + b.s - a.s), abs(b.m)
    quotient, rest = divmod(numerator, denominator)
    if 2 * rest >= denominator:
        quotient += 1
    m, s = quotient if (a.m < 0) == (b.m < 0) else -quotient, MAX_SCALE
    while s > 0 and m % 10 == 0:
        m, s = m // 10, s - 1
    return _checked(Num(m, s))


def _compare(a: Any, b: Any) -> int | None:
    """-1/0/1, or None when the two cannot be ordered (different kinds, empty)."""
    if isinstance(a, Num) and isinstance(b, Num):
        x, y, _ = _align(a, b)
    elif type(a) is type(b) and isinstance(a, (str, dt.date)):
        x, y = a, b
    else:
        return None
    return (x > y) - (x < y)


def _equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    order = _compare(a, b)
    return order == 0 if order is not None else (type(a) is type(b) and a == b)


def _truthy(v: Any) -> bool:
    if isinstance(v, Num):
        return v.m != 0
    return bool(v)


def _value(v: Any) -> Any:
    """A typed field value as the evaluator holds it (numbers as Num, empty as None)."""
    if v is None or v == "":
        return None
    if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
        return Num.of(v)
    return v


class _Evaluator:
    def __init__(self, names: Mapping[str, Any], today: dt.date):
        self.names = names
        self.today = today

    def run(self, node: dict[str, Any]) -> Any:  # noqa: C901 - one case per node type
        tick()
        t = node["t"]
        if t == "name":
            return _value(self.names.get(node["n"]))
        if t == "col":
            rows = self.names.get(node["n"]) or []
            return [_value(row.get(node["c"])) for row in rows if isinstance(row, Mapping)]
        if t == "num":
            return Num(int(node["m"]), node["s"])
        if t in ("str", "bool"):
            return node["v"]
        if t == "none":
            return None
        if t == "arith":
            a, b = self.run(node["l"]), self.run(node["r"])
            if a is None or b is None:
                return None
            return _arith(node["op"], _num(a), _num(b))
        if t == "neg":
            a = self.run(node["x"])
            return None if a is None else Num(-_num(a).m, _num(a).s)
        if t == "part":
            day = self.run(node["x"])
            return None if day is None else Num(getattr(_date(day), node["n"]), 0)
        if t == "and":
            left = self.run(node["l"])
            return _truthy(left) and _truthy(self.run(node["r"]))
        if t == "or":
            left = self.run(node["l"])
            return _truthy(left) or _truthy(self.run(node["r"]))
        if t == "not":
            return not _truthy(self.run(node["x"]))
        if t == "cond":
            return self.run(node["a"] if _truthy(self.run(node["test"])) else node["b"])
        if t == "cmp":
            return self.compare(node)
        return self.call(node["f"], [self.run(a) for a in node["a"]])

    def compare(self, node: dict[str, Any]) -> bool:
        a = self.run(node["first"])
        for op, operand in node["ops"]:
            b = self.run(operand)
            if op in ("eq", "ne"):
                ok = _equal(a, b) == (op == "eq")
            else:
                order = _compare(a, b)
                ok = (
                    order is not None
                    and {
                        "lt": order < 0,
                        "lteq": order <= 0,
                        "gt": order > 0,
                        "gteq": order >= 0,
                    }[op]
                )
            if not ok:
                return False
            a = b
        return True

    def call(self, name: str, args: list[Any]) -> Any:
        if name == "sum":
            total = Num(0, 0)
            for item in args[0] or []:
                tick()
                if item is not None:
                    total = _arith("+", total, _num(item))
            return total
        if name == "count":
            items = args[0] or []
            return Num(sum(1 for item in items if item is not None and item != []), 0)
        if any(a is None for a in args):
            return None
        if name == "round":
            places = _num(args[1]).m if len(args) > 1 else 0
            return round_half_up(_num(args[0]), places)
        dates = [_date(a) for a in args]
        if name == "days":
            return Num((dates[1] - dates[0]).days, 0)
        born = dates[0]  # age
        if born > self.today:
            return None
        years = self.today.year - born.year
        if (self.today.month, self.today.day) < (born.month, born.day):
            years -= 1
        return Num(years, 0)


def _num(v: Any) -> Num:
    if not isinstance(v, Num):
        raise _Fail("not a number")
    return v


def _date(v: Any) -> dt.date:
    if not isinstance(v, dt.date) or isinstance(v, dt.datetime):
        raise _Fail("not a date")
    return v


def evaluate_compute(
    source: str, tree: dict[str, Any], names: Mapping[str, Any], today: dt.date
) -> Num | None:
    """The value of ``tree`` (compiled from ``source``) for typed field values ``names``.

    None when it cannot be known (an empty operand, a division by zero, a wrong kind);
    raises :class:`~.expression_budget.ExpressionBudgetExceeded` over the work limits.
    """
    with budget(source):
        try:
            value = _Evaluator(names, today).run(tree)
        except _Fail:
            return None
    return value if isinstance(value, Num) else None


def stored_value(field_type: str, value: Num | None) -> Any:
    """A computed number as the field type stores it (integer: int, decimal: text), rounded
    half up to what the type keeps; None when empty or beyond the type's 18 digits."""
    if value is None:
        return None
    if field_type == "integer":
        whole = round_half_up(value, 0).m
        return whole if abs(whole) < 10**18 else None
    n = round_half_up(value, 10)
    if abs(n.m) >= 10**18 * 10**n.s:
        return None
    number = n.decimal()
    return format(number.normalize(), "f") if number != 0 else "0"
