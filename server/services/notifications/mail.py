"""E-mail over SMTP with the standard library (``smtplib``, ``email.message``).

Chosen over Flask-Mailman: its messages find their settings through ``current_app``, and
the e-mails are sent by RQ jobs in the worker, which has no Flask app; ``smtplib`` speaks
SMTP, STARTTLS and SMTPS and ``EmailMessage`` builds MIME with attachments, which is all
this needs. Settings: ``[mail]`` in config.toml, the password from ``VERBUND_MAIL_PASSWORD``.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from ...config import Settings


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    sender: str
    security: str  # starttls | ssl | none
    user: str
    password: str
    base_url: str
    timeout: float

    @property
    def domain(self) -> str:
        """The domain of Message-IDs: the sender's."""
        return self.sender.rpartition("@")[2].strip(" >") or "verbund.invalid"


def mail_settings(settings: Settings) -> MailSettings | None:
    """``[mail]`` of the installation; None when no SMTP host is set (no e-mail at all)."""
    section = settings.section("mail")
    host = str(section.get("host") or "").strip()
    if not host:
        return None
    return MailSettings(
        host=host,
        port=int(section.get("port") or 587),
        sender=str(section.get("from") or f"verbund@{host}"),
        security=str(section.get("security") or "starttls"),
        user=str(section.get("user") or ""),
        password=str(section.get("password") or ""),
        base_url=str(section.get("base_url") or "").rstrip("/"),
        timeout=float(section.get("timeout") or 30),
    )


def compose(
    mail: MailSettings,
    to: str,
    subject: str,
    body: str,
    message_id: str,
    attachments: tuple[tuple[bytes, str, str, str], ...] = (),
) -> EmailMessage:
    """A plain-text e-mail; ``attachments`` as (bytes, maintype, subtype, filename)."""
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies
    message.set_content(body)
    for content, maintype, subtype, filename in attachments:
        params = {"method": "PUBLISH"} if subtype == "calendar" else {}
        message.add_attachment(
            content, maintype=maintype, subtype=subtype, filename=filename, params=params
        )
    return message


def send(mail: MailSettings, message: EmailMessage) -> None:
    """Hand ``message`` to the SMTP server (raises ``smtplib.SMTPException``/``OSError``)."""
    context = ssl.create_default_context()
    if mail.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            mail.host, mail.port, timeout=mail.timeout, context=context
        )
    else:
        client = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
    with client:
        if mail.security == "starttls":
            client.starttls(context=context)
        if mail.user:
            client.login(mail.user, mail.password)
        client.send_message(message)
