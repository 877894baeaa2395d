"""Helpers for tests: logging in through the real form, running queued jobs."""

from __future__ import annotations

import os
import re
from pathlib import Path

from server.models import database
from server.runtime import current_runtime

PASSWORD = "richtig-langes-Passwort-1"

# a complete, valid "antrag" of the fixture office (tests/fixtures/foerderung)
ANTRAG = {
    "verein": "SV Rhein",
    "email": "info@sv-rhein.example",
    "beginn": "2027-05-01",
    "zweck": "Bälle",
    "betrag": 300,
    "posten": [{"posten": "Bälle", "betrag": 300}],
}


def run_worker_burst(app) -> None:
    """Work every queued job in this process, against this test's database and Redis."""
    from server.queue.documents import document_queue

    work_burst(document_queue(current_runtime(app).settings))
    database.connect(reuse_if_open=True)


def work_burst(queue, logging_level: str = "ERROR") -> None:
    """Work ``queue`` until it is empty, in this process (RQ's SimpleWorker, stopping as
    promptly as the production worker)."""
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    from server.jobs.worker import PromptlyStopping

    class BurstWorker(PromptlyStopping, SimpleWorker):
        pubsub_poll_seconds = 0.1  # a burst ends as soon as its queue is empty

    worker = BurstWorker([queue], connection=queue.connection, serializer=JSONSerializer)
    worker.work(burst=True, logging_level=logging_level)


def login(client, username: str, password: str = PASSWORD):
    """Log in through the real login form (CSRF token taken from the page)."""
    page = client.get("/auth/login")
    token = csrf_token(page.get_data(as_text=True))
    return client.post(
        "/auth/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def install_template(name: str, document) -> None:
    """Make a python-docx ``document`` (or .docx bytes) the current revision of ``name``."""
    import io

    from server.documents.store import add_revision

    if not isinstance(document, bytes):
        out = io.BytesIO()
        document.save(out)
        document = out.getvalue()
    add_revision(name, document, source="upload", comment="Test")


def pdf_from_docx(content: bytes, workdir) -> bytes | None:
    """The .docx converted to PDF by LibreOffice, or None where LibreOffice is not installed."""
    import shutil
    import subprocess
    from pathlib import Path

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    workdir = Path(workdir)
    source = workdir / "dokument.docx"
    source.write_bytes(content)
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{workdir / 'lo-profile'}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (workdir / "dokument.pdf").read_bytes()


def worker_env(app) -> dict:
    """The environment for a ``verbund`` subprocess (a worker, a second web server) of
    ``app``'s installation: its config, database and Redis, this checkout importable."""
    settings = current_runtime(app).settings
    env = dict(os.environ)
    env.update(
        VERBUND_CONFIG=str(settings.config_path),
        VERBUND_DATABASE_URL=settings.database_url,
        VERBUND_REDIS_URL=settings.redis_url,
        PYTHONPATH=str(Path(__file__).resolve().parents[1]),
    )
    return env
