"""Constant expressions in a template, folded under a bound, for the template check.

``{{ 'a' * 30000000 }}`` needs no data to be huge: Jinja would even compute it while
compiling. The check folds constant arithmetic and concatenation the way Jinja would, but
looks at the size of every result *before* computing it (``len * n`` for a repeated string,
bits for a power), so nothing big is ever built here either. Expressions with data in them
cannot be judged statically; the render limits (:mod:`.sandbox_process`) bound those.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import nodes

from ..german import number as german_number

MAX_LENGTH = 100_000  # characters of a constant text, items of a constant list
MAX_BITS = 4096  # an integer of about 1,200 digits
# filters whose integer argument is a width or length of the text they produce
WIDTH_FILTERS = {"center", "indent", "truncate", "wordwrap"}
# printf-style widths or precisions: '%099999999d' % 1 is 100 MB of zeros
_WIDE_FORMAT = re.compile(r"%[^a-zA-Z%]*\d{6,}")

UNKNOWN = object()


class TooLarge(Exception):
    """A constant expression would build a value past the bound; the message says so."""


def _too_long(size: int) -> TooLarge:
    return TooLarge(
        f"ergibt einen riesigen Wert ({german_number(size)} Zeichen oder Einträge, erlaubt sind "
        f"höchstens {german_number(MAX_LENGTH)}) – Vorlagen setzen Werte ein, sie erzeugen keine"
    )


def _too_big_number() -> TooLarge:
    return TooLarge(
        f"ergibt eine riesige Zahl (mehr als {german_number(MAX_BITS)} Bit) – Vorlagen setzen "
        "Werte ein, sie rechnen nicht mit riesigen Zahlen"
    )


def _sized(value: Any) -> Any:
    if isinstance(value, str | list | tuple) and len(value) > MAX_LENGTH:
        raise _too_long(len(value))
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_BITS:
        raise _too_big_number()
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _multiply(left: Any, right: Any) -> Any:
    if _is_int(left) and isinstance(right, str | list | tuple):
        left, right = right, left
    if isinstance(left, str | list | tuple) and _is_int(right):
        size = len(left) * max(right, 0)
        if size > MAX_LENGTH:
            raise _too_long(size)
    elif _is_int(left) and _is_int(right) and left.bit_length() + right.bit_length() > MAX_BITS:
        raise _too_big_number()
    return left * right


def _power(base: Any, exponent: Any) -> Any:
    if _is_int(base) and _is_int(exponent) and exponent > 0 and abs(base) > 1:
        if base.bit_length() * exponent > MAX_BITS + base.bit_length():
            raise _too_big_number()
    if isinstance(base, float) or isinstance(exponent, float):
        if abs(exponent) > MAX_BITS:
            return UNKNOWN  # overflow or nothing interesting; Jinja fails at render
    return base**exponent


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        wide = _WIDE_FORMAT.search(left)
        if wide:
            raise _too_long(int(re.findall(r"\d{6,}", wide.group(0))[0]))
        return UNKNOWN  # string formatting: not folded
    return left % right


_BINARY = {
    nodes.Add: lambda a, b: a + b,
    nodes.Sub: lambda a, b: a - b,
    nodes.Mul: _multiply,
    nodes.Div: lambda a, b: a / b,
    nodes.FloorDiv: lambda a, b: a // b,
    nodes.Mod: _modulo,
    nodes.Pow: _power,
}


def fold(node: nodes.Node) -> Any:
    """The value of a constant expression, or UNKNOWN; raises TooLarge past the bound."""
    if isinstance(node, nodes.Const):
        return _sized(node.value)
    if isinstance(node, nodes.List | nodes.Tuple):
        items = [fold(item) for item in node.items]
        if any(item is UNKNOWN for item in items):
            return UNKNOWN
        return _sized(items)
    if isinstance(node, nodes.Neg | nodes.Pos):
        value = fold(node.node)
        if value is UNKNOWN or not isinstance(value, int | float):
            return UNKNOWN
        return -value if isinstance(node, nodes.Neg) else value
    if isinstance(node, nodes.Concat):
        parts = [fold(part) for part in node.nodes]
        if any(part is UNKNOWN for part in parts):
            return UNKNOWN
        size = sum(len(str(part)) for part in parts)
        if size > MAX_LENGTH:
            raise _too_long(size)
        return "".join(str(part) for part in parts)
    if isinstance(node, nodes.Filter):
        return _filter(node)
    operation = _BINARY.get(type(node))
    if operation is None:
        return UNKNOWN
    left, right = fold(node.left), fold(node.right)
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    try:
        value = operation(left, right)
    except (TypeError, ValueError, ArithmeticError):
        return UNKNOWN  # fails at render with its own message
    return UNKNOWN if value is UNKNOWN else _sized(value)


def _filter(node: nodes.Filter) -> Any:
    """A width filter with a huge constant width; the filter's value is not folded."""
    if node.node is not None:
        fold(node.node)
    arguments = [fold(arg) for arg in node.args] + [fold(kw.value) for kw in node.kwargs]
    if node.name in WIDTH_FILTERS:
        for value in arguments:
            if _is_int(value) and value > MAX_LENGTH:
                raise _too_long(value)
    return UNKNOWN
