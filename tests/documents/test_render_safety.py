"""Whatever staff type, the .docx opens; whatever a template tries, it only inserts values."""

from __future__ import annotations

import io
import string

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.documents.context import safe
from server.documents.render import TemplateFailed, render_bytes


def template(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph().add_run(text)
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).paragraphs[0].add_run("{%tr for row in rows %}")
    table.cell(1, 0).paragraphs[0].add_run("{{ row.a }}")
    table.cell(1, 1).paragraphs[0].add_run("{{ row.b }}")
    table.cell(2, 0).paragraphs[0].add_run("{%tr endfor %}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def texts(content: bytes) -> tuple[list[str], list[list[str]]]:
    document = docx.Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    rows = [[c.text for c in r.cells] for t in document.tables for r in t.rows]
    return paragraphs, rows


NASTY = "A & B <c> > d \" ' ]]> <w:t> {{ x }} {% if %} ‏עברית 中文 😀 \u200b"


def test_markup_and_unicode_are_text_in_a_valid_docx():
    content = render_bytes(
        template("Name: {{ name }}", "{%p if show %}", "Nur wenn: {{ name }}", "{%p endif %}"),
        "t.docx",
        safe({"name": NASTY, "show": True, "rows": [{"a": NASTY, "b": "<b>fett</b>"}]}),
    )
    paragraphs, rows = texts(content)
    assert paragraphs == [f"Name: {NASTY}", f"Nur wenn: {NASTY}"]
    assert rows == [[NASTY, "<b>fett</b>"]]


def test_control_characters_and_lone_surrogates_are_dropped_newlines_kept():
    raw = "Zeile 1\r\nZeile 2\x0bTab\there\x00\x07\x1f\ud800\ufffe Ende"
    content = render_bytes(template("{{ v }}"), "t.docx", safe({"v": raw, "rows": []}))
    paragraphs, _ = texts(content)
    assert paragraphs == ["Zeile 1\nZeile 2Tab\there Ende"]


def test_conditional_paragraphs_vanish_entirely():
    content = render_bytes(
        template("vorher", "{%p if show %}", "bedingt", "{%p endif %}", "nachher"),
        "t.docx",
        {"show": False, "rows": []},
    )
    assert texts(content)[0] == ["vorher", "nachher"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_any_unicode_gives_a_docx_that_opens(value):
    # st.characters(codec="utf-8") excludes surrogates; safe() handles those (test above)
    content = render_bytes(
        template("{{ v }}"), "t.docx", safe({"v": value, "rows": [{"a": value, "b": value}]})
    )
    paragraphs, rows = texts(content)
    kept = "".join(
        c
        for c in value.replace("\r\n", "\n").replace("\r", "\n")
        if c in "\t\n" or (ord(c) >= 32 and c not in "\ufffe\uffff")
    )
    assert paragraphs == [kept]
    assert rows == [[kept, kept]]


@pytest.mark.parametrize(
    ("tag", "reason"),
    [
        ("{{ name.__class__ }}", "nicht erlaubt"),
        ("{{ name.__class__.__mro__[1].__subclasses__() }}", "nicht erlaubt"),
        ("{{ name|attr('__class__') }}", "nicht erlaubt"),
        ("{{ name.upper() }}", "nur Werte"),
        ("{{ name.format }}", "kein Wert"),
        ("{{ cycler.__init__.__globals__ }}", "nicht erlaubt"),
        ("{{ lipsum() }}", "nichts aufrufen"),
        ("{{ rows.append(1) }}", "nicht erlaubt"),
    ],
)
def test_templates_reaching_for_more_than_values_fail_with_a_reason(tag, reason):
    with pytest.raises(TemplateFailed, match=reason):
        render_bytes(template(tag), "t.docx", {"name": "x", "rows": []})


def test_range_and_loop_helpers_still_work():
    content = render_bytes(
        template("{% for i in range(3) %}{{ loop.cycle('a', 'b') }}{{ i }}{% endfor %}"),
        "t.docx",
        {"rows": []},
    )
    assert texts(content)[0] == ["a0b1a2"]


def test_broken_templates_and_non_word_files_fail_with_a_message():
    with pytest.raises(TemplateFailed, match="fehlerhaften Platzhalter"):
        render_bytes(template("{% if x %}ohne Ende"), "t.docx", {"rows": []})
    with pytest.raises(TemplateFailed, match="keine lesbare Word-Vorlage"):
        render_bytes(b"PK\x03\x04 kaputt", "t.docx", {})
    with pytest.raises(TemplateFailed, match="keine lesbare Word-Vorlage"):
        render_bytes(string.ascii_letters.encode(), "t.docx", {})
    with pytest.raises(TemplateFailed, match="mit diesen Daten"):
        render_bytes(template("{{ 1 / n }}"), "t.docx", {"n": 0, "rows": []})
