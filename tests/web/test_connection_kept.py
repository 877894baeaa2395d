"""PostgreSQL: a request thread keeps its connection for the next request (a new one is a
new server process with cold caches: half of a case page's time), and a connection the
server ended meanwhile – a restart, an idle timeout – is replaced: the next request answers
as if nothing happened. Only on the PostgreSQL pass (VERBUND_TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import time

import psycopg2
import pytest

from server.models import database

URL = os.environ.get("VERBUND_TEST_DATABASE_URL", "")

pytestmark = pytest.mark.skipif(not URL, reason="a server process per connection: PostgreSQL")


def _server_process() -> int:
    return database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]


def test_a_request_keeps_its_connection_and_replaces_one_the_server_ended(app, api):
    applicant = api("sf10", ["applicant"], "sf")
    assert applicant.get("/records").status_code == 200
    first = _server_process()
    assert applicant.get("/records").status_code == 200
    assert _server_process() == first  # the same connection, not a new one per request

    other = psycopg2.connect(URL)
    other.autocommit = True
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [first])
        # the server process ends a moment later; the next request comes after that, as it
        # does after a restart or an idle timeout
        for _ in range(100):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [first])
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.05)
    other.close()

    response = applicant.get("/records")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _server_process() != first
