"""Small steps through the JSON API for the KIM tests: create, save, move, produce a .docx."""

from __future__ import annotations

import io

import docx


def create(client, workflow: str, forms: dict | None = None) -> dict:
    """A new record of ``workflow`` with ``forms`` ({form id: data}) saved one after another."""
    answer = client.post("/records", json={"workflow": workflow})
    assert answer.status_code == 201, answer.get_json()
    record = answer.get_json()
    for form_id, data in (forms or {}).items():
        record = save(client, record, form_id, data)
    return record


def save(client, record: dict, form_id: str, data: dict, status: int = 200) -> dict:
    answer = client.put(
        f"/records/{record['id']}/forms/{form_id}",
        json={"data": data, "version": record["version"]},
    )
    assert answer.status_code == status, answer.get_json()
    return answer.get_json() if status == 200 else record


def move(client, record: dict, to: str, status: int = 200) -> dict:
    """Apply a transition; with another ``status`` (e.g. 422) return the answer's JSON."""
    answer = client.post(
        f"/records/{record['id']}/transitions", json={"to": to, "version": record["version"]}
    )
    assert answer.status_code == status, answer.get_json()
    return answer.get_json()


def produce(client, record_id: int, document: str, work_jobs) -> bytes:
    answer = client.post(f"/records/{record_id}/documents", json={"document": document})
    assert answer.status_code == 202, answer.get_json()
    work_jobs()
    status = client.get(f"/documents/{answer.get_json()['id']}").get_json()
    assert status["status"] == "finished", status
    return client.get(f"/documents/{status['id']}/file").data


def text_of(content: bytes) -> str:
    """Every paragraph of a .docx (body, tables, header, footer), one per line."""
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(parts)


def rows_of(content: bytes) -> list[list[str]]:
    document = docx.Document(io.BytesIO(content))
    return [[c.text for c in row.cells] for t in document.tables for row in t.rows]
