"""Which kinds of file an upload may be, recognised by their content, never by their name.

A name says nothing (``rechnung.pdf`` can be anything); the first bytes and, for Office files,
the parts inside the zip container do. Word and Excel files with macros are refused: they
look like .docx/.xlsx but carry code.
"""

from __future__ import annotations

import io
import re
import zipfile

# the table of kinds belongs to the file field type; it is imported from there (and offered
# here too, next to the recognising)
from ..schema.fieldtypes.filekinds import KINDS, FileKind, kinds_label

__all__ = ["KINDS", "FileKind", "kinds_label", "safe_filename", "sniff"]


# control characters other than tab, newline, form feed and carriage return
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _office_kind(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())  # the directory only; nothing is decompressed
    except Exception:  # noqa: BLE001 - a broken or hostile zip is simply not an Office file
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names and "word/vbaProject.bin" not in names:
        return "docx"
    if "xl/workbook.xml" in names and "xl/vbaProject.bin" not in names:
        return "xlsx"
    return None


def sniff(content: bytes) -> str | None:
    """The kind of ``content`` (a key of :data:`KINDS`), or None when it is none of them."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"PK\x03\x04"):
        return _office_kind(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return "txt" if text and not _BINARY.search(text) else None


# Bidirectional overrides and isolates turn "rechnung\u202efdp.exe" into "rechnungexe.pdf"
# on screen; C0/C1 control characters break headers and logs.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MAX_FILENAME = 200


def safe_filename(name: str) -> str:
    """A file name fit to keep and show: no path, no control or direction characters.

    The browser does the same (``safeFilename`` in verbund-input.js), so a ``show_if`` on a
    file field sees the same name on both sides. Long names keep their end (the extension).
    """
    base = re.split(r"[\\/]", str(name))[-1]
    cleaned = _UNSAFE.sub("", base).strip()
    if len(cleaned) > MAX_FILENAME:
        cleaned = cleaned[-MAX_FILENAME:].strip()
    return cleaned if cleaned not in ("", ".", "..") else "datei"
