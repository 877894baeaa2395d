"""Defaults that are looked up when a form is first shown, instead of a fixed value.

``default = "user.name"`` / ``"user.organisation"`` (text fields): the display name or the
organisation of the person who opens the form. ``default = "previous.<field>"``: the value
of ``<field>`` of this form in the newest *other* record of the same workflow that the same
person created and may still read (one record, looked at once; nothing there: no default).
``"today"`` (date fields) is the field type's own (:mod:`server.schema.fieldtypes.numbers`).

A default only fills a form nobody has saved yet; it never replaces saved data.
"""

from __future__ import annotations

import re
from typing import Any

from .checking import Collector
from .definitions import FieldDef
from .toml_lines import KeyPath

USER_ATTRIBUTES = ("name", "organisation")
USER_TYPES = ("text", "textarea")
DYNAMIC_RE = re.compile(r"(user|previous)\.([a-z][a-z0-9_]*)\Z")


def dynamic_default(value: Any) -> tuple[str, str] | None:
    """``("user", "name")`` / ``("previous", "district")`` for a looked-up default, else None."""
    if not isinstance(value, str):
        return None
    match = DYNAMIC_RE.match(value)
    return (match.group(1), match.group(2)) if match else None


def read_dynamic_default(
    c: Collector, value: str, at: KeyPath, where: str, ftype: str, table: dict
) -> None:
    """Check a ``user.*`` default against the field; ``previous.*`` is checked with the
    whole form (:func:`previous_problems`)."""
    source, name = dynamic_default(value) or ("", "")
    if source == "user":
        if name not in USER_ATTRIBUTES:
            c.add(
                at,
                f"{where}„default“: „user.{name}“ gibt es nicht "
                f"(erlaubt: {', '.join('user.' + a for a in USER_ATTRIBUTES)})",
            )
        elif ftype not in USER_TYPES:
            c.add(
                at,
                f'{where}„default = "user.{name}"“ passt nur zu Feldern vom Typ '
                f"{', '.join(USER_TYPES)}, nicht „{ftype}“",
            )


def previous_problems(fields: list[FieldDef]) -> list[tuple[FieldDef, str]]:
    """Each field whose ``previous.<field>`` default names no usable field of the form."""
    by_name = {f.name: f for f in fields}
    problems = []
    for field in fields:
        source, name = dynamic_default(field.default) or ("", "")
        if source != "previous":
            continue
        other = by_name.get(name)
        if other is None:
            message = f"„default“: „previous.{name}“ nennt kein Feld dieses Formulars"
            problems.append((field, message))
        elif other.type != field.type:
            problems.append(
                (
                    field,
                    f"„default“: „previous.{name}“ ist vom Typ „{other.type}“, "
                    f"dieses Feld vom Typ „{field.type}“",
                )
            )
        elif field.personal or other.personal:
            # the previous record is another client's: their personal data must not travel
            problems.append(
                (
                    field,
                    f"„default“: „previous.{name}“ ist bei personenbezogenen Feldern "
                    "(personal = true) nicht erlaubt – es käme aus dem Fall einer anderen Person",
                )
            )
    return problems
