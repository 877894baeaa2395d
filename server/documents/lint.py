"""Checking a Word template before anyone needs it: Jinja syntax, and every name it uses.

The template is read the way docxtpl reads it (its XML, patched for ``{%tr %}``/``{%p %}``)
and its Jinja tree is walked with a model of the data it will get (a :class:`Shape` per
name): forms with their fields, tables with their columns, ``record``, ``history``, ``now``.
So ``intake.nam``, ``row.agenc`` inside ``{%tr for row in intake.agencies %}``, a method call
or ``|label`` on a text field are found before a document fails.

A .docx has no lines; a problem's line is the number of the paragraph (table cells count)
in which the tag stands, in the body or in the header or footer named in the message.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

import jinja2
from jinja2 import nodes

from ..schema.fieldtypes.template_data import ANY, VALUE, Shape
from .const_fold import TooLarge, fold
from .docx_parts import Finding, locate, paragraph_problems, read_parts
from .render import template_environment

LIST_FILTERS = {"sort", "reverse", "list", "selectattr", "rejectattr", "unique", "batch", "slice"}
ITEM_FILTERS = {"first", "last", "random", "min", "max"}
SAME_FILTERS = {"default", "d"}
ALLOWED_CALLS = "range(…), loop.cycle(…) und loop.changed(…)"


def object_shape(what: str, keys, member_word: str = "Angabe") -> Shape:
    return Shape("object", what, {k: Shape("value", k) for k in keys}, member_word=member_word)


# ------------------------------------------------------------------------------------------
# walking the Jinja tree


def _text(node: nodes.Node) -> str:
    """An expression as the author wrote it, roughly, for messages."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_text(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{_text(node.node)}[{node.arg.value!r}]"
    if isinstance(node, nodes.Filter) and node.node is not None:
        return f"{_text(node.node)}|{node.name}"
    if isinstance(node, nodes.Call):
        return f"{_text(node.node)}(…)"
    if isinstance(node, nodes.Const):
        return repr(node.value)
    return "…"


class _Walker:
    def __init__(self, names: Mapping[str, Shape], env: jinja2.Environment, unknown_hint: str):
        self.names = dict(names)
        self.env = env
        self.unknown_hint = unknown_hint
        self.found: list[tuple[int | None, str, str]] = []  # (line, message, expression)

    def report(self, node: nodes.Node, message: str, expression: str = "") -> None:
        self.found.append((getattr(node, "lineno", None), message, expression))

    # statements ------------------------------------------------------------------------
    def block(self, body, scope: dict[str, Shape]) -> None:
        for node in body:
            self.statement(node, scope)

    def statement(self, node: nodes.Node, scope: dict[str, Shape]) -> None:
        if isinstance(node, nodes.For):
            self.loop(node, scope)
        elif isinstance(node, nodes.If):
            self.expr(node.test, scope)
            self.block(node.body, dict(scope))
            for branch in node.elif_:
                self.statement(branch, scope)
            self.block(node.else_, dict(scope))
        elif isinstance(node, nodes.Assign):
            shape = self.expr(node.node, scope)
            self.bind(node.target, shape, scope)
        elif isinstance(node, nodes.AssignBlock):
            self.block(node.body, dict(scope))
            self.bind(node.target, VALUE, scope)
        elif isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values, strict=False):
                self.bind(target, self.expr(value, scope), inner)
            self.block(node.body, inner)
        elif isinstance(node, nodes.Macro):
            inner = dict(scope)
            for arg in node.args:
                inner[arg.name] = ANY
            inner.update(caller=ANY, varargs=ANY, kwargs=ANY)
            scope[node.name] = ANY
            self.block(node.body, inner)
        elif isinstance(node, nodes.CallBlock):
            self.report(node, f"Vorlagen dürfen nichts aufrufen (erlaubt: {ALLOWED_CALLS})")
        elif isinstance(node, nodes.Include | nodes.Import | nodes.FromImport | nodes.Extends):
            self.report(node, "Vorlagen können keine anderen Vorlagen einbinden")
        elif isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    self.expr(child, scope)
        elif isinstance(node, nodes.Expr):
            self.expr(node, scope)
        else:  # ExprStmt, FilterBlock, Scope, … : check what is inside
            for child in node.iter_child_nodes():
                if isinstance(child, nodes.Stmt):
                    self.statement(child, scope)
                elif isinstance(child, nodes.Expr):
                    self.expr(child, scope)

    def bind(self, target: nodes.Node, shape: Shape, scope: dict[str, Shape]) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = shape
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self.bind(item, ANY, scope)
        else:  # {% set ns.x = … %}
            self.expr(target, scope)

    def loop(self, node: nodes.For, scope: dict[str, Shape]) -> None:
        shape = self.expr(node.iter, scope)
        if shape.kind == "list":
            item = shape.item or ANY
        elif shape.kind == "any":
            item = ANY
        else:
            self.report(
                node,
                f"„{_text(node.iter)}“ ist keine Tabelle; "
                "eine Schleife braucht eine Tabelle oder Liste",
                _text(node.iter),
            )
            item = ANY
        inner = dict(scope)
        self.bind(node.target, item, inner)
        inner["loop"] = ANY
        if node.test is not None:
            self.expr(node.test, inner)
        self.block(node.body, inner)
        self.block(node.else_, dict(scope))

    # expressions -----------------------------------------------------------------------
    def expr(self, node: nodes.Node | None, scope: dict[str, Shape]) -> Shape:
        if node is None:
            return ANY
        if isinstance(node, nodes.BinExpr | nodes.UnaryExpr | nodes.Concat | nodes.Filter):
            self.bounded(node)
        if isinstance(node, nodes.Name):
            return self.name(node, scope)
        if isinstance(node, nodes.Getattr):
            self.internal(node, node.attr)
            return self.member(node, self.expr(node.node, scope), node.attr)
        if isinstance(node, nodes.Getitem):
            base = self.expr(node.node, scope)
            if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                self.internal(node, node.arg.value)
                return self.member(node, base, node.arg.value)
            self.expr(node.arg, scope)
            return (base.item or ANY) if base.kind == "list" else ANY
        if isinstance(node, nodes.Filter):
            return self.filter(node, scope)
        if isinstance(node, nodes.Test):
            self.expr(node.node, scope)
            self.arguments(node, scope)
            if node.name not in self.env.tests:
                self.report(node, f"unbekannter Test „is {node.name}“")
            return VALUE
        if isinstance(node, nodes.Call):
            return self.call(node, scope)
        if isinstance(node, nodes.Or):
            left, right = self.expr(node.left, scope), self.expr(node.right, scope)
            return left if left.kind != "any" else right
        if isinstance(node, nodes.CondExpr):
            self.expr(node.test, scope)
            first, second = self.expr(node.expr1, scope), self.expr(node.expr2, scope)
            return first if first.kind != "any" else second
        if isinstance(node, nodes.Const | nodes.TemplateData):
            return VALUE
        for child in node.iter_child_nodes():
            self.expr(child, scope)
        return Shape("list") if isinstance(node, nodes.List | nodes.Tuple) else VALUE

    def bounded(self, node: nodes.Node) -> None:
        """A constant expression (``'a' * 30000000``) must stay small: folded under a bound."""
        try:
            fold(node)
        except TooLarge as exc:
            self.report(node, f"der Ausdruck {exc}")

    def internal(self, node: nodes.Node, attr: str) -> None:
        """``x.__class__``, ``x['_y']``, ``x|attr('__class__')``, ``loop.cycle.__globals__``:
        names starting with ``_`` are Python's internals, never data; refused at upload
        (the sandbox would stop them only when a document is rendered)."""
        if attr.startswith("_"):
            self.report(
                node,
                f"„{attr}“: Namen mit „_“ am Anfang sind interne Angaben, keine Werte – "
                "Vorlagen dürfen nur Werte einsetzen",
                attr,
            )

    def arguments(self, node, scope) -> None:
        for arg in node.args:
            self.expr(arg, scope)
        for kwarg in node.kwargs:
            self.expr(kwarg.value, scope)
        for extra in (node.dyn_args, node.dyn_kwargs):
            self.expr(extra, scope)

    def name(self, node: nodes.Name, scope: dict[str, Shape]) -> Shape:
        if node.name in scope:
            return scope[node.name]
        if node.name in self.names:
            return self.names[node.name]
        if node.name in self.env.globals:
            return ANY
        self.report(node, f"„{node.name}“ {self.unknown_hint}", node.name)
        return ANY

    def member(self, node: nodes.Node, base: Shape, attr: str) -> Shape:
        if base.kind == "any":
            return ANY
        if attr in base.members:
            return base.members[attr]
        text = _text(node)
        if base.kind == "object":
            close = difflib.get_close_matches(attr, list(base.members), n=1, cutoff=0.6)
            hint = f" – gemeint ist vielleicht „{close[0]}“" if close else ""
            none = "kein" if base.member_word == "Feld" else "keine"  # das Feld, die Spalte
            self.report(
                node, f"„{text}“: {base.what} hat {none} {base.member_word} „{attr}“{hint}", text
            )
        elif base.kind == "list":
            self.report(
                node,
                f"„{text}“: {base.what} ist eine Tabelle; ihre Zeilen mit "
                "{%tr for zeile in … %} durchgehen",
                text,
            )
        else:
            self.report(node, f"„{text}“: {base.what} ist ein einzelner Wert ohne „{attr}“", text)
        return ANY

    def filter(self, node: nodes.Filter, scope: dict[str, Shape]) -> Shape:
        base = self.expr(node.node, scope)
        self.arguments(node, scope)
        if node.name == "attr":
            name = node.args[0] if len(node.args) == 1 and not node.kwargs else None
            if isinstance(name, nodes.Const) and isinstance(name.value, str):
                self.internal(node, name.value)
            else:
                self.report(node, "„|attr(…)“ braucht einen festen Namen in Anführungszeichen")
        if node.name not in self.env.filters:
            self.report(
                node,
                f"unbekannter Filter „|{node.name}“ (deutsche Filter: datum, zahl, euro, "
                "janein, label)",
                node.name,
            )
            return ANY
        if node.name == "label" and base.kind != "any" and not base.choices:
            self.report(
                node,
                f"„|label“ gehört an ein Auswahlfeld; {base.what or _text(node.node)} "
                f"ist {'vom Typ ' + base.type if base.type else 'keins'}",
                _text(node.node),
            )
        if node.name in LIST_FILTERS:
            return base
        if node.name in ITEM_FILTERS:
            return (base.item or ANY) if base.kind == "list" else ANY
        if node.name in SAME_FILTERS:
            return base
        return VALUE

    def call(self, node: nodes.Call, scope: dict[str, Shape]) -> Shape:
        self.arguments(node, scope)
        target = node.node
        allowed = (isinstance(target, nodes.Name) and target.name == "range") or (
            isinstance(target, nodes.Getattr)
            and isinstance(target.node, nodes.Name)
            and target.node.name == "loop"
            and target.attr in ("cycle", "changed")
        )
        if not allowed:
            self.report(
                node,
                f"„{_text(node)}“: Vorlagen dürfen nichts aufrufen, nur Werte einsetzen "
                f"(erlaubt: {ALLOWED_CALLS})",
                _text(node.node),
            )
        elif isinstance(target, nodes.Getattr):
            self.expr(target.node, scope)
        return ANY


def lint_docx(
    content: bytes, names: Mapping[str, Shape] | None, unknown_hint: str = ""
) -> list[Finding]:
    """Every problem of the .docx template ``content`` given the data ``names`` (None: check
    the syntax only).

    ``unknown_hint`` completes the message for a name nobody provides, e.g. „ist weder ein
    Formular dieses Ablaufs noch record, history oder now“. Raises what python-docx raises
    for a file that is not a Word document.
    """
    env = template_environment()
    findings: list[Finding] = []
    for part in read_parts(content):
        layout = paragraph_problems(part)
        if layout:
            findings += layout
            continue
        try:
            tree = env.parse(part.source)
        except jinja2.TemplateSyntaxError as exc:
            number, snippet = locate(part, exc.lineno)
            findings.append(
                Finding(
                    part.label,
                    number,
                    f"fehlerhafter Platzhalter ({exc.message}) – ist jedes {{{{ … }}}} und "
                    "{% … %} geschlossen, jedes {% if %}/{% for %} mit {% endif %}/"
                    "{% endfor %} beendet und ohne Formatwechsel in einem Stück geschrieben?",
                    snippet,
                )
            )
            continue
        if names is None:
            continue
        walker = _Walker(names, env, unknown_hint)
        walker.block(tree.body, {})
        seen = set()
        for line, message, expression in walker.found:
            if message in seen:
                continue
            seen.add(message)
            number, snippet = locate(part, line, expression)
            findings.append(Finding(part.label, number, message, snippet))
    return findings
