"""The render child: each limit ends a render with a reason, and the next render works.

Real child processes (``python -m server.documents.sandbox_process``) under small limits.
"""

from __future__ import annotations

import io
import os

import docx
import pytest

from server.documents.render import TemplateFailed
from server.documents.sandbox_process import RenderLimits, RenderSandbox


def word(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph().add_run(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


GREETING = word("Hallo {{ name }}")
ENDLESS = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"


@pytest.fixture
def sandbox():
    box = RenderSandbox(RenderLimits(seconds=2, memory_mb=512, output_bytes=1_000_000))
    yield box
    box.close()


def greeting(box: RenderSandbox) -> list[str]:
    content = box.render(GREETING, "gruss.docx", {"name": "Welt"})
    return [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_render_past_the_time_limit_is_killed_and_the_next_one_renders(sandbox):
    assert greeting(sandbox) == ["Hallo Welt"]
    first = sandbox._proc.pid
    endless = word(ENDLESS)
    with pytest.raises(TemplateFailed, match="„schleife.docx“ wurde nach 2 s abgebrochen"):
        sandbox.render(endless, "schleife.docx", {})
    assert not alive(first)  # killed, not left spinning
    assert greeting(sandbox) == ["Hallo Welt"]
    assert sandbox.started == 2


def test_memory_past_the_limit_fails_in_the_child_not_here(sandbox):
    # data times a number cannot be judged at upload: 2 GB of text, under a 512 MB limit
    with pytest.raises(TemplateFailed, match="Speicher.*512 MB"):
        sandbox.render(word("{{ name * 1000000000 }}"), "gross.docx", {"name": "ab"})
    assert greeting(sandbox) == ["Hallo Welt"]


def test_output_is_counted_while_it_is_written(sandbox):
    # 10 million characters from a loop; stopped at 1 MB, the child carries on
    many = word("{% for i in range(100000) %}{{ name }}{% endfor %}")
    with pytest.raises(TemplateFailed, match="wäre zu groß .*output_max_bytes"):
        sandbox.render(many, "viel.docx", {"name": "x" * 100})
    assert greeting(sandbox) == ["Hallo Welt"]
    assert sandbox.started == 1


def test_template_errors_keep_their_reason_and_the_child():
    box = RenderSandbox(RenderLimits(seconds=10, memory_mb=512, output_bytes=1_000_000))
    try:
        with pytest.raises(TemplateFailed, match="nicht erlaubt"):
            box.render(word("{{ name.__class__ }}"), "t.docx", {"name": "x"})
        assert greeting(box) == ["Hallo Welt"] and box.started == 1
    finally:
        box.close()


def test_a_stored_zip_bomb_is_refused_before_it_reaches_the_child():
    # shipped in exports/ or stored before the upload check existed: still never unpacked
    from pathlib import Path

    from server.config import load_settings
    from server.documents.sandbox_process import render_limited
    from tests.documents.test_docx_check import paragraph_bomb

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "foerderung" / "config.toml"
    settings = load_settings(str(fixture))
    with pytest.raises(TemplateFailed, match="„bombe.docx“ wird nicht verwendet: Die Datei ist"):
        render_limited(settings, paragraph_bomb(40), "bombe.docx", {})
    assert render_limited(settings, GREETING, "gruss.docx", {"name": "Welt"})[:2] == b"PK"


def test_a_forked_child_as_in_a_work_horse_keeps_the_same_limits(monkeypatch):
    from server.documents import sandbox_process

    monkeypatch.setattr(sandbox_process, "_fork_start", True)
    box = RenderSandbox(RenderLimits(seconds=2, memory_mb=512, output_bytes=1_000_000))
    try:
        assert greeting(box) == ["Hallo Welt"]
        first = box._proc.pid
        assert first != os.getpid()
        with pytest.raises(TemplateFailed, match="wurde nach 2 s abgebrochen"):
            box.render(word(ENDLESS), "schleife.docx", {})
        assert not alive(first)
        with pytest.raises(TemplateFailed, match="Speicher.*512 MB"):
            box.render(word("{{ name * 1000000000 }}"), "gross.docx", {"name": "ab"})
        assert greeting(box) == ["Hallo Welt"] and box.started == 3
    finally:
        box.close()
