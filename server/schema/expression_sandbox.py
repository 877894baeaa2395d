"""The sandbox that measures every operation of a condition (limits: :mod:`.expression_budget`).

The sandbox keeps a condition away from Python's internals, but not from work:
``((9**999)**999)**12`` keeps a worker busy for seconds and ``'x'|center(10**8)`` builds
100 MB. :class:`BoundedSandbox` intercepts everything that does work and checks it:

* every arithmetic operator (``intercepted_binops``/``intercepted_unops``) and ``~`` (a code
  generator that sends concatenation through :meth:`BoundedSandbox.call_concat`);
* every call of a method (estimates for the str/bytes/int methods that multiply);
* every filter and test (:func:`bound_filters` wraps each one, with estimates for the
  filters that multiply; ``sum`` adds one item at a time);
* every attribute and item access (the deadline only).

Constant folding is switched off (``optimized=False``): Jinja would otherwise evaluate
constant parts such as ``'x'|center(100000000)`` while compiling, outside of any budget.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from jinja2.compiler import CodeGenerator, Frame
from jinja2.filters import make_attrgetter
from jinja2.nodes import Concat
from jinja2.runtime import str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import pass_environment

from .expression_budget import (
    arg,
    as_text,
    check_format,
    check_lines,
    check_pow,
    check_printf,
    check_repeat,
    check_replace,
    check_width,
    checked,
    limit,
    take,
    text_len,
    tick,
)

_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
}


def binop(op: str, left: Any, right: Any) -> Any:
    """``left op right`` within the limits."""
    tick()
    if op == "**":
        check_pow(left, right)
    elif op == "*":
        check_repeat(left, right)
    elif op == "%" and isinstance(left, (str, bytes)):
        check_printf(left, right)
    return checked(_BINOPS[op](left, right))


# Estimates before a filter runs, with the filter's own parameters (value first).
_FILTER_CHECKS: dict[str, Callable[[tuple, dict], None]] = {
    "center": lambda a, k: check_width(a[0], arg(a, k, 1, "width", 80)),
    "indent": lambda a, k: check_lines(a[0], arg(a, k, 1, "width", 4)),
    "replace": lambda a, k: check_replace(as_text(a[0]), a[1], a[2], arg(a, k, 3, "count")),
    "format": lambda a, k: check_printf(a[0], a[1:], k),
    # every character may start a new line; each gets the wrap string
    "wordwrap": lambda a, k: limit(
        text_len(a[0]) * (1 + text_len(arg(a, k, 3, "wrapstring", "\n")))
    ),
    # a link needs a few characters; each gets its markup, target and rel
    "urlize": lambda a, k: limit(
        text_len(a[0])
        + (text_len(a[0]) // 4 + 1)
        * (
            60
            + text_len(arg(a, k, 3, "target", ""))
            + text_len(arg(a, k, 4, "rel", ""))
            + text_len(arg(a, k, 5, "extra_schemes", ""))
        )
    ),
    "batch": lambda a, k: limit(
        0 if arg(a, k, 2, "fill_with") is None else arg(a, k, 1, "linecount", 0)
    ),
    "slice": lambda a, k: limit(arg(a, k, 1, "slices", 0)),
    "int": lambda a, k: checked(a[0]) if isinstance(a[0], Decimal) else None,
}


def _join(pass_arg: Any, value: Any, d: Any = "", attribute: Any = None) -> tuple:
    """The ``join`` filter's arguments with the items taken out and the size estimated."""
    if attribute is not None:
        environment = getattr(pass_arg, "environment", pass_arg)
        value = map(make_attrgetter(environment, attribute), value)
    items = take(value)
    limit(sum(text_len(i) for i in items) + text_len(d) * max(len(items) - 1, 0))
    return (pass_arg, items, d)


def _bounded_filter(name: str, func: Callable) -> Callable:
    passes = getattr(func, "jinja_pass_arg", None) is not None  # context/env comes first
    pre = _FILTER_CHECKS.get(name)

    @functools.wraps(func)  # keeps jinja_pass_arg, so Jinja passes the same arguments
    def bounded(*args: Any, **kwargs: Any) -> Any:
        tick()
        if name == "join" and passes and len(args) >= 2:
            return checked(func(*_join(*args, **kwargs)))
        if pre is not None and len(args) > passes:
            pre(args[passes:], kwargs)
        return checked(func(*args, **kwargs))

    return bounded


def _bounded_test(func: Callable) -> Callable:
    @functools.wraps(func)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        tick()
        return func(*args, **kwargs)

    return bounded


@pass_environment
def _sum(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
    """``sum`` one addition at a time, each within the limits (adding lists is quadratic)."""
    if attribute is not None:
        iterable = map(make_attrgetter(environment, attribute), iterable)
    total = start
    for item in iterable:
        total = binop("+", total, item)
    return total


def bound_filters(env: ImmutableSandboxedEnvironment) -> None:
    """Wrap every filter and test of ``env`` (call after the last one was added)."""
    env.filters["sum"] = _sum
    env.filters.update({n: _bounded_filter(n, f) for n, f in env.filters.items()})
    env.tests.update({n: _bounded_test(f) for n, f in env.tests.items()})


# Estimates before a method of a str/bytes/int runs, by method name.
_METHOD_CHECKS: dict[str, Callable[[Any, tuple, dict], None]] = {
    "center": lambda s, a, k: check_width(s, arg(a, k, 0, "width")),
    "ljust": lambda s, a, k: check_width(s, arg(a, k, 0, "width")),
    "rjust": lambda s, a, k: check_width(s, arg(a, k, 0, "width")),
    "zfill": lambda s, a, k: check_width(s, arg(a, k, 0, "width")),
    "expandtabs": lambda s, a, k: limit(
        len(s) + s.count("\t" if isinstance(s, str) else b"\t") * arg(a, k, 0, "tabsize", 8)
    ),
    "replace": lambda s, a, k: check_replace(s, *a[:3]),
    "format": lambda s, a, k: check_format(s, a, k),
    "format_map": lambda s, a, k: check_format(
        s, (), a[0] if a and isinstance(a[0], Mapping) else {}
    ),
    "translate": lambda s, a, k: limit(
        len(s) * max((text_len(v) for v in a[0].values()), default=1)
        if a and isinstance(a[0], Mapping)
        else 0
    ),
    "to_bytes": lambda s, a, k: limit(arg(a, k, 0, "length", 1)),
}


def _method(obj: Any) -> tuple[Any, str]:
    inner = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format
    return getattr(inner, "__self__", None), getattr(inner, "__name__", "")


class BoundedCodeGenerator(CodeGenerator):
    """Compiles ``a ~ b`` to ``environment.call_concat(...)`` so it can be measured too."""

    def visit_Concat(self, node: Concat, frame: Frame) -> None:  # noqa: N802 - Jinja's name
        self.write("environment.call_concat((")
        for operand in node.nodes:
            self.visit(operand, frame)
            self.write(", ")
        self.write("))")


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox with every operation measured (see the module doc)."""

    intercepted_binops = frozenset(_BINOPS)
    intercepted_unops = frozenset({"+", "-"})
    code_generator_class = BoundedCodeGenerator

    def __init__(self, **options: Any):
        # no constant folding: it would evaluate outside of any budget, at compile time
        super().__init__(optimized=False, **options)

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        return binop(operator_name, left, right)

    def call_unop(self, context: Any, operator_name: str, arg: Any) -> Any:
        tick()
        return checked(self.unop_table[operator_name](arg))

    def call_concat(self, values: tuple) -> str:
        tick()
        limit(sum(text_len(v) for v in values))
        return checked(str_join(values))

    def getattr(self, obj: Any, attribute: str) -> Any:
        tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        tick()
        return super().getitem(obj, argument)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        tick()
        if not __self.is_safe_callable(__obj):
            raise SecurityError(f"{__obj!r} is not safely callable")
        owner, name = _method(__obj)
        if name == "join" and isinstance(owner, (str, bytes)) and args:
            items = take(args[0])
            limit(sum(text_len(i) for i in items) + len(owner) * max(len(items) - 1, 0))
            args = (items, *args[1:])
        elif isinstance(owner, (str, bytes, int)) and (pre := _METHOD_CHECKS.get(name)):
            pre(owner, args, kwargs)
        return checked(__context.call(__obj, *args, **kwargs))
