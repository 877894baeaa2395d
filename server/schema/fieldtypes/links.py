"""Types whose values point at something in the database: ``reference`` and ``file``.

Cleaning stays pure (an id is an id); whether the record may be read or the upload belongs to
the record is asked of a :class:`Links` object the caller passes to
:func:`server.forms.validation.validate_form`. The service that saves a form passes one
bound to the user and the record (:mod:`server.services.records.form_links`); the types themselves
never touch the database.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from ..checking import kind
from ..definitions import FILE_KINDS, FieldDef
from .base import FieldError, FieldType, is_empty, quoted
from .filekinds import KINDS, kinds_label

MAX_ID = 2**63  # ids are 64-bit integers in both databases


class Links(Protocol):
    """What the engine asks about references and files while validating."""

    def reference_title(self, field: FieldDef, record_id: int) -> str | None:
        """The title of record ``record_id`` if the field may point at it, else None."""

    def upload(self, field: FieldDef, upload_id: int) -> dict[str, Any] | None:
        """``{"id", "name", "size", "type"}`` of an upload of this record, else None."""


def _id(raw: Any) -> int | None:
    """A positive 64-bit id from JSON (number) or a form (ASCII digits); None otherwise."""
    if isinstance(raw, str) and re.fullmatch(r"[0-9]{1,19}", raw.strip()):
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 < raw < MAX_ID:
        return None
    return raw


class ReferenceType(FieldType):
    """A record of another workflow, stored as its id, shown by its title."""

    name = "reference"
    label = "Verweis"
    explanation = "Ein Datensatz eines anderen Ablaufs (workflow), gezeigt mit seinem Titel."
    keys = ("workflow",)
    takes_default = False
    widget = "reference"

    def read_keys(self, c, table, keypath, where):
        workflow = c.text(table, "workflow", keypath, where) or None
        if "workflow" not in table:
            c.add(
                keypath,
                f"{where}„workflow“ fehlt: ein Verweis braucht den Ablauf, auf den er zeigt",
            )
        return {"workflow": workflow}

    def clean(self, field, raw):
        if raw is None or raw == "":
            return None
        record_id = _id(raw)
        if record_id is None:
            raise FieldError(f"{quoted(field)}: Bitte einen Datensatz auswählen.")
        return record_id

    def resolve(self, field, value, links):
        if links.reference_title(field, value) is None:
            # the same words for "does not exist" and "not yours": ids reveal nothing
            raise FieldError(
                f"{quoted(field)}: Den Datensatz Nr. {value} gibt es nicht, "
                "oder Sie dürfen ihn nicht sehen."
            )
        return value

    def display(self, field, value, lookup=None):
        if lookup is not None:
            return lookup.reference(field, value)
        return "" if is_empty(value) else f"Nr. {value}"

    def api_schema(self, field=None):
        return {"type": ["integer", "null"], "description": "Id eines Datensatzes"}

    def sample(self, field, high):
        return 1 if high else None


class FileType(FieldType):
    """An upload of the record: ``{"id", "name", "size", "type"}``; input is the id."""

    name = "file"
    label = "Datei"
    explanation = "Eine hochgeladene Datei (accept: erlaubte Arten, max_bytes: Obergrenze)."
    keys = ("accept", "max_bytes")
    in_columns = False
    takes_default = False
    usable_as_title = False
    widget = "file"
    searchable = False

    def read_keys(self, c, table, keypath, where):
        return {
            "accept": _read_accept(c, table, keypath, where),
            "max_bytes": c.count(table, "max_bytes", keypath, where, 1),
        }

    def clean(self, field, raw):
        if raw is None or raw == "" or raw == {}:
            return None
        upload_id = _id(raw.get("id") if isinstance(raw, dict) else raw)
        if upload_id is None:
            raise FieldError(
                f"{quoted(field)}: Bitte eine Datei hochladen (erwartet wird die Id des Uploads)."
            )
        return {"id": upload_id}

    def from_formdata(self, field, formdata, key):
        """The kept upload's id (a hidden input), or "" when "remove" is ticked; a newly
        chosen file is stored by the screen first and its id put in (server/web/form_page)."""
        if formdata.get(f"{key}-_remove"):
            return ""
        return formdata.get(key, "")

    def resolve(self, field, value, links):
        meta = links.upload(field, value["id"])
        if meta is None:
            raise FieldError(
                f"{quoted(field)}: Die Datei Nr. {value['id']} gibt es nicht, oder sie gehört "
                "nicht zu diesem Datensatz."
            )
        problem = file_problem(field, meta["type"], meta["size"])
        if problem:
            raise FieldError(problem)
        return meta

    def to_python(self, field, value):
        # conditions and templates see the file's name: `nachweis` is true once a file is there
        if is_empty(value):
            return None
        return value.get("name") or f"Datei {value.get('id')}"

    def display(self, field, value, lookup=None):
        return "" if is_empty(value) else str(value.get("name") or f"Datei {value.get('id')}")

    def input_value(self, field, value):
        if is_empty(value):
            return ""
        return str(value.get("id", "")) if isinstance(value, dict) else str(value)

    def api_schema(self, field=None):
        return {
            "type": ["integer", "object", "null"],
            "description": "Id eines Uploads; gelesen als {id, name, size, type}",
        }

    def sample(self, field, high):
        return {"id": 1} if high else None


def _read_accept(c, table: dict, keypath, where: str) -> tuple[str, ...]:
    """``accept``: the kinds of file a file field takes (recognised by content)."""
    if "accept" not in table:
        return ()
    raw = table["accept"]
    at = keypath + ("accept",)
    if not isinstance(raw, list) or not raw:
        c.add(at, f'{where}„accept“ muss eine nicht leere Liste sein, z. B. ["pdf", "png"]')
        return ()
    kinds: list[str] = []
    for index, item in enumerate(raw):
        if item not in FILE_KINDS:
            shown = f"„{item}“" if isinstance(item, str) else kind(item)
            c.add(
                at + (index,),
                f"{where}„accept“: unbekannte Dateiart {shown} (bekannt: {', '.join(FILE_KINDS)})",
            )
        elif item not in kinds:
            kinds.append(item)
    return tuple(kinds)


def accepted(field: FieldDef) -> tuple[str, ...]:
    """The kinds a file field takes: its ``accept``, else every known kind."""
    return field.accept or tuple(KINDS)


def file_problem(field: FieldDef, kind_: str | None, size: int, max_bytes: int | None = None):
    """Why a file of ``kind_`` and ``size`` cannot go into ``field`` (German), or None."""
    limits = [x for x in (field.max_bytes, max_bytes) if x]
    if limits and size > min(limits):
        return (
            f"{quoted(field)}: Die Datei ist zu groß ({size_label(size)}; "
            f"höchstens {size_label(min(limits))})."
        )
    if kind_ not in accepted(field):
        return (
            f"{quoted(field)}: Diese Art Datei ist hier nicht erlaubt "
            f"(erlaubt: {kinds_label(accepted(field))}). Geprüft wird der Inhalt, nicht der Name."
        )
    return None


def size_label(size: int) -> str:
    """1536 -> "1,5 KB", 10485760 -> "10 MB" (German decimal comma, binary units)."""
    for unit, factor in (("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= factor:
            text = f"{size / factor:.1f}".rstrip("0").rstrip(".")
            return f"{text.replace('.', ',')} {unit}"
    return f"{size} Bytes"
