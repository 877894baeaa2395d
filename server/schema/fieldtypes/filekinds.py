"""The kinds of file a ``file`` field may take (``accept = [...]``), with labels and types.

Recognising a kind by content is :mod:`server.forms.filekinds`; this is only the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..definitions import FILE_KINDS


@dataclass(frozen=True)
class FileKind:
    name: str  # as written in ``accept = [...]``
    label: str  # for people, in messages
    mimetype: str  # sent with the download


KINDS: dict[str, FileKind] = {
    k.name: k
    for k in (
        FileKind("pdf", "PDF", "application/pdf"),
        FileKind("png", "PNG-Bild", "image/png"),
        FileKind("jpeg", "JPEG-Bild", "image/jpeg"),
        FileKind(
            "docx",
            "Word-Dokument (.docx)",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        FileKind(
            "xlsx",
            "Excel-Tabelle (.xlsx)",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        FileKind("txt", "Text (.txt)", "text/plain; charset=utf-8"),
    )
}

assert tuple(KINDS) == FILE_KINDS, "server/schema/definitions.py FILE_KINDS is the same list"


def kinds_label(names: tuple[str, ...] | list[str]) -> str:
    """``("pdf", "png")`` -> "PDF, PNG-Bild"."""
    return ", ".join(KINDS[n].label for n in names if n in KINDS)
