"""Is an uploaded file a Word document Verbund may use as a template?

It must be small enough, a real .docx (an Office Open XML package whose main part is a
Word document, which python-docx opens), and free of macros and ActiveX controls: a .docm
renamed to .docx, a ``vbaProject.bin`` or a macro-enabled embedded file are refused. Zip
archives that unpack to far more than they weigh are refused before anything reads them.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
MAX_UNPACKED = 100 * 1024 * 1024
MAX_ENTRIES = 5000
MACRO_MARKERS = ("macroenabled", "vbaproject", "vbadata", "ms-office.activex")
MACRO_PARTS = ("vbaproject.bin", "vbadata.xml", "vbaprojectsignature")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",") + " MB"


def docx_problems(content: bytes, max_bytes: int) -> list[str]:
    """German messages for everything wrong with ``content`` as a template; [] if it is fine."""
    if not content:
        return ["Die Datei ist leer."]
    if len(content) > max_bytes:
        return [f"Die Datei ist zu groß: erlaubt sind höchstens {_megabytes(max_bytes)}."]
    not_docx = (
        "Die Datei ist kein Word-Dokument im .docx-Format. Ältere .doc-Dateien bitte in Word "
        "mit „Speichern unter … Word-Dokument (*.docx)“ umwandeln."
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return [not_docx]
    if len(entries) > MAX_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED:
        return ["Die Datei ist entpackt viel zu groß; als Vorlage wird sie nicht angenommen."]
    names = {e.filename.lower() for e in entries}
    if "[content_types].xml" not in names:
        return [not_docx]
    try:
        types_xml = archive.read("[Content_Types].xml")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(types_xml, parser)
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, ValueError, RuntimeError):
        return [not_docx]
    content_types = [str(el.get("ContentType", "")) for el in root]
    problems = []
    macro_part = any(n.rsplit("/", 1)[-1] in MACRO_PARTS for n in names)
    macro_type = any(m in t.lower() for t in content_types for m in MACRO_MARKERS)
    if macro_part or macro_type or any("/activex/" in f"/{n}" for n in names):
        problems.append(
            "Die Datei enthält Makros oder ActiveX-Steuerelemente (z. B. eine .docm-Datei). "
            "Vorlagen dürfen keine Makros enthalten: bitte in Word als „Word-Dokument (*.docx)“ "
            "ohne Makros speichern."
        )
        return problems
    if TEMPLATE_MAIN in content_types:
        return [
            "Das ist eine Word-Dokumentvorlage (.dotx). Bitte als „Word-Dokument (*.docx)“ "
            "speichern und erneut hochladen."
        ]
    if DOCX_MAIN not in content_types:
        return [not_docx]
    try:
        import docx

        docx.Document(io.BytesIO(content))
    except Exception:  # noqa: BLE001 - whatever python-docx trips over, Word would too
        return ["Die Word-Datei ist beschädigt und lässt sich nicht öffnen."]
    return []
