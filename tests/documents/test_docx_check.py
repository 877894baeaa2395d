"""Only real Word documents without macros become templates."""

from __future__ import annotations

import io
import random
import zipfile

import docx
import pytest

from server.documents.docx_check import docx_problems

LIMIT = 1024 * 1024


def word_file(text: str = "Hallo {{ record.id }}") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def repack(content: bytes, add: dict[str, bytes] | None = None, types=None) -> bytes:
    """The same package with extra parts and/or a rewritten [Content_Types].xml."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml" and types:
                data = types(data)
            target.writestr(item, data)
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def test_a_plain_docx_is_accepted_and_a_large_one_refused():
    assert docx_problems(word_file(), LIMIT) == []
    noise = random.Random(1).randbytes(1_200_000)  # does not compress
    too_large = repack(word_file(), {"word/media/bild.bin": noise})
    assert docx_problems(too_large, LIMIT) == [
        "Die Datei ist zu groß: erlaubt sind höchstens 1,0 MB."
    ]


def swap_main(kind: bytes):
    return lambda xml: xml.replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", kind
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "leer"),
        (b"%PDF-1.7 kein Word", "kein Word-Dokument im .docx-Format"),
        (b"\xd0\xcf\x11\xe0 altes .doc", "kein Word-Dokument im .docx-Format"),
        (
            repack(word_file(), {"word/vbaProject.bin": b"\x00" * 64}),
            "Makros oder ActiveX",
        ),
        (
            repack(
                word_file(),
                types=swap_main(b"application/vnd.ms-word.document.macroEnabled.main+xml"),
            ),
            "Makros oder ActiveX",
        ),
        (
            repack(word_file(), {"word/activeX/activeX1.xml": b"<ax/>"}),
            "Makros oder ActiveX",
        ),
        (
            repack(
                word_file(),
                {"word/embeddings/Tabelle.xlsm": b"PK"},
                types=lambda xml: xml.replace(
                    b"</Types>",
                    b'<Default Extension="xlsm" '
                    b'ContentType="application/vnd.ms-excel.sheet.macroEnabled.12"/></Types>',
                ),
            ),
            "Makros oder ActiveX",
        ),
        (
            repack(
                word_file(),
                types=swap_main(
                    b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
                ),
            ),
            "Word-Dokumentvorlage (.dotx)",
        ),
        (
            repack(word_file(), types=lambda xml: b"<Types><broken"),
            "kein Word-Dokument",
        ),
        (
            repack(word_file(), {"word/zeros.bin": b"\x00" * (101 * 1024 * 1024)}),
            "entpackt viel zu groß",
        ),
    ],
    ids=[
        "empty",
        "pdf",
        "old-doc",
        "vba-project",
        "docm-type",
        "activex",
        "embedded-xlsm",
        "dotx",
        "broken-types",
        "zip-bomb",
    ],
)
def test_everything_else_is_refused_with_a_reason(content, message):
    problems = docx_problems(content, max(LIMIT, len(content)))
    assert len(problems) == 1 and message in problems[0], problems
