"""The PDF/A-2b beside a rendered .docx, made by LibreOffice (``soffice --headless``).

LibreOffice runs as its own process group under a time limit (killed with SIGKILL when it
is over) and a size limit on what it writes, like the render child. Each worker process
keeps one LibreOffice profile under ``instance/libreoffice/`` (a profile serves one soffice
at a time; the first start builds it, later starts reuse it), and each conversion works in a
private temporary folder there that is removed afterwards, so the document's personal data
does not stay on disk. The export is tagged (structure for screen readers) and PDF/A-2b.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

from .render import TemplateFailed

# writer_pdf_Export options: PDF/A-2b ("SelectPdfVersion" 2), tagged, the title shown
PDF_EXPORT_FILTER = "pdf:writer_pdf_Export:" + json.dumps(
    {
        "SelectPdfVersion": {"type": "long", "value": "2"},
        "UseTaggedPDF": {"type": "boolean", "value": "true"},
        "DisplayPDFDocumentTitle": {"type": "boolean", "value": "true"},
    },
    separators=(",", ":"),
)
_one_at_a_time = threading.Lock()  # one profile per process serves one soffice at a time


class PdfFailed(TemplateFailed):
    """The PDF could not be made; the message says why, in German, without document data."""


def soffice_path() -> str | None:
    """LibreOffice's command, or None where it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _profile(instance_dir: Path) -> Path:
    return instance_dir / "libreoffice" / f"profile-{os.getpid()}"


def convert_to_pdfa(
    instance_dir: Path, docx: bytes, name: str, seconds: float, max_bytes: int
) -> bytes:
    """The PDF/A-2b of the .docx ``docx`` (``name`` only for messages)."""
    soffice = soffice_path()
    if soffice is None:
        raise PdfFailed(
            "Die PDF-Fassung kann nicht erstellt werden: LibreOffice ist auf diesem Server "
            "nicht installiert."
        )
    if seconds < 1:
        raise PdfFailed(f"Für die PDF-Fassung von „{name}“ reicht die Zeit des Auftrags nicht.")
    work_root = instance_dir / "libreoffice"
    work_root.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _one_at_a_time, tempfile.TemporaryDirectory(dir=work_root) as work:
        source = Path(work) / "dokument.docx"
        source.write_bytes(docx)
        _run(soffice, source, _profile(instance_dir), seconds, name)
        target = Path(work) / "dokument.pdf"
        if not target.is_file():
            raise PdfFailed(f"LibreOffice hat aus „{name}“ keine PDF-Fassung erstellt.")
        if target.stat().st_size > max_bytes:
            raise PdfFailed(f"Die PDF-Fassung von „{name}“ ist größer als erlaubt.")
        return target.read_bytes()


def _run(soffice: str, source: Path, profile: Path, seconds: float, name: str) -> None:
    command = [
        soffice,
        "--headless",
        "--norestore",
        "--nologo",
        "--nolockcheck",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        PDF_EXPORT_FILTER,
        "--outdir",
        str(source.parent),
        str(source),
    ]
    env: dict[str, Any] = {**os.environ, "HOME": str(source.parent)}
    process = subprocess.Popen(  # noqa: S603 - a fixed command, the file name is ours
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: a timeout ends all of it
        env=env,
    )
    try:
        returncode = process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise PdfFailed(
            f"Die PDF-Fassung von „{name}“ wurde nach {seconds:g} Sekunden abgebrochen."
        ) from None
    if returncode != 0:
        raise PdfFailed(f"LibreOffice konnte „{name}“ nicht in PDF umwandeln ({returncode}).")
