"""Work limits for conditions: what a single evaluation may cost, and how it is measured.

A condition (``show_if``, ``when``) runs in the sandbox of :mod:`.expression_sandbox`, which
reports every operation here. Looking at the syntax tree cannot tell which expression is
expensive (``a ** b`` is harmless or not depending on ``a`` and ``b``), so the work itself is
measured:

* before an operation that can multiply its input (``**``, ``*`` on text or lists, ``%`` and
  ``format`` with widths, ``center``, ``replace``, ``indent``, ``join`` …) the size of its
  result is estimated from the operands (the ``check_*`` functions), and it is refused before
  it starts if the estimate is over a limit;
* after every operation the result is measured (:func:`checked`): a whole number may have at
  most :data:`MAX_INT_BITS` bits, a decimal at most :data:`MAX_DIGITS` digits before or after
  the point, a text, list or dict (counted with everything inside it) at most
  :data:`MAX_SIZE` characters or items;
* the whole evaluation has a wall-clock budget of :data:`TIME_BUDGET` seconds, checked at
  every step (:func:`tick`; the deadline lives in a context variable set by :func:`budget`);
  time in which the thread was not running is given back (:class:`_Clock`, up to
  :data:`HARD_LIMIT` budgets), so a busy server does not refuse trivial conditions.

Anything over a limit raises :class:`ExpressionBudgetExceeded` with a German message naming
the expression.
"""

from __future__ import annotations

import contextvars
import math
import re
import string
import time
from collections.abc import Collection, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jinja2.runtime import Undefined

from ..german import number as german_number

MAX_INT_BITS = 4096  # about 1233 decimal digits; no condition needs a bigger number
MAX_DIGITS = int(MAX_INT_BITS * math.log10(2))  # the same for decimals (exponent)
MAX_SIZE = 250_000  # characters or items; more than twice the longest field value
TIME_BUDGET = 0.1  # seconds per evaluation; a condition normally takes a few microseconds
HARD_LIMIT = 20  # wall-clock cap in budgets, however little of it the thread could work


QUOTE_CHARS = 120  # a message quotes this much of an expression; its line says where the rest is


def quoted(source: str) -> str:
    """``source`` as a message quotes it: whole when short, else its start and "…"."""
    source = " ".join(str(source).split())
    return source if len(source) <= QUOTE_CHARS else source[: QUOTE_CHARS - 1] + "…"


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
        what = f"Der Ausdruck „{quoted(self.source)}“" if self.source else "Der Ausdruck"
        return f"{what} ist zu aufwendig ({self.reason}) und wurde abgebrochen."

    def __str__(self) -> str:
        return self.message


class _Clock:
    """The deadline of one evaluation.

    Wall-clock time decides, read once per step (cheap). But a thread on a busy server may
    not run for a while, and a trivial condition must not be refused for that: once the
    deadline has passed, a window of half the budget follows in which the thread's own CPU
    time is measured. Only if it worked for at least half of that window is the evaluation
    stopped (so after 1 to 1.5 budgets of work); if it mostly waited, another window
    follows, up to :data:`HARD_LIMIT` budgets of wall-clock time in all.
    """

    __slots__ = ("cpu_mark", "deadline", "hard_deadline", "seconds")

    def __init__(self, seconds: float):
        now = time.monotonic()
        self.seconds = seconds
        self.deadline = now + seconds
        self.hard_deadline = now + seconds * HARD_LIMIT
        self.cpu_mark: float | None = None  # the thread's CPU clock when a window began

    def passed(self, now: float) -> bool:
        """Past the deadline: True if the thread was working, else open a new window."""
        cpu = time.thread_time()
        window = self.seconds / 2
        if now >= self.hard_deadline or (
            self.cpu_mark is not None and cpu - self.cpu_mark >= window / 2
        ):
            return True
        self.cpu_mark, self.deadline = cpu, now + window
        return False


_CLOCK: contextvars.ContextVar[_Clock | None] = contextvars.ContextVar(
    "verbund_expression_clock", default=None
)


class Budget:
    """One evaluation of ``source`` (``with budget(source): ...``): a deadline, and the
    expression named in any :class:`ExpressionBudgetExceeded` raised inside. Inside another
    budget the outer deadline stays (an evaluation never gets more time)."""

    __slots__ = ("seconds", "source", "token")

    def __init__(self, source: str, seconds: float | None = None):
        self.source = source
        self.seconds = TIME_BUDGET if seconds is None else seconds

    def __enter__(self) -> Budget:
        self.token = _CLOCK.set(_CLOCK.get() or _Clock(self.seconds))
        return self

    def __exit__(self, kind: Any, exc: BaseException | None, traceback: Any) -> None:
        _CLOCK.reset(self.token)
        if isinstance(exc, ExpressionBudgetExceeded) and not exc.source:
            exc.source = self.source


budget = Budget  # reads as "with budget(source):"


def tick() -> None:
    """Raise when the current evaluation is past its deadline (no budget: nothing)."""
    clock = _CLOCK.get()
    if clock is None:
        return
    now = time.monotonic()
    if now >= clock.deadline and clock.passed(now):
        raise ExpressionBudgetExceeded(f"Zeitlimit von {clock.seconds * 1000:.0f} ms überschritten")


def _too_big(what: str) -> ExpressionBudgetExceeded:
    if what == "int":
        return ExpressionBudgetExceeded(f"Zahl mit mehr als {MAX_INT_BITS} Bit")
    return ExpressionBudgetExceeded(
        f"Text oder Liste mit mehr als {german_number(MAX_SIZE)} Zeichen"
    )


_TEXTS = frozenset({str, bytes, bytearray})
_SCALARS = frozenset({int, float, bool, type(None), Decimal, date, datetime})


def size_of(value: Any, stop: int = MAX_SIZE) -> int:
    """Characters and items in ``value``, counting everything inside lists and dicts (a
    list repeated inside another counts every time); stops counting just past ``stop``.

    Flat lists of numbers or texts are measured without a Python loop over their items
    (``map`` runs in C), so measuring a result costs little next to building it.
    """
    total, stack = 0, [value]
    while stack and total <= stop:
        item = stack.pop()
        if isinstance(item, (str, bytes, bytearray)):
            total += len(item)
            continue
        if isinstance(item, Mapping):
            parts: tuple = (item.keys(), item.values())
        elif isinstance(item, Collection) and not isinstance(item, Undefined):
            parts = (item,)
        else:
            continue
        for part in parts:
            total += len(part)
            if total > stop:
                break
            kinds = set(map(type, part))
            if kinds <= _SCALARS:
                continue
            if kinds <= _TEXTS:
                total += sum(map(len, part))
                continue
            for x in part:  # mixed, e.g. the values of a table row
                if type(x) in _TEXTS:
                    total += len(x)
                elif type(x) not in _SCALARS:
                    stack.append(x)
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
        # each item was measured where it was made (or is data); the consumer's result is too
        return next(self._inner)


def limit(total: int | float) -> None:
    """Refuse an operation whose result is estimated at ``total`` characters or items."""
    if total > MAX_SIZE:
        raise _too_big("size")


def take(iterable: Any) -> list:
    """``iterable`` as a list, refused beyond :data:`MAX_SIZE` items."""
    if isinstance(iterable, Collection):
        limit(len(iterable))
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


def check_printf(fmt: Any, args: Any, kwargs: Mapping | None = None) -> None:
    """``fmt % args``: every conversion may be as wide as its width, precision and value."""
    if isinstance(fmt, bytes):
        fmt = fmt.decode("latin-1")  # the same conversions, one character per byte
    if not isinstance(fmt, str):
        return
    widest, star = _values(args, kwargs)
    total = len(fmt)
    for match in _PRINTF.finditer(fmt):
        total += _number(match[1], star) + _number(match[2], star) + widest
        limit(total)


def check_format(fmt: Any, args: tuple, kwargs: Mapping) -> None:
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
        limit(total)


def check_pow(base: Any, exponent: Any) -> None:
    """Refuse an integer power whose result has too many bits, before computing it."""
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (base, exponent))
    if not ints or exponent <= 1 or abs(base) <= 1:
        return  # floats overflow at once; Decimals are rounded to 28 digits and checked after
    if exponent.bit_length() > 32 or math.log2(abs(base)) * exponent > MAX_INT_BITS:
        raise _too_big("int")


def check_repeat(left: Any, right: Any) -> None:
    """``'ab' * n`` / ``[x] * n``: the result would hold n times everything in the sequence."""
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, (str, bytes, list, tuple)) and isinstance(count, int) and count > 1:
            if size_of(seq) * count > MAX_SIZE:
                raise _too_big("size")


def arg(args: tuple, kwargs: Mapping, index: int, name: str, default: Any = None) -> Any:
    """Parameter ``name`` of a call, given by position ``index`` or by keyword."""
    return args[index] if len(args) > index else kwargs.get(name, default)


def as_text(value: Any) -> str:
    """``value`` as the text a filter works on (undefined: empty)."""
    return value if isinstance(value, str) else "" if isinstance(value, Undefined) else str(value)


def check_replace(text: Any, old: Any, new: Any, count: Any = None) -> None:
    """``text.replace(old, new)``: ``new`` for every hit, and ``''`` hits between all."""
    if not isinstance(text, str) or not isinstance(old, str) or not isinstance(new, str):
        return
    hits = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    limit(len(text) + hits * len(new))


def check_width(text: Any, width: Any) -> None:
    """``center``/``ljust``/``rjust``/``zfill``: the result is at least ``width`` long."""
    if isinstance(width, int):
        limit(max(text_len(text), width))


def check_lines(text: Any, per_line: Any) -> None:
    """``per_line`` characters added to each line (``indent``, ``wordwrap``)."""
    extra = per_line if isinstance(per_line, int) else text_len(per_line)
    text = as_text(text)
    limit(len(text) + (text.count("\n") + 1) * extra)
