"""Delivery backends: `mailbox` keeps messages for /dev/mailbox, `smtp` sends them."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

log = logging.getLogger(__name__)


class DeliveryError(RuntimeError):
    """The mail server refused or could not be reached; the message says which."""


def deliver_to_mailbox(message: EmailMessage, settings: Mapping[str, Any]) -> None:
    """Development: the message is already stored; print it so it shows in the console."""
    body = message.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    log.info("mailbox: to=%s subject=%s\n%s", message["To"], message["Subject"], text.strip())


def deliver_by_smtp(message: EmailMessage, settings: Mapping[str, Any]) -> None:
    """Send over SMTP with STARTTLS or implicit TLS and optional login.

    The server's certificate is always verified: against MAIL_TLS_CA_FILE when set
    (a mail server with a private CA), else against the system's CAs.
    """
    host, port = settings["MAIL_SERVER"], int(settings["MAIL_PORT"])
    timeout = settings.get("MAIL_TIMEOUT", 20)
    try:
        # Inside the try: a CA file that has gone missing is a failed delivery, not a crash.
        context = ssl.create_default_context(cafile=settings.get("MAIL_TLS_CA_FILE") or None)
        if settings.get("MAIL_USE_SSL"):
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            if settings.get("MAIL_USE_TLS"):
                client.starttls(context=context)
            if settings.get("MAIL_USERNAME"):
                client.login(settings["MAIL_USERNAME"], settings.get("MAIL_PASSWORD") or "")
            client.send_message(message)
    except smtplib.SMTPResponseException as exc:
        # The server's own words ("535 5.7.8 Authentication credentials invalid"), not a tuple of bytes.
        reply = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        raise DeliveryError(f"SMTP {host}:{port} refused: {exc.smtp_code} {reply}") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP {host}:{port}: {exc}") from exc


BACKENDS = {"mailbox": deliver_to_mailbox, "smtp": deliver_by_smtp}
