"""A worker killed (SIGKILL) in the middle of sending: the e-mail still goes out, once.

The worker is a real ``verbund worker`` process; the SMTP server (aiosmtpd, in this process)
holds the conversation until the worker has been killed. Killed before the server had the
message (at RCPT): exactly one e-mail afterwards. Killed after the server had it but before
the worker heard "250" (at DATA): the one window where a second copy goes out – with the same
Message-ID (docs/betrieb.md, "E-Mail").
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from server import clock
from server.jobs.mail import sweep_mail
from server.models import MailDelivery
from server.runtime import current_runtime
from server.services.notifications.create import notify
from tests.notifications.conftest import with_email
from tests.smtp_server import Inbox, free_port

ROOT = Path(__file__).resolve().parents[2]


class HoldingInbox(Inbox):
    """Holds the first conversation at ``stage`` ("RCPT" or "DATA") until released."""

    def __init__(self, stage: str):
        super().__init__()
        self.stage = stage
        self.entered = threading.Event()
        self.release = threading.Event()
        self.held = False

    async def _hold(self, stage: str) -> None:
        if stage == self.stage and not self.held:
            self.held = True
            self.entered.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await self._hold("RCPT")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # the server has the message (an MTA would have queued it) before its "250" is sent
        answer = await super().handle_DATA(server, session, envelope)
        await self._hold("DATA")
        return answer


@pytest.fixture(params=["RCPT", "DATA"])
def smtp(request):
    """Replaces the SMTP server of conftest.py: the app sends to the holding one."""
    inbox = HoldingInbox(request.param)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    inbox.release.set()
    controller.stop()


def _worker(config: Path, redis_url: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERBUND_")}
    env.update(VERBUND_CONFIG=str(config), VERBUND_REDIS_URL=redis_url, PYTHONPATH=str(ROOT))
    if os.environ.get("VERBUND_TEST_DATABASE_URL"):
        env["VERBUND_DATABASE_URL"] = os.environ["VERBUND_TEST_DATABASE_URL"]
    return subprocess.Popen(
        [sys.executable, "-c", "from server.cli import main; main()", "worker", "--burst"],
        cwd=config.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_worker_killed_mid_send(app, config_dir, redis_url, make_user, work_jobs, smtp):
    controller, inbox = smtp
    settings = current_runtime(app).settings
    # the worker process reads config.toml: the same SMTP server as this app
    config = config_dir / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'\n[mail]\nhost = "127.0.0.1"\nport = {controller.port}\nsecurity = "none"\n'
        + 'from = "verbund@stadt.example"\nbase_url = "https://verbund.example.org"\n',
        encoding="utf-8",
    )
    person = with_email(make_user("cm2", ["case_manager"], "amt"), "cm2@stadt.example")
    [made] = notify(settings, "handed_over", [person], "1:2", "Fall Nr. 1 wurde Ihnen übergeben")
    delivery = MailDelivery.get(MailDelivery.notification == made)

    worker = _worker(config, redis_url)
    try:
        assert inbox.entered.wait(60), "the worker never reached the SMTP server"
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    inbox.release.set()
    assert MailDelivery.get_by_id(delivery.id).state == "sending"  # claimed, never confirmed

    work_jobs()  # another worker at once: the claim is not stale yet, nothing is sent
    first = len(inbox.messages)
    assert first == (1 if inbox.stage == "DATA" else 0)

    clock.freeze(clock.now() + dt.timedelta(seconds=901))  # past [mail] resend_after
    try:
        assert sweep_mail() == 1
        work_jobs()
    finally:
        clock.freeze(None)
    row = MailDelivery.get_by_id(delivery.id)
    assert row.state == "sent" and row.attempts == 2
    messages = inbox.to("cm2@stadt.example")
    if inbox.stage == "RCPT":
        assert len(messages) == 1  # the server never had the first: exactly once
    else:
        assert len(messages) == 2  # at least once, recognisably the same e-mail
        assert {m["Message-ID"] for m in messages} == {row.message_id}
