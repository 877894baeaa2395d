"""The base class of every field type and the registry that finds a type by its name.

A field type is one class: its name and German label, the TOML keys it takes (and how they
are checked), how raw input becomes a clean value, how a value is shown, what a Word template
and an expression see, which widget the screens draw and which entry of the browser's table in
``server/static/verbund-input.js`` cleans it. Everything that used to ask ``field.type == …``
asks the class instead, so adding a type is one class registered with :func:`register`.

The registry lives at the schema layer so that reading TOML (``verbund check``) can ask a type
for its keys; nothing here needs Flask or the database.
"""

from __future__ import annotations

from typing import Any

from ..checking import Collector, kind
from ..definitions import FieldDef
from ..toml_lines import KeyPath
from .template_data import Shape

_REGISTRY: dict[str, FieldType] = {}
# the live registry, read-only by convention: add and remove types with register/unregister
REGISTRY = _REGISTRY


class FieldError(ValueError):
    """Raw input that cannot become a value of the field's type; the message is German."""


def register(cls: type[FieldType]) -> type[FieldType]:
    """Make the field type ``cls`` available under ``cls.name`` (usable as a class decorator).

    A plug-in or a test calls this once; :func:`unregister` takes the type away again.
    Registering a name twice replaces the earlier type (a plug-in may refine a built-in one).
    """
    if not cls.name or not cls.label:
        raise ValueError("a field type needs a name and a German label")
    _REGISTRY[cls.name] = cls()
    return cls


def unregister(name: str) -> None:
    """Remove the field type called ``name`` (a no-op when there is none)."""
    _REGISTRY.pop(name, None)


def field_type(name: str) -> FieldType:
    """The type called ``name`` (schema validation guarantees it exists)."""
    return _REGISTRY[name]


def type_names() -> tuple[str, ...]:
    """The names of all registered types, built-in ones first, in registration order."""
    return tuple(_REGISTRY)


def quoted(field: FieldDef) -> str:
    """A field's label in German quotes, the way every message names a field."""
    return f"„{field.label}“"


def count(number: int, one: str, many: str) -> str:
    """``count(1, "Zeile", "Zeilen")`` -> "1 Zeile", ``count(3, ...)`` -> "3 Zeilen"."""
    return f"{number} {one if number == 1 else many}"


def is_empty(value: Any) -> bool:
    """True for the values an unfilled field can have (None, "", [] and {})."""
    return value is None or value == "" or value == [] or value == {}


class FieldType:
    """Base class. Subclasses set ``name``, ``label`` and ``explanation`` and override what
    differs; the defaults describe a one-line text-like value."""

    #: the value of ``type = "…"`` in a form's TOML
    name = ""
    #: German name and one-line German explanation, for people choosing a type
    label = ""
    explanation = ""
    #: TOML keys this type takes besides the common ones (name, type, label, required, …)
    keys: tuple[str, ...] = ()
    #: German name and one-line explanation of each of its own :attr:`keys` the builder
    #: offers (common keys such as ``min`` are named in ``admin/form_builder_edits.py``)
    key_labels: dict[str, str] = {}
    key_explanations: dict[str, str] = {}
    #: may be a column of a table field / may have a ``default`` / may name a record
    in_columns = True
    takes_default = True
    usable_as_title = True
    #: the value of an unfilled field
    empty: Any = None
    #: the macro of ``templates/verbund/_widgets.html`` that draws the input, and for the
    #: ``line`` widget the ``<input type>``
    widget = "line"
    input_kind = "text"
    #: whether the widget's input carries HTML ``required`` when the field is required; a
    #: group of inputs cannot (every box of it would have to be ticked): its legend says it
    native_required = True
    #: the entry of ``CLEAN`` in ``static/verbund-input.js`` the browser cleans input with
    #: (for ``show_if``); a type without its own entry names the one closest to it
    browser_clean = ""
    #: whether the displayed value goes into a record's search text
    searchable = True

    # ---- the form file (TOML) ----------------------------------------------------------

    def read_keys(self, c: Collector, table: dict, keypath: KeyPath, where: str) -> dict:
        """This type's own keys, checked; problems go to ``c`` (``path:line: message``).

        Returns keyword arguments for :class:`FieldDef`; keys that are no attribute of it
        end up in ``FieldDef.options``. The default reads each of :attr:`keys` as text.
        """
        return {
            key: c.text(table, key, keypath, where) or None for key in self.keys if key in table
        }

    def read_default(
        self, c: Collector, value: Any, at: KeyPath, where: str, values: dict[str, Any]
    ) -> Any:
        """The TOML ``default``, checked against the type and the field's other keys."""
        if not isinstance(value, str):
            c.add(at, f"{where}„default“ muss ein Text sein, nicht {kind(value)}")
            return None
        return value

    # ---- cleaning submitted values ------------------------------------------------------

    def empty_value(self) -> Any:
        """The value of an unfilled field (a fresh list for list types)."""
        return list(self.empty) if isinstance(self.empty, list) else self.empty

    def clean(self, field: FieldDef, raw: Any) -> Any:
        """Raw input (JSON value or form string) to a clean value; raises FieldError."""
        raise NotImplementedError

    def clean_cells(
        self, field: FieldDef, raw: Any, links: Any
    ) -> tuple[Any, dict[str, list[str]]]:
        """Clean (and with ``links`` resolve) a value; returns it and errors of its parts.

        Only types with parts (a table's cells, keyed ``table.N.column``) report parts.
        """
        value = self.clean(field, raw)
        if links is not None and not is_empty(value):
            value = self.resolve(field, value, links)
        return value, {}

    def from_formdata(self, field: FieldDef, formdata: Any, key: str) -> Any:
        """The raw value of this field in a submitted HTML form (a MultiDict)."""
        return formdata.get(key, "")

    def missing(self, field: FieldDef, value: Any) -> bool:
        """True when a clean value counts as not filled in (for ``required``)."""
        return is_empty(value)

    def stored_when_missing(self, value: Any) -> Any:
        """What is saved for a field left empty."""
        return self.empty_value()

    def constraints(self, field: FieldDef, value: Any) -> list[str]:
        """Messages for every constraint a non-empty clean value breaks."""
        return []

    def minimum_problems(self, field: FieldDef) -> list[str]:
        """Messages for an empty value of a field that asks for a least number of entries."""
        return []

    def resolve(self, field: FieldDef, value: Any, links: Any) -> Any:
        """A non-empty clean value checked against the database through ``links``
        (:class:`server.schema.fieldtypes.links.Links`); raises FieldError."""
        return value

    def default_value(self, field: FieldDef) -> Any:
        """The raw initial value of the field's ``default`` (cleaned by the caller)."""
        return field.default

    # ---- what people, expressions and templates see ------------------------------------

    def to_python(self, field: FieldDef, value: Any) -> Any:
        """The typed value for expressions (dates as ``date``, decimals as ``Decimal``)."""
        return value

    def display(self, field: FieldDef, value: Any, lookup: Any = None) -> str:
        """The value as a person reads it (German formats, labels instead of values).

        ``lookup`` turns record ids into titles the viewer may read (screens only).
        """
        if is_empty(value):
            return ""
        return str(value)

    def input_value(self, field: FieldDef, value: Any) -> Any:
        """A clean value as the widget's HTML input wants it."""
        return "" if is_empty(value) else str(value)

    def input_type(self, field: FieldDef, value: Any) -> str:
        """The ``<input type>`` of the ``line`` widget for an input-ready ``value``.

        A type whose HTML input accepts only its own format (``time``, ``datetime-local``)
        answers ``text`` for a value saved before in another form, which that input would
        silently drop.
        """
        return self.input_kind

    def api_schema(self, field: FieldDef | None = None) -> dict[str, Any]:
        """The JSON schema of a value of this type in the API (``GET /openapi.json``)."""
        return {"type": ["string", "null"]}

    def input_attributes(self, field: FieldDef) -> dict[str, Any]:
        """Extra attributes of the ``line`` widget's ``<input>`` (limits, input mode)."""
        return {"maxlength": field.max_length} if field.max_length else {}

    def aria(
        self,
        field: FieldDef,
        name: str,
        errors: list[str] | None,
        disabled: bool = False,
        has_help: Any = False,
        required: bool | None = None,
    ) -> dict[str, Any]:
        """What the widget writes into its input(s) (``state`` in templates/verbund/_widgets.html).

        Rendered on the server, so a field is right without JavaScript: ``required`` (the
        HTML attribute, for a required field that can be edited and whose widget takes it;
        ``required`` overrides the field's own), ``invalid`` (aria-invalid) and
        ``describedby``: the ids of its messages (``<name>-fehler-<n>``) and of its help text
        (``<name>-hilfe``), in that order (templates/verbund/_fields.html renders them).
        """
        ids = [f"{name}-fehler-{n}" for n in range(1, len(errors or []) + 1)]
        if has_help:
            ids.append(f"{name}-hilfe")
        if required is None:
            required = field.required and self.native_required
        return {
            "required": bool(required) and not disabled,
            "invalid": bool(errors),
            "describedby": " ".join(ids),
        }

    def focus_id(self, field: FieldDef, name: str) -> str:
        """The id of the widget's first input for a field drawn under ``name``.

        The error summary links there: a link must lead to something that takes the focus
        (a group of checkboxes or a table is no input itself).
        """
        return name

    def template_value(self, field: FieldDef, value: Any) -> Any:
        """A saved value as a Word template sees it (typed; see :meth:`to_python`)."""
        if value is None:
            return self.empty_value()
        try:
            return self.to_python(field, value)
        except (TypeError, ValueError, ArithmeticError):
            # a value saved before the field changed type: show it as it was saved
            return value

    def template_shape(self, field: FieldDef, path: str) -> Shape:
        """What a template finds at ``path`` (``form.field``), for checking templates."""
        return Shape("value", f"„{path}“", type=field.type)

    def sample(self, field: FieldDef, high: bool) -> Any:
        """A typical typed value (``high``: the big end), to test conditions at publishing."""
        return "Beispiel Beispiel" if high else "x"

    def browser_spec(self, field: FieldDef) -> dict[str, Any]:
        """What ``verbund-input.js`` needs to clean this field's input like the server."""
        spec: dict[str, Any] = {
            "type": field.type,
            "clean": self.browser_clean or self.name,
            "widget": self.widget,
        }
        if isinstance(self.empty, list):
            spec["list"] = True
        return spec
