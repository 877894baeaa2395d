"""Frozen dataclasses for config format v1: what forms and workflows *are* once parsed.

Everything else in Verbund reads these objects, never TOML. They are immutable so one parsed
set of definitions can be shared by every request and job of a process without copying.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# the names of the built-in field types; each is a class in server/schema/fieldtypes/, where
# plug-ins register more (ask ``fieldtypes.type_names()`` for every type known right now)
FIELD_TYPES = (
    "text",
    "textarea",
    "integer",
    "decimal",
    "date",
    "boolean",
    "select",
    "multiselect",
    "email",
    "table",
    "reference",
    "file",
    # issue 20
    "time",
    "datetime",
    "phone",
    "money",
    "scale",
)

SCOPES = ("own", "organisation", "all", "none")
DEFAULT_POSITION = 100  # a workflow without "position" comes after those with one

# what a file field's ``accept`` may name; recognised by content (server/forms/filekinds.py)
FILE_KINDS = ("pdf", "png", "jpeg", "docx", "xlsx", "txt")


@dataclass(frozen=True)
class Choice:
    """One option of a select or multiselect field."""

    value: str
    label: str


@dataclass(frozen=True)
class CopyDef:
    """``[fields.copy]`` of a table: take rows over from the table ``source`` ("form.field")
    of the same record; ``columns`` maps (target column, source column), ``match`` names the
    target columns by which a row counts as copied already (docs/configuration.md)."""

    source: str
    columns: tuple[tuple[str, str], ...]
    match: tuple[str, ...]
    label: str = ""
    line: int = 0

    @property
    def form(self) -> str:
        return self.source.split(".", 1)[0]

    @property
    def field(self) -> str:
        return self.source.split(".", 1)[-1]


@dataclass(frozen=True)
class StepDef:
    """One ``[[steps]]`` of a form: a title and the fields shown together, in form order."""

    title: str
    fields: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True)
class FieldDef:
    """One field of a form (or one column of a table field)."""

    name: str
    type: str
    label: str
    required: bool = False
    help: str = ""
    default: Any = None
    min: Any = None
    max: Any = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    choices: tuple[Choice, ...] = ()
    min_items: int | None = None
    max_items: int | None = None
    show_if: str | None = None
    # a calculated field's expression (server/schema/compute.py); a column's per-row condition
    compute: str | None = None
    required_if: str | None = None
    workflow: str | None = None
    min_rows: int | None = None
    max_rows: int | None = None
    columns: tuple[FieldDef, ...] = ()
    accept: tuple[str, ...] = ()
    max_bytes: int | None = None
    section: str = ""
    personal: bool = False
    line: int = 0
    # keys of a registered type that are no attribute above, as sorted (key, value) pairs
    # (a tuple, so a FieldDef stays hashable)
    options: tuple[tuple[str, Any], ...] = ()
    # a table's ``[fields.copy]``: rows it takes over from another form's table
    copy: CopyDef | None = None

    def option(self, key: str, default: Any = None) -> Any:
        """The value of a type's own TOML key (see ``FieldType.read_keys``)."""
        return dict(self.options).get(key, default)

    def choice_label(self, value: Any) -> str:
        """Label of a choice value, or the value itself when it is not one of the choices."""
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return "" if value is None else str(value)


@dataclass(frozen=True)
class FormDef:
    """A form: an ordered tuple of fields, from ``forms/<id>.toml``."""

    id: str
    title: str
    fields: tuple[FieldDef, ...]
    description: str = ""
    path: str = ""
    # empty: the whole form on one screen; else one step at a time (server/web/form_steps.py)
    steps: tuple[StepDef, ...] = ()

    def step_of(self, name: str) -> int | None:
        """The index of the step that shows field ``name`` (None without steps)."""
        for index, step in enumerate(self.steps):
            if name in step.fields:
                return index
        return None

    def field(self, name: str) -> FieldDef | None:
        """The field called ``name``, or None."""
        for f in self.fields:
            if f.name == name:
                return f
        return None

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


@dataclass(frozen=True)
class StateDef:
    id: str
    label: str
    forms: tuple[str, ...] = ()
    edit_roles: tuple[str, ...] = ()
    final: bool = False
    line: int = 0


@dataclass(frozen=True)
class TransitionDef:
    """A transition; ``from_states`` is ``("*",)`` for every non-final state."""

    from_states: tuple[str, ...]
    to: str
    label: str
    roles: tuple[str, ...] = ()
    when: str | None = None
    message: str = ""
    line: int = 0
    # who is told when a record takes this step: "owner", "creator", "organisation",
    # "role:<id>" (docs/configuration.md, "Benachrichtigungen")
    notify: tuple[str, ...] = ()

    def leaves(self, state: StateDef) -> bool:
        """True when this transition may start in ``state``."""
        if self.from_states == ("*",):
            return not state.final
        return state.id in self.from_states


@dataclass(frozen=True)
class DocumentDef:
    id: str
    label: str
    template: str
    states: tuple[str, ...] | None = None
    line: int = 0
    # the files the document job makes: "docx" always, "pdf" (PDF/A-2b) when asked for
    formats: tuple[str, ...] = ("docx",)
    # "<form>.<field>" holding a language code: the template's variant in that language
    # (einwilligung.ar.docx) is used when it exists, else the German template
    language: str = ""


@dataclass(frozen=True)
class DeadlineDef:
    """A ``[[deadlines]]`` entry of a workflow (docs/configuration.md, "Fristen").

    Due ``days`` after entering ``state`` (``days_field`` picks the days by a select's
    value), or ``offset_days`` from each date in ``from_field``; recurring every
    ``every_days`` after each date entered in ``done_field``; escalated to the people with
    ``escalate_to`` once ``escalate_after_days`` overdue.
    """

    state: str
    days: int
    label: str
    line: int = 0
    # "<form>.<field>" or "<form>.<table>.<column>": the due date is this date + offset_days
    from_field: str = ""
    offset_days: int = 0
    # "<form>.<select field>" and the days per choice value (missing value: ``days``)
    days_field: str = ""
    days_by_choice: tuple[tuple[str, int], ...] = ()
    every_days: int = 0
    # a date field or table column: a date on or after the start of the open deadline
    # completes it (a contact logged), and the next one is planned from that date
    done_field: str = ""
    escalate_after_days: int | None = None
    escalate_to: str = ""
    # "organisation": people with the role in the record's organisation; "all": everybody
    escalate_scope: str = "organisation"

    def field_paths(self) -> tuple[str, ...]:
        """The form fields this deadline is computed from."""
        return tuple(p for p in (self.from_field, self.days_field, self.done_field) if p)

    def days_for(self, choice: object) -> int:
        """Days after entering the state for the value ``choice`` of ``days_field``."""
        if not isinstance(choice, str):  # empty, or an old value of another type
            return self.days
        return dict(self.days_by_choice).get(choice, self.days)


@dataclass(frozen=True)
class RetentionDef:
    """Records are kept ``years``/``months``/``days`` after reaching the final ``state``."""

    state: str
    years: int = 0
    months: int = 0
    days: int = 0
    line: int = 0

    def label(self) -> str:
        """The period in German, e.g. „3 Jahre und 6 Monate“."""
        parts = []
        for count, one, many in (
            (self.years, "Jahr", "Jahre"),
            (self.months, "Monat", "Monate"),
            (self.days, "Tag", "Tage"),
        ):
            if count:
                parts.append(f"{count} {one if count == 1 else many}")
        return " und ".join(parts) or "0 Tage"


@dataclass(frozen=True)
class ConsentDef:
    """A purpose a record's consent is recorded for; ``required``: withdrawal stops work."""

    id: str
    label: str
    version: str
    required: bool = True
    line: int = 0


@dataclass(frozen=True)
class WorkflowDef:
    """A workflow from ``workflows/<id>.toml``."""

    id: str
    title: str
    initial: str
    states: tuple[StateDef, ...]
    transitions: tuple[TransitionDef, ...] = ()
    record_label: str = "Vorgang"
    create_roles: tuple[str, ...] = ()
    title_field: str | None = None
    documents: tuple[DocumentDef, ...] = ()
    deadlines: tuple[DeadlineDef, ...] = ()
    description: str = ""
    # who may see this workflow's records at all (empty: every role), and a scope that
    # replaces the roles' scopes for it (e.g. "all" for a directory everybody reads)
    read_roles: tuple[str, ...] = ()
    read_scope: str | None = None
    # who among the readers may change a record at all: "organisation" (people of the
    # record's organisation) or "own" (its owner); None: every reader the roles allow
    edit_scope: str | None = None
    # a short hash of the workflow's TOML text: which revision a record last ran under
    revision: str = ""
    path: str = ""
    retention: tuple[RetentionDef, ...] = ()
    consents: tuple[ConsentDef, ...] = ()
    # where the workflow stands in menus and lists (smaller first, then by id)
    position: int = DEFAULT_POSITION

    def retention_for(self, state_id: str) -> RetentionDef | None:
        for rule in self.retention:
            if rule.state == state_id:
                return rule
        return None

    def consent(self, purpose: str) -> ConsentDef | None:
        for c in self.consents:
            if c.id == purpose:
                return c
        return None

    def state(self, state_id: str) -> StateDef | None:
        for s in self.states:
            if s.id == state_id:
                return s
        return None

    def document(self, document_id: str) -> DocumentDef | None:
        for d in self.documents:
            if d.id == document_id:
                return d
        return None

    @property
    def form_ids(self) -> tuple[str, ...]:
        """Every form used in any state, in first-use order, without repeats."""
        seen: dict[str, None] = {}
        for s in self.states:
            for f in s.forms:
                seen.setdefault(f, None)
        return tuple(seen)


@dataclass(frozen=True)
class RoleDef:
    id: str
    label: str
    scope: str = "own"


@dataclass(frozen=True)
class Definitions:
    """Every form, workflow and role of one configuration, as one immutable value."""

    forms: Mapping[str, FormDef] = field(default_factory=lambda: MappingProxyType({}))
    workflows: Mapping[str, WorkflowDef] = field(default_factory=lambda: MappingProxyType({}))
    roles: Mapping[str, RoleDef] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Problem:
    """One configuration problem, printed as ``path:line: message``.

    A ``warning`` (e.g. a state no transition leads to) is reported like an error but does not
    keep its file out of the definitions: the configuration still works, it is just odd.
    """

    path: str
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        prefix = "Warnung: " if self.warning else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"
