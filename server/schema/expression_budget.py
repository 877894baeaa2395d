"""Work limits for conditions: every operation of an expression is measured, not its syntax.

A condition (``show_if``, ``when``) runs in the sandbox of :mod:`server.schema.expressions`.
The sandbox keeps it away from Python's internals, but not from work: ``((9**999)**999)**12``
keeps a worker busy for seconds and ``'x'|center(10**8)`` builds 100 MB. Looking at the
syntax tree cannot tell which expression is expensive (``a ** b`` is harmless or not
depending on ``a`` and ``b``), so :class:`BoundedSandbox` intercepts what does the work:

* every arithmetic operator (``intercepted_binops``/``intercepted_unops``) and ``~``
  (a code generator that sends concatenation through :meth:`BoundedSandbox.call_concat`);
* every call of a method and every filter and test (:func:`bound_filters` wraps each one);
* every attribute and item access.

Before an operation that can multiply its input (``**``, ``*`` on text or lists, ``%`` and
``format`` with widths, ``center``, ``replace``, ``indent``, ``join``, …) the size of the
result is estimated from the operands, and the operation is refused before it starts if the
estimate is too big. After every operation the result is measured: a whole number may have at
most :data:`MAX_INT_BITS` bits, a text, list or dict (counted with everything inside it) at
most :data:`MAX_SIZE` characters or items. And the whole evaluation has a wall-clock budget of
:data:`TIME_BUDGET` seconds, checked at each of those steps (the deadline lives in a
context variable, set by :func:`budget`). Anything over a limit raises
:class:`ExpressionBudgetExceeded` with a German message naming the expression. Constant
folding is switched off (``optimized=False``), so nothing is evaluated outside a budget.
"""

from __future__ import annotations

import contextvars
import functools
import math
import operator
import re
import string
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jinja2.compiler import CodeGenerator, Frame
from jinja2.filters import make_attrgetter
from jinja2.nodes import Concat
from jinja2.runtime import Undefined, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import pass_environment

MAX_INT_BITS = 4096  # about 1233 decimal digits; no condition needs a bigger number
MAX_DIGITS = int(MAX_INT_BITS * math.log10(2))  # the same for decimals (exponent)
MAX_SIZE = 250_000  # characters or items; more than twice the longest field value
TIME_BUDGET = 0.1  # seconds per evaluation; a condition normally takes a few microseconds


class ExpressionBudgetExceeded(Exception):
    """An evaluation was stopped because it exceeded a limit; ``message`` is German.

    Deliberately not a ValueError/TypeError: code that treats those as "condition not met"
    (Jinja's filters, :func:`server.schema.expressions.evaluate_condition`) must let it pass.
    """

    def __init__(self, reason: str, source: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.source = source

    @property
    def message(self) -> str:
        what = f"Der Ausdruck „{self.source}“" if self.source else "Der Ausdruck"
        return f"{what} ist zu aufwendig ({self.reason}) und wurde abgebrochen."

    def __str__(self) -> str:
        return self.message


_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "verbund_expression_deadline", default=None
)


@contextmanager
def budget(source: str, seconds: float | None = None) -> Iterator[None]:
    """Run the block as one evaluation of ``source``: a deadline, and the expression named
    in any :class:`ExpressionBudgetExceeded` raised inside. A nested budget never extends
    the deadline of the one around it."""
    outer = _DEADLINE.get()
    deadline = time.monotonic() + (TIME_BUDGET if seconds is None else seconds)
    token = _DEADLINE.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    except ExpressionBudgetExceeded as exc:
        exc.source = exc.source or source
        raise
    finally:
        _DEADLINE.reset(token)


def tick() -> None:
    """Raise when the current evaluation is past its deadline (no deadline: nothing)."""
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline:
        raise ExpressionBudgetExceeded(f"Zeitlimit von {TIME_BUDGET * 1000:.0f} ms überschritten")


def _too_big(what: str) -> ExpressionBudgetExceeded:
    if what == "int":
        return ExpressionBudgetExceeded(f"Zahl mit mehr als {MAX_INT_BITS} Bit")
    return ExpressionBudgetExceeded(
        f"Text oder Liste mit mehr als {MAX_SIZE:,} Zeichen".replace(",", ".")
    )


_TEXTS = frozenset({str, bytes, bytearray})
_SCALARS = frozenset({int, float, bool, type(None), Decimal, date, datetime})


def size_of(value: Any, limit: int = MAX_SIZE) -> int:
    """Characters and items in ``value``, counting everything inside lists and dicts (a
    list repeated inside another counts every time); stops counting just past ``limit``.

    Flat lists of numbers or texts are measured without a Python loop over their items
    (``map`` runs in C), so measuring a result costs little next to building it.
    """
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, (str, bytes, bytearray)):
            total += len(item)
            continue
        if isinstance(item, Mapping):
            item = [*item.keys(), *item.values()] if len(item) <= limit else item
        elif not isinstance(item, Collection) or isinstance(item, Undefined):
            continue
        total += len(item)
        if total > limit:
            break
        kinds = set(map(type, item))
        if kinds <= _TEXTS:
            total += sum(map(len, item))
        elif not kinds <= _SCALARS:
            stack.extend(x for x in item if type(x) not in _SCALARS)
    return total


def text_len(value: Any) -> int:
    """About how many characters ``str(value)`` has (an estimate, never computing it)."""
    if isinstance(value, (str, bytes, bytearray)):
        return len(value)
    if isinstance(value, bool) or value is None:
        return 5
    if isinstance(value, int):
        return value.bit_length() * 3 // 10 + 2
    if isinstance(value, Decimal):
        sign, digits, exponent = value.as_tuple()
        return len(digits) + (abs(exponent) if isinstance(exponent, int) else 0) + 3
    if isinstance(value, (Mapping, Collection)) and not isinstance(value, Undefined):
        return size_of(value) * 3 + 2
    return 32  # dates, numbers: short


def checked(value: Any) -> Any:
    """``value`` if it is within the limits (iterators are counted as they are consumed)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            raise _too_big("int")
    elif isinstance(value, Decimal):
        if value.is_finite() and value and abs(value.adjusted()) > MAX_DIGITS:
            raise _too_big("int")
    elif isinstance(value, Iterator) and not isinstance(value, Collection):
        return _Counted(value)
    elif size_of(value) > MAX_SIZE:
        raise _too_big("size")
    return value


class _Counted:
    """An iterator (``map``, ``select``, ``batch`` …) that stops after :data:`MAX_SIZE`
    items and watches the deadline while something consumes it."""

    def __init__(self, inner: Iterator):
        self._inner = inner
        self._count = 0

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> Any:
        tick()
        self._count += 1
        if self._count > MAX_SIZE:
            raise _too_big("size")
        return checked(next(self._inner))


def _limit(total: int | float) -> None:
    if total > MAX_SIZE:
        raise _too_big("size")


def _take(iterable: Any) -> list:
    """``iterable`` as a list, refused beyond :data:`MAX_SIZE` items."""
    if isinstance(iterable, Collection):
        _limit(len(iterable))
        return list(iterable)
    return list(_Counted(iter(iterable)))


def _number(text: str | None, star: int) -> int:
    if not text:
        return 0
    if text == "*":
        return star
    return int(text) if len(text) <= 9 else MAX_SIZE + 1


def _values(args: Any, kwargs: Mapping | None = None) -> tuple[int, int]:
    """The widest text among ``args`` and the biggest whole number (a ``*`` width)."""
    if isinstance(args, Mapping):
        items = list(args.values())
    elif isinstance(args, (tuple, list)):
        items = list(args)
    else:
        items = [args]
    items += list((kwargs or {}).values())
    widest = max((text_len(v) for v in items), default=0)
    ints = [abs(v) for v in items if isinstance(v, int) and not isinstance(v, bool)]
    return widest, max(ints, default=0)


_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?.", re.S)


def _printf(fmt: Any, args: Any, kwargs: Mapping | None = None) -> None:
    """``fmt % args``: every conversion may be as wide as its width, precision and value."""
    if not isinstance(fmt, str):
        return
    widest, star = _values(args, kwargs)
    total = len(fmt)
    for match in _PRINTF.finditer(fmt):
        total += _number(match[1], star) + _number(match[2], star) + widest
        _limit(total)


def _format(fmt: Any, args: tuple, kwargs: Mapping) -> None:
    """``fmt.format(...)``: every field may be as wide as its format spec and its value."""
    if not isinstance(fmt, str):
        return
    widest, star = _values(args, kwargs)
    total = len(fmt)
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # the call itself raises
    for _, name, spec, _ in fields:
        if name is None:
            continue
        widths = [_number(d, star) for d in re.findall(r"\d+", spec or "")]
        total += max(widths, default=0) + (star if "{" in (spec or "") else 0) + widest
        _limit(total)


def _pow(base: Any, exponent: Any) -> None:
    """Refuse an integer power whose result has too many bits, before computing it."""
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (base, exponent))
    if not ints or exponent <= 1 or abs(base) <= 1:
        return  # floats overflow at once; Decimals are rounded to 28 digits and checked after
    if exponent.bit_length() > 32 or math.log2(abs(base)) * exponent > MAX_INT_BITS:
        raise _too_big("int")


def _repeat(left: Any, right: Any) -> None:
    """``'ab' * n`` / ``[x] * n``: the result would hold n times everything in the sequence."""
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, (str, bytes, list, tuple)) and isinstance(count, int) and count > 1:
            if count > MAX_SIZE or size_of(seq) * count > MAX_SIZE:
                raise _too_big("size")


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
        _pow(left, right)
    elif op == "*":
        _repeat(left, right)
    elif op == "%" and isinstance(left, str):
        _printf(left, right)
    return checked(_BINOPS[op](left, right))


def _arg(args: tuple, kwargs: Mapping, index: int, name: str, default: Any = None) -> Any:
    return args[index] if len(args) > index else kwargs.get(name, default)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if isinstance(value, Undefined) else str(value)


def _replaced(text: Any, old: Any, new: Any, count: Any = None) -> None:
    if not isinstance(text, str) or not isinstance(old, str) or not isinstance(new, str):
        return
    hits = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    _limit(len(text) + hits * len(new))


def _width(text: Any, width: Any) -> None:
    if isinstance(width, int):
        _limit(max(text_len(text), width))


def _lines(text: Any, per_line: Any) -> None:
    """``per_line`` characters added to each line (``indent``, ``wordwrap``)."""
    extra = per_line if isinstance(per_line, int) else text_len(per_line)
    text = _text(text)
    _limit(len(text) + (text.count("\n") + 1) * extra)


# Estimates before a filter runs, with the filter's own parameters (value first).
_FILTER_CHECKS: dict[str, Callable[[tuple, dict], None]] = {
    "center": lambda a, k: _width(a[0], _arg(a, k, 1, "width", 80)),
    "indent": lambda a, k: _lines(a[0], _arg(a, k, 1, "width", 4)),
    "replace": lambda a, k: _replaced(_text(a[0]), a[1], a[2], _arg(a, k, 3, "count")),
    "format": lambda a, k: _printf(a[0], a[1:], k),
    # every character may start a new line; each gets the wrap string
    "wordwrap": lambda a, k: _limit(
        text_len(a[0]) * (1 + text_len(_arg(a, k, 3, "wrapstring", "\n")))
    ),
    "urlize": lambda a, k: _limit(
        text_len(a[0])
        * (
            60
            + text_len(_arg(a, k, 3, "target", ""))
            + text_len(_arg(a, k, 4, "rel", ""))
            + text_len(_arg(a, k, 5, "extra_schemes", ""))
        )
    ),
    "batch": lambda a, k: _limit(
        0 if _arg(a, k, 2, "fill_with") is None else _arg(a, k, 1, "linecount", 0)
    ),
    "slice": lambda a, k: _limit(_arg(a, k, 1, "slices", 0)),
    "int": lambda a, k: checked(a[0]) if isinstance(a[0], Decimal) else None,
}


def _join(pass_arg: Any, value: Any, d: Any = "", attribute: Any = None) -> tuple:
    """The ``join`` filter's arguments with the items taken out and the size estimated."""
    if attribute is not None:
        environment = getattr(pass_arg, "environment", pass_arg)
        value = map(make_attrgetter(environment, attribute), value)
    items = _take(value)
    _limit(sum(text_len(i) for i in items) + text_len(d) * max(len(items) - 1, 0))
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
    "center": lambda s, a, k: _width(s, _arg(a, k, 0, "width")),
    "ljust": lambda s, a, k: _width(s, _arg(a, k, 0, "width")),
    "rjust": lambda s, a, k: _width(s, _arg(a, k, 0, "width")),
    "zfill": lambda s, a, k: _width(s, _arg(a, k, 0, "width")),
    "expandtabs": lambda s, a, k: _limit(
        len(s) + s.count("\t" if isinstance(s, str) else b"\t") * _arg(a, k, 0, "tabsize", 8)
    ),
    "replace": lambda s, a, k: _replaced(s, *a[:3]),
    "format": lambda s, a, k: _format(s, a, k),
    "format_map": lambda s, a, k: _format(s, (), a[0] if a and isinstance(a[0], Mapping) else {}),
    "translate": lambda s, a, k: _limit(
        len(s) * max((text_len(v) for v in a[0].values()), default=1)
        if a and isinstance(a[0], Mapping)
        else 0
    ),
    "to_bytes": lambda s, a, k: _limit(_arg(a, k, 0, "length", 1)),
}


def _method(obj: Any) -> tuple[Any, str]:
    inner = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format
    return getattr(inner, "__self__", None), getattr(inner, "__name__", "")


class BoundedCodeGenerator(CodeGenerator):
    """Compiles ``a ~ b`` to ``environment.call_concat(...)`` so it can be measured too."""

    def visit_Concat(self, node: Concat, frame: Frame) -> None:  # noqa: N802 - Jinja's name
        self.write("environment.call_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
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
        _limit(sum(text_len(v) for v in values))
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
            items = _take(args[0])
            _limit(sum(text_len(i) for i in items) + len(owner) * max(len(items) - 1, 0))
            args = (items, *args[1:])
        elif isinstance(owner, (str, bytes, int)) and (pre := _METHOD_CHECKS.get(name)):
            pre(owner, args, kwargs)
        return checked(__context.call(__obj, *args, **kwargs))
