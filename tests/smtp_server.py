"""A real SMTP server in the test process (aiosmtpd): it keeps every e-mail it receives."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler: every message as parsed ``EmailMessage`` with its envelope."""

    def __init__(self, delay: float = 0.0):
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.delay = delay  # seconds DATA takes (to make two senders overlap)
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
            self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m, r in zip(self.messages, self.recipients, strict=True) if address in r]


def start_smtp(delay: float = 0.0) -> tuple[Controller, Inbox]:
    inbox = Inbox(delay)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, inbox
