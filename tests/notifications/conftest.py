"""Notifications against the KIM configuration, a real SMTP server (aiosmtpd) in the test
process, real Redis and the test's database (SQLite file or PostgreSQL)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from server import clock
from server.models import User
from tests.kim_site import copy_kim, empty_postgres
from tests.smtp_server import start_smtp

BASE_URL = "https://verbund.example.org"


@pytest.fixture
def config_dir(tmp_path) -> Path:
    return copy_kim(tmp_path / "kim", ("forms", "workflows", "exports"))


@pytest.fixture
def smtp():
    controller, inbox = start_smtp()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def database_overrides(smtp) -> dict:
    controller, _ = smtp
    mail = {
        "mail": {
            "host": "127.0.0.1",
            "port": controller.port,
            "from": "verbund@stadt.example",
            "security": "none",
            "base_url": BASE_URL,
        }
    }
    url = os.environ.get("VERBUND_TEST_DATABASE_URL", "")
    if not url:
        return mail
    empty_postgres(url)
    return {"database": {"url": url}, **mail}


@pytest.fixture
def mailbox(smtp):
    return smtp[1]


@pytest.fixture
def frozen():
    yield clock.freeze
    clock.freeze(None)


def with_email(user: User, address: str) -> User:
    User.update(email=address).where(User.id == user.id).execute()
    return User.get_by_id(user.id)
