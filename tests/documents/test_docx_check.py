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


def paragraph_bomb(megabytes: float = 40) -> bytes:
    """A small .docx whose document.xml inflates to ``megabytes`` MB of empty paragraphs."""
    source = zipfile.ZipFile(io.BytesIO(word_file("Hallo")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                empty = b"<w:p/>" * int(megabytes * 1024 * 1024 / 6)
                data = data.replace(b"<w:body>", b"<w:body>" + empty, 1)
            target.writestr(item.filename, data)
    return out.getvalue()


def understated(content: bytes, name: str = "word/document.xml", size: int = 1000) -> bytes:
    """``content`` with the uncompressed size of ``name`` claimed to be ``size`` bytes, in the
    local header and in the central directory alike (the checksum is left as it was)."""
    data = bytearray(content)
    encoded = name.encode()
    at = 0
    while (at := data.find(b"PK\x03\x04", at)) >= 0:  # local headers: size at +22
        length = int.from_bytes(data[at + 26 : at + 28], "little")
        if bytes(data[at + 30 : at + 30 + length]) == encoded:
            data[at + 22 : at + 26] = size.to_bytes(4, "little")
        at += 4
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:  # directory entries: size at +24
        length = int.from_bytes(data[at + 28 : at + 30], "little")
        if bytes(data[at + 46 : at + 46 + length]) == encoded:
            data[at + 24 : at + 28] = size.to_bytes(4, "little")
        at += 4
    return bytes(data)


def test_zip_bombs_are_refused_by_size_and_by_ratio():
    bomb = paragraph_bomb(40)
    assert len(bomb) < 100_000  # it weighs little ...
    problems = docx_problems(bomb, LIMIT)  # ... and unpacks to 40 MB
    assert len(problems) == 1 and "entpackt viel zu groß (mehr als 30,0 MB" in problems[0]
    # 3 MB of empty paragraphs is within the size limit, but a thousand times its weight
    problems = docx_problems(paragraph_bomb(3), LIMIT)
    assert len(problems) == 1 and "mehr als das 100-Fache" in problems[0], problems
    assert "template_max_ratio" in problems[0]
    # the limits come from config.toml
    assert docx_problems(paragraph_bomb(3), LIMIT, 50 * 1024 * 1024, 5000) == []


def test_a_directory_that_understates_the_sizes_does_not_help():
    problems = docx_problems(understated(paragraph_bomb(40)), LIMIT)
    assert len(problems) == 1, problems
    assert "beschädigt" in problems[0] or "entpackt viel zu groß" in problems[0]
