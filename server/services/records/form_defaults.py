"""Looked-up defaults of a form (``user.name``, ``user.organisation``, ``previous.<field>``).

``previous.<field>`` is deliberately narrow, so that it is predictable and cheap: the
newest other record of the same workflow that the same person created and may still read
(one indexed query, newest id first); its saved value of ``<field>`` in the same form. When
that record has no such value, there is no default — older records are not searched. Fields
with personal data cannot have it (``verbund check``), so no client's data reaches another.
"""

from __future__ import annotations

from typing import Any

from ...forms import defaults
from ...models import Record, User
from ...schema.definitions import Definitions, FieldDef, FormDef
from ...schema.dynamic_defaults import dynamic_default
from .access import readable_records


class DefaultLookup:
    """``lookup(field)`` for :func:`server.forms.defaults` of form ``form_id``, for ``user``
    in ``workflow_id``; ``record_id`` (the record being shown) is never its own "previous"."""

    def __init__(
        self, defs: Definitions, user: User, form_id: str, workflow_id: str, record_id: Any = None
    ):
        self.defs = defs
        self.user = user
        self.form_id = form_id
        self.workflow_id = workflow_id
        self.record_id = record_id
        self._previous: dict[str, Any] | None = None

    def __call__(self, field: FieldDef) -> Any:
        source, name = dynamic_default(field.default) or ("", "")
        if source == "user":
            if name == "name":
                return self.user.display_name or self.user.username
            if name == "organisation":
                return self.user.organisation.label if self.user.organisation_id else None
            return None
        if source == "previous":
            return self._form_of_previous().get(name)
        return None

    def _form_of_previous(self) -> dict[str, Any]:
        if self._previous is None:
            query = readable_records(
                self.defs, self.user, Record.select(Record.id, Record.data), self.workflow_id
            ).where(Record.created_by == self.user.id)
            if self.record_id is not None:
                query = query.where(Record.id != self.record_id)
            newest = query.order_by(Record.id.desc()).first()
            self._previous = (newest.data or {}) if newest is not None else {}
        value = self._previous.get(self.form_id)
        return value if isinstance(value, dict) else {}


def initial_values(
    defs: Definitions, user: User, form: FormDef, workflow_id: str, record_id: Any = None
) -> dict[str, Any]:
    """The values a form nobody has saved yet starts with, looked-up defaults included."""
    return defaults(form, DefaultLookup(defs, user, form.id, workflow_id, record_id))
