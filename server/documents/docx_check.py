"""Is an uploaded file a Word document Verbund may use as a template?

It must be small enough, a real .docx (an Office Open XML package whose main part is a
Word document, which python-docx opens), and free of macros and ActiveX controls: a .docm
renamed to .docx, a ``vbaProject.bin`` or a macro-enabled embedded file are refused.

Zip bombs are refused before anything parses a part (:func:`unpack_problems`): the total
unpacked size of all parts (``[documents] template_max_unpacked``) and the ratio of unpacked
to packed size (``template_max_ratio``) are checked from the zip directory *and* while every
part is actually inflated, in chunks, stopping at the limit – a directory that understates
the sizes does not get a part past the limit (and its checksum fails).
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from ..german import megabytes

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
MAX_UNPACKED = 30 * 1024 * 1024
MAX_RATIO = 100
RATIO_FROM = 1024 * 1024  # tiny files have odd ratios; a bomb is big by definition
MAX_ENTRIES = 5000
CHUNK = 1 << 20
MACRO_MARKERS = ("macroenabled", "vbaproject", "vbadata", "ms-office.activex")
MACRO_PARTS = ("vbaproject.bin", "vbadata.xml", "vbaprojectsignature")


def template_limits(settings) -> tuple[int, int]:
    """(unpacked bytes, ratio) allowed for a template (``[documents]`` in config.toml)."""
    section = settings.section("documents")
    unpacked = int(section.get("template_max_unpacked", MAX_UNPACKED))
    return unpacked, int(section.get("template_max_ratio", MAX_RATIO))


def _bomb(unpacked: int, packed: int, max_unpacked: int, max_ratio: int) -> str | None:
    if unpacked > max_unpacked:
        return (
            f"Die Datei ist entpackt viel zu groß (mehr als {megabytes(max_unpacked)}, "
            "Grenze [documents] template_max_unpacked); als Vorlage wird sie nicht angenommen."
        )
    if unpacked > RATIO_FROM and unpacked > max_ratio * max(packed, 1):
        return (
            f"Die Datei ist entpackt viel zu groß für ihre Größe (mehr als das {max_ratio}-Fache, "
            "Grenze [documents] template_max_ratio) – so sieht eine „ZIP-Bombe“ aus, etwa "
            "Millionen leerer Absätze; als Vorlage wird sie nicht angenommen."
        )
    return None


def archive_problems(
    archive: zipfile.ZipFile, size: int, max_unpacked: int, max_ratio: int
) -> list[str]:
    """Zip-bomb limits for an opened .docx of ``size`` bytes (see the module text)."""
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        return ["Die Datei besteht aus zu vielen Teilen; als Vorlage wird sie nicht angenommen."]
    packed = min(sum(e.compress_size for e in entries), size)
    declared = sum(e.file_size for e in entries)
    if message := _bomb(declared, packed, max_unpacked, max_ratio):
        return [message]
    unpacked = 0  # what really comes out, never what the headers say
    try:
        for entry in entries:
            with archive.open(entry) as part:
                while chunk := part.read(CHUNK):
                    unpacked += len(chunk)
                    if unpacked > max_unpacked:
                        return [_bomb(unpacked, packed, max_unpacked, max_ratio) or ""]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        return ["Die Word-Datei ist beschädigt und lässt sich nicht öffnen."]
    except (ValueError, RuntimeError):  # encrypted parts, broken compression data
        return ["Die Word-Datei ist beschädigt und lässt sich nicht öffnen."]
    message = _bomb(unpacked, packed, max_unpacked, max_ratio)
    return [message] if message else []


def unpack_problems(
    content: bytes, max_unpacked: int = MAX_UNPACKED, max_ratio: int = MAX_RATIO
) -> list[str]:
    """Zip-bomb limits for ``content``; raises BadZipFile if it is no zip archive at all."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    return archive_problems(archive, len(content), max_unpacked, max_ratio)


def docx_problems(
    content: bytes, max_bytes: int, max_unpacked: int = MAX_UNPACKED, max_ratio: int = MAX_RATIO
) -> list[str]:
    """German messages for everything wrong with ``content`` as a template; [] if it is fine."""
    if not content:
        return ["Die Datei ist leer."]
    if len(content) > max_bytes:
        return [f"Die Datei ist zu groß: erlaubt sind höchstens {megabytes(max_bytes)}."]
    not_docx = (
        "Die Datei ist kein Word-Dokument im .docx-Format. Ältere .doc-Dateien bitte in Word "
        "mit „Speichern unter … Word-Dokument (*.docx)“ umwandeln."
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return [not_docx]
    if bombs := archive_problems(archive, len(content), max_unpacked, max_ratio):
        return bombs
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
