"""Delivery backends: `mailbox` keeps messages for /dev/mailbox, `smtp` sends them."""

from __future__ import annotations

import functools
import logging
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from interviews.mail.compose import Outgoing

log = logging.getLogger(__name__)


class DeliveryError(RuntimeError):
    """The mail server refused or could not be reached; the message says which.

    ``permanent`` is set when the server refused this message for good (a 5xx answer to
    its recipient or its content): trying again would get the same answer. Anything
    else (a server that is down, a 4xx "try later", a refused login) is worth a retry.
    """

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def deliver_to_mailbox(message: Outgoing, settings: Mapping[str, Any]) -> None:
    """Development: the message is already stored; print it so it shows in the console."""
    log.info(
        "mailbox: to=%s subject=%s\n%s",
        message.recipient,
        message.subject,
        message.text_body.strip(),
    )


@functools.cache
def _tls_context(cafile: str | None) -> ssl.SSLContext:
    """One verifying TLS context per CA file, made once: loading the system's CA
    certificates takes tens of milliseconds, more than sending a batch of mail."""
    return ssl.create_default_context(cafile=cafile)


def _open(settings: Mapping[str, Any]) -> smtplib.SMTP:
    host, port = settings["MAIL_SERVER"], int(settings["MAIL_PORT"])
    timeout = settings.get("MAIL_TIMEOUT", 20)
    cafile = settings.get("MAIL_TLS_CA_FILE") or None
    if settings.get("MAIL_USE_SSL"):
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=_tls_context(cafile)
        )
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if settings.get("MAIL_USE_TLS"):
            client.starttls(context=_tls_context(cafile))
        if settings.get("MAIL_USERNAME"):
            client.login(settings["MAIL_USERNAME"], settings.get("MAIL_PASSWORD") or "")
    except BaseException:
        client.close()
        raise
    return client


@contextmanager
def _smtp_errors(settings: Mapping[str, Any]) -> Iterator[None]:
    """Turn what smtplib raises into a DeliveryError that says what happened."""
    host, port = settings["MAIL_SERVER"], settings["MAIL_PORT"]
    try:
        yield
    except smtplib.SMTPRecipientsRefused as exc:
        answers = exc.recipients.values()
        said = "; ".join(
            f"{code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
            for code, reply in answers
        )
        raise DeliveryError(
            f"SMTP {host}:{port} refused the recipient: {said}",
            permanent=bool(answers) and all(code >= 500 for code, _ in answers),
        ) from exc
    except smtplib.SMTPResponseException as exc:
        # The server's own words ("535 5.7.8 Authentication credentials invalid"), not a tuple of bytes.
        reply = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        # A 5xx to the message itself (too big, rejected as spam) will not change on a
        # retry; a refused sender or login is the server's settings, which get mended.
        permanent = isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500
        raise DeliveryError(
            f"SMTP {host}:{port} refused: {exc.smtp_code} {reply}", permanent=permanent
        ) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP {host}:{port}: {exc}") from exc


class _Connection:
    """One SMTP connection kept open for many messages (a worker's batch)."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = settings
        self.client: smtplib.SMTP | None = None

    def send(self, message: Outgoing) -> None:
        with _smtp_errors(self.settings):
            try:
                if self.client is None:
                    self.client = _open(self.settings)
                _hand_over(self.client, message)
            except BaseException:
                self.close()  # a broken conversation is not reused
                raise

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (OSError, smtplib.SMTPException):
                self.client.close()
            self.client = None


_connection: ContextVar[_Connection | None] = ContextVar("smtp_connection", default=None)


@contextmanager
def kept_connection(settings: Mapping[str, Any]) -> Iterator[None]:
    """SMTP deliveries inside this block share one connection, opened on first use."""
    connection = _Connection(settings)
    token = _connection.set(connection)
    try:
        yield
    finally:
        _connection.reset(token)
        connection.close()


def _hand_over(client: smtplib.SMTP, message: Outgoing) -> None:
    # An internationalised address needs the server's SMTPUTF8 (which smtplib checks).
    options = [] if message.recipient.isascii() else ["SMTPUTF8"]
    refused = client.sendmail(message.sender, [message.recipient], message.data, options)
    if refused:  # one recipient, so a refusal raises first; kept for a clear message anyway
        raise DeliveryError(f"refused recipients: {', '.join(refused)}")


def deliver_by_smtp(message: Outgoing, settings: Mapping[str, Any]) -> None:
    """Send over SMTP with STARTTLS or implicit TLS and optional login.

    The server's certificate is always verified: against MAIL_TLS_CA_FILE when set
    (a mail server with a private CA), else against the system's CAs. Inside
    ``kept_connection`` the connection is reused; otherwise each message has its own.
    """
    kept = _connection.get()
    if kept is not None:
        kept.send(message)
        return
    # _open inside the error block: a CA file gone missing is a failed delivery, not a crash.
    with _smtp_errors(settings), _open(settings) as client:
        _hand_over(client, message)


BACKENDS = {"mailbox": deliver_to_mailbox, "smtp": deliver_by_smtp}
