"""Conditions in forms and workflows (``show_if``, transition ``when``): Jinja expressions.

An expression is compiled by an :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`, never
by Python ``eval``: it can read the plain data it is given, call the harmless methods of strings
and numbers and use Jinja's filters and tests, and nothing else (no ``__class__``, no mutating
methods, no globals).

The data is plain dicts (form id -> {field -> typed value}, ``record`` -> {...}). Three rules make
conditions forgiving about data that is not there yet:

* a name or attribute that does not exist is a :class:`~jinja2.ChainableUndefined`: falsy,
  chainable and of length 0, so ``intake.agencies|length >= 2`` works before intake was saved;
* a value that is ``None`` (a field saved empty) counts as undefined too, so the same condition
  does not depend on whether the form was saved empty or not saved at all;
* on a dict, ``a.b`` is always the *item* ``b``: a field called ``items`` or ``values`` is the
  field, not the dict method of that name.
"""

from __future__ import annotations

import difflib
import functools
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import ChainableUndefined, nodes
from jinja2.exceptions import TemplateSyntaxError
from jinja2.parser import Parser
from jinja2.runtime import Undefined

from .expression_budget import ExpressionBudgetExceeded, budget, quoted, tick
from .expression_sandbox import BoundedSandbox, bound_filters

log = logging.getLogger(__name__)

MAX_SOURCE = 2000  # characters; a condition longer than this is a mistake, not a condition
MAX_DEPTH = 40  # nesting of brackets, operators and filters; deeper only exhausts the stack


class ExpressionError(ValueError):
    """An expression that cannot be compiled; ``message`` is German and names the expression."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _ConditionEnvironment(BoundedSandbox):
    """The sandbox with work limits (:mod:`.expression_sandbox`) and Verbund's rules for data
    that is missing (see the module doc)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping) and not attribute.startswith("_"):
            return self._item(obj, attribute)
        return _none_to_undefined(self, super().getattr(obj, attribute), obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Mapping) and not (isinstance(argument, str) and argument[:1] == "_"):
            return self._item(obj, argument)
        return _none_to_undefined(self, super().getitem(obj, argument), obj, argument)

    def _item(self, obj: Mapping, key: Any) -> Any:
        tick()
        try:
            value = obj[key]
        except (KeyError, TypeError):
            return self.undefined(obj=obj, name=key)
        return self.undefined(obj=obj, name=key) if value is None else value


def _none_to_undefined(env: _ConditionEnvironment, value: Any, obj: Any, name: Any) -> Any:
    return env.undefined(obj=obj, name=name) if value is None else value


def _is_none(value: Any) -> bool:
    # ``x is none`` must hold for an empty field, which reaches the expression as undefined
    return value is None or isinstance(value, Undefined)


def _text_filter(operation: Callable[[str], str]) -> Callable[[Any], str]:
    """``lower``/``upper``/``trim`` for text only (empty: ""); anything else is an error.

    Jinja would first turn any value into text (``True|lower`` is "true", a list becomes its
    Python repr), which no other evaluator could reproduce; the browser evaluates ``show_if``
    too, so these filters are strict, and a condition misusing them is simply false.
    """

    def text_filter(value: Any, *args: Any) -> str:
        if isinstance(value, Undefined):
            return ""
        if not isinstance(value, str):
            raise TypeError(f"text filter on {type(value).__name__}")
        return operation(value, *args)  # trim("chars") in a ``when`` keeps working

    return text_filter


_ENV = _ConditionEnvironment(undefined=ChainableUndefined, autoescape=False)
# No globals: in a show_if a bare name is a field of the form, and a field called ``range``
# or ``dict`` must not be shadowed by a Jinja helper. Conditions need data, not functions.
_ENV.globals.clear()
_ENV.tests["none"] = _is_none
_ENV.filters["lower"] = _text_filter(str.lower)
_ENV.filters["upper"] = _text_filter(str.upper)
_ENV.filters["trim"] = _text_filter(str.strip)
bound_filters(_ENV)  # last: every filter and test, Jinja's and ours, is measured


def _parse(source: str) -> nodes.Expr:
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("Der Ausdruck ist leer.")
    if len(source) > MAX_SOURCE:
        raise ExpressionError(f"Der Ausdruck ist zu lang (höchstens {MAX_SOURCE} Zeichen).")
    parser = Parser(_ENV, source, state="variable")
    try:
        expr = parser.parse_expression()
        if not parser.stream.eos:
            token = parser.stream.current
            raise TemplateSyntaxError(f"unerwartet: '{token.value}'", token.lineno)
    except TemplateSyntaxError as exc:
        raise ExpressionError(_syntax(source, exc)) from None
    except RecursionError:  # Jinja's parser recurses once per bracket: ((((…))))
        raise ExpressionError(_too_deep(source)) from None
    if _depth(expr) > MAX_DEPTH:
        raise ExpressionError(_too_deep(source))
    # Jinja checks most filter names while parsing, but not all (e.g. inside a condition)
    for node in [expr, *expr.find_all((nodes.Filter, nodes.Test))]:  # find_all skips expr
        if isinstance(node, nodes.Filter) and node.name not in _ENV.filters:
            raise ExpressionError(f"Ausdruck „{quoted(source)}“: {_unknown('Filter', node.name)}")
        if isinstance(node, nodes.Test) and node.name not in _ENV.tests:
            raise ExpressionError(f"Ausdruck „{quoted(source)}“: {_unknown('Test', node.name)}")
    return expr


def _depth(expr: nodes.Node) -> int:
    """How deeply the nodes of ``expr`` nest (counted without recursion)."""
    deepest, stack = 0, [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.iter_child_nodes())
    return deepest


def _too_deep(source: str) -> str:
    return f"Ausdruck „{quoted(source)}“: zu tief verschachtelt (höchstens {MAX_DEPTH} Ebenen)"


def _syntax(source: str, exc: TemplateSyntaxError) -> str:
    return f"Ausdruck „{quoted(source)}“: {_german(exc.message or '')}"


def _unknown(what: str, name: str) -> str:
    names = _ENV.filters if what == "Filter" else _ENV.tests
    close = difflib.get_close_matches(name, list(names), n=1)
    return f"unbekannter {what} „{name}“" + (f" – meinten Sie „{close[0]}“?" if close else "")


# Jinja's parser messages that admins actually meet, in German; anything else stays English.
_MESSAGES = (
    (re.compile(r"No filter named '(.+?)'"), lambda m: _unknown("Filter", m[1])),
    (re.compile(r"No test named '(.+?)'"), lambda m: _unknown("Test", m[1])),
    (re.compile(r"unexpected 'end of (template|print statement)'"), lambda m: "endet zu früh"),
    (re.compile(r"unexpected end of template"), lambda m: "endet zu früh"),
    (
        re.compile(r"expected token '(.+?)', got '(.+?)'"),
        lambda m: f"„{m[1]}“ erwartet, „{m[2]}“ gefunden",
    ),
    (re.compile(r"expected name or number"), lambda m: "nach „.“ fehlt ein Name"),
    (re.compile(r"unexpected '(.+?)'"), lambda m: f"unerwartetes „{m[1]}“"),
    (re.compile(r"unerwartet: '(.+?)'"), lambda m: f"unerwartetes „{m[1]}“"),
)


def _german(message: str) -> str:
    for pattern, german in _MESSAGES:
        match = pattern.search(message)
        if match:
            return german(match)
    return f"fehlerhaft ({message})"


@functools.lru_cache(maxsize=1024)
def compile_expression(source: str) -> Callable[..., Any]:
    """Compile ``source`` once (cached) into a callable taking the names as keyword arguments.

    Raises :class:`ExpressionError` (German message) on a syntax error or an unknown filter or
    test. Calling the result may still raise at run time; :func:`evaluate_condition` handles that.
    """
    _parse(source)
    try:
        return _ENV.compile_expression(source, undefined_to_none=False)
    except TemplateSyntaxError as exc:  # e.g. an assertion only the compiler makes
        raise ExpressionError(_syntax(source, exc)) from None
    except (RecursionError, SyntaxError):  # Python's compiler nests less deeply than Jinja
        raise ExpressionError(_too_deep(source)) from None


def check_expression(source: str) -> str | None:
    """The German error message for ``source``, or None when it compiles."""
    try:
        compile_expression(source)
    except ExpressionError as exc:
        return exc.message
    return None


def evaluate_condition(source: str, context: Mapping[str, Any]) -> bool:
    """The truth of condition ``source`` for ``context`` (name -> plain data).

    Any error while evaluating makes the condition False: comparing an empty value with a
    number (``None > 3`` is a TypeError), a refused attribute (sandbox SecurityError), an
    expression that no longer compiles. Conditions guard transitions and show fields, and
    False is the safe answer for both: a guard that cannot be decided does not let a record
    move on, and a user never sees a traceback because of data someone else entered. The
    flip side, which the docs state: ``not (x > 3)`` is False, not True, when x is empty.

    One failure is not an answer: an evaluation that exceeds its work limits (too big a
    number, text or list, or over its time budget; :mod:`.expression_budget`) raises
    :class:`ExpressionBudgetExceeded`, so the caller can say so instead of pretending the
    condition was merely not met.
    """
    try:
        expression = compile_expression(source)
        # an empty field is undefined, exactly like a field that was never saved
        names = {str(k): v for k, v in context.items() if v is not None and str(k).isidentifier()}
        with budget(source):
            return bool(expression(**names))
    except ExpressionBudgetExceeded:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure means "condition not met"
        log.debug("condition %r is false because of %s: %s", source, type(exc).__name__, exc)
        return False


def referenced_names(source: str) -> set[tuple[str, str | None]]:
    """The names ``source`` reads, as (name, attribute) pairs.

    ``intake.agencies|length`` gives ``("intake", "agencies")``, ``intake["x"]`` gives
    ``("intake", "x")`` and a bare ``consent`` gives ``("consent", None)``. Only the first
    attribute counts: ``intake.agencies[0].agency`` is still ``("intake", "agencies")``, because
    what is inside a field's value is data, not a name the checker could verify. Raises
    :class:`ExpressionError` when ``source`` does not compile.
    """
    found: set[tuple[str, str | None]] = set()
    _collect(_parse(source), found)
    return found


def _collect(node: nodes.Node, found: set[tuple[str, str | None]]) -> None:
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
        found.add((node.node.name, node.attr))
        return
    if (
        isinstance(node, nodes.Getitem)
        and isinstance(node.node, nodes.Name)
        and isinstance(node.arg, nodes.Const)
        and isinstance(node.arg.value, str)
    ):
        found.add((node.node.name, node.arg.value))
        return
    if isinstance(node, nodes.Name):
        found.add((node.name, None))
        return
    for child in node.iter_child_nodes():
        _collect(child, found)
