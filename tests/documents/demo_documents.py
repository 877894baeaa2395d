"""Every shipped Word template rendered with the KIM demo data, and LibreOffice to convert them.

Used by the page-by-page layout checks (test_layout_pdf.py) and the PDF/A checks: the demo is
loaded once (``verbund init --demo`` through :func:`server.demo.load_demo`), each workflow
document is rendered from the demo record of its workflow that holds the most data, and the
decision register (not a workflow document) comes from its export route as the coordination
sees it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from server.demo import read_demo
from server.documents.context import document_context
from server.documents.render import render_docx
from server.models import Record
from server.runtime import current_runtime
from tests.helpers import login
from tests.kim_site import ROOT
from tests.kim_site import demo_app as load_demo_app

CM = 72 / 2.54
MIN_BODY_LINES = 4  # a page of a longer document holding fewer is "nearly empty"


def demo_app(site: Path, redis_server):
    """The KIM configuration with its demo loaded, on SQLite in ``site`` (or the test
    PostgreSQL database when VERBUND_TEST_DATABASE_URL names one)."""
    return load_demo_app(site, redis_server)[0]


def fullest_record(workflow: str) -> Record:
    """The demo record of ``workflow`` with the most saved data (the longest document)."""
    records = list(Record.select().where(Record.workflow == workflow))
    assert records, f"the demo has no record of {workflow}"
    return max(records, key=lambda r: len(json.dumps(r.data or {})))


def render_demo_documents(app, out_dir: Path) -> dict[str, Path]:
    """Render every shipped template into ``out_dir``; returns {template stem: .docx path}."""
    runtime = current_runtime(app)
    defs = runtime.definitions
    exports = runtime.settings.exports_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for workflow in defs.workflows.values():
        for document in workflow.documents:
            record = fullest_record(workflow.id)
            content = render_docx(exports / document.template, document_context(defs, record))
            path = out_dir / document.template
            path.write_bytes(content)
            written[path.stem] = path
    client = app.test_client()
    login(client, "koordination", read_demo(ROOT / "demo").password)
    answer = client.get("/register/export.docx")
    assert answer.status_code == 200, answer.status_code
    path = out_dir / "beschlussregister.docx"
    path.write_bytes(answer.data)
    written[path.stem] = path
    return written


def convert_to_pdf(sources: list[Path], out_dir: Path, profile: Path) -> dict[str, Path]:
    """All ``sources`` converted by one LibreOffice run (start-up is most of its time)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is not installed; .ci/run installs it"
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            *map(str, sources),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {source.stem: out_dir / f"{source.stem}.pdf" for source in sources}


def body_lines(page) -> list[str]:
    """The text lines between header and footer of a PDF page."""
    top, bottom = 2.2 * CM, page.height - 1.8 * CM
    words = [w for w in page.extract_words() if w["top"] >= top and w["bottom"] <= bottom]
    lines: dict[int, list[str]] = {}
    for word in words:
        lines.setdefault(round(word["top"] / 3), []).append(word["text"])
    return [" ".join(parts) for _, parts in sorted(lines.items())]
