"""The API answers as /api/v1/openapi.json says: schemathesis runs every check against it.

The spec is loaded from the real app, served in this process by Werkzeug on a free port, and
schemathesis's engine (what ``st run`` uses) runs its phases against it: examples, coverage
(including undeclared methods), fuzzing and stateful links. Not ``from_wsgi``: its in-process
transport breaks in the ``ignored_auth`` probe (``max_redirects`` reaches Werkzeug's
EnvironBuilder), and ``schemathesis.pytest.from_fixture`` uses a pytest attribute that pytest
9.2 removed. The world behind the API is real: a record in „eingereicht“ with a finished
Word document, an uploaded file and a published form revision, so generated calls reach real
answers (a .docx, a PDF, 201, 409, 422) and not only 404s. Every built-in check runs (status
codes, content types, response schemas and headers, no server error, positive and negative
data, missing auth, unsupported methods and ``Allow`` …). A fixed seed and a small number of
examples per operation keep the run bounded and the same every time.
"""

from __future__ import annotations

import io
import os
import threading

import pytest
import schemathesis

from tests.helpers import ANTRAG, login

# per operation and phase; the whole run stays well under a minute. The PostgreSQL pass
# sends fewer: the description and the checks are the same, what differs there is only the
# database under the answers, which 8 examples per operation reach as well (71 s → ~30 s)
EXAMPLES = 8 if os.environ.get("VERBUND_TEST_DATABASE_URL") else 20
SEED = 20260512
BUSINESS_RULES = [
    "PUT /records/{record_id}/forms/{form_id}",
    "POST /records/{record_id}/transitions",
    "POST /records/{record_id}/documents",
    "POST /records/{record_id}/files",
    "POST /records/{record_id}/consents",
    "POST /records/{record_id}/consents/{purpose}/withdrawal",
    "PUT /config/forms/{id}",
    "PUT /config/workflows/{id}",
]


@pytest.fixture
def api_world(app, api, work_jobs):
    """The token of a clerk who is also the administration (the config routes need that), after
    making one of each thing the API serves."""
    user = api("sb.api", ["clerk", "admin"], "sportamt")
    rid = user.post("/records", json={"workflow": "foerderung"}).json["id"]
    saved = user.put(f"/records/{rid}/forms/antrag", json={"data": ANTRAG, "version": 1})
    assert saved.status_code == 200, saved.json
    moved = user.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 2})
    assert moved.status_code == 200, moved.json
    document = user.post(f"/records/{rid}/documents", json={"document": "eingang"})
    assert document.status_code == 202, document.json
    work_jobs()
    assert user.get(f"/documents/{document.json['id']}").json["status"] == "finished"
    upload = user.post(
        f"/records/{rid}/files",
        data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "satzung.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.json
    text = user.get("/config/forms/bescheid").json["toml"]
    published = user.put(
        "/config/forms/bescheid", json={"toml": text + "\n# geprüft\n", "message": "Test"}
    )
    assert published.status_code in (200, 201), published.json
    return user.token


@pytest.fixture
def served(app):
    """The app behind a real HTTP server on a free port (one thread, like a worker process)."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log(self, *args, **kwargs):  # thousands of requests: only failures matter
            pass

    server = make_server("127.0.0.1", 0, app, threaded=False, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def conformance_failures(base: str, token: str) -> tuple[list[str], dict[str, set[int]]]:
    """Every failed check of a schemathesis run against the served spec, and the status codes
    each operation answered with."""
    from schemathesis.engine import Status, events, from_schema

    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "headers": {"Authorization": f"Bearer {token}"},
            "request-timeout": 30,  # a hanging answer fails the run instead of blocking it
            "generation": {
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",
                # the API refuses NUL anywhere with a 422 (PostgreSQL cannot store it); as
                # "valid" data it would only test that refusal, which test_hostile_input does
                "allow-x00": False,
            },
            "operations": [
                {
                    # a 422 here is a rule of the office's configuration that no static schema
                    # can state: a form's fields, a guard, a file's kind, a TOML text, the
                    # documents and consent purposes of a workflow
                    "include-name": BUSINESS_RULES,
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": ["2xx", "401", "403", "404", "409", "422"]
                        }
                    },
                }
            ],
        }
    )
    schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json", config=config)
    failures: set[str] = set()
    answered: dict[str, set[int]] = {}
    for event in from_schema(schema).execute():
        if isinstance(event, events.NonFatalError):
            failures.add(f"{event.label}: {event.info.format()}")
        if isinstance(event, events.FatalError):
            failures.add(f"schemathesis: {event.exception!r}")
        if isinstance(event, events.EngineFinished):
            print(f"schemathesis: {event.running_time:.1f} s")  # shown with pytest -s
        if not isinstance(event, events.ScenarioFinished):
            continue
        for case_id, interaction in event.recorder.interactions.items():
            node = event.recorder.cases.get(case_id)
            if interaction.response is not None and node is not None:
                label = f"{interaction.request.method} {node.value.operation.path}"
                answered.setdefault(label, set()).add(interaction.response.status_code)
        for case_id, checks in event.recorder.checks.items():
            for check in checks:
                if check.status != Status.FAILURE or check.failure_info is None:
                    continue
                failure = check.failure_info.failure
                interaction = event.recorder.interactions.get(case_id)
                where = ""
                if interaction is not None:
                    answer = interaction.response
                    status = answer.status_code if answer else "-"
                    sent = (interaction.request.body or b"")[:200]
                    got = (answer.content or b"")[:300] if answer else b""
                    where = (
                        f"\n  {interaction.request.method} {interaction.request.uri} {sent!r}"
                        f"\n  -> {status} {got!r}"
                    )
                failures.add(
                    f"{event.label} {check.name}: {failure.title}: {failure.message}{where}"
                )
    return sorted(failures), answered


@pytest.mark.filterwarnings("ignore:Generating overly large repr")
def test_the_api_keeps_to_its_openapi_description(served, api_world):
    failures, answered = conformance_failures(served, api_world)
    assert not failures, "\n\n".join(failures)
    # the run reached the real things, not only 404s: their bodies and types were checked
    for operation in (
        "GET /records/{record_id}",
        "GET /documents/{document_id}/file",
        "GET /files/{file_id}/content",
        "GET /config/revisions/{revision_id}",
        "POST /records",
    ):
        assert answered.get(operation, set()) & {200, 201}, (operation, answered.get(operation))


def test_every_405_names_the_allowed_methods(api, client, make_user):
    """RFC 9110: a 405 carries ``Allow``; the API answers JSON, the screens a German page."""
    clerk = api("sb.allow", ["clerk"])
    wrong = clerk.client.delete(
        "/api/v1/records", headers={"Authorization": f"Bearer {clerk.token}"}
    )
    assert wrong.status_code == 405 and wrong.is_json
    assert {"GET", "POST"} <= {m.strip() for m in wrong.headers["Allow"].split(",")}
    assert "nicht" in wrong.json["error"]
    trace = client.open("/api/v1/records/1/transitions", method="TRACE")
    assert trace.status_code == 405 and "POST" in trace.headers["Allow"]
    login(client, "sb.allow")
    page = client.put("/records/foerderung/")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]
    assert "Nicht erlaubt" in page.get_data(as_text=True)


def test_an_unknown_document_is_a_422_naming_the_known_ones(api):
    clerk = api("sb.doc", ["clerk"])
    rid = clerk.post("/records", json={"workflow": "foerderung"}).json["id"]
    answer = clerk.post(f"/records/{rid}/documents", json={"document": "gibtsnicht"})
    assert answer.status_code == 422  # was 404, which reads as "record not readable"
    assert answer.json["errors"] == {"document": ["Bekannt: eingang, bescheid."]}


def test_an_id_beyond_64_bits_is_a_404_for_every_method(api):
    clerk = api("sb.big", ["clerk"])
    huge = "67484044344235974656"  # schemathesis sent this; POST got 405 „Allow: GET“
    assert clerk.post(f"/records/{huge}/consents", json={}).status_code == 404
    assert clerk.get(f"/records/{huge}").status_code == 404
    assert clerk.post(f"/records/{huge}/transitions", json={"to": "x"}).status_code == 404
