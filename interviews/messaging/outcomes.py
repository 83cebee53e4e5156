"""Writing down that a message went out, the moment the mail server took it.

One write per message, committed before the next is sent: a worker that dies can have
sent at most one message it did not record (the sweep sends it again after its lease,
under the same Message-ID). The outbox row and its mail row are marked together. On
PostgreSQL that is one statement (the mail row's UPDATE in a WITH clause) on a
connection of the batch's own in autocommit: one round trip a message instead of four
(BEGIN, two UPDATEs, COMMIT). SQLite, in-process, writes both in the session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial

from sqlalchemy import Connection, bindparam, update
from sqlalchemy.orm.attributes import set_committed_value

from interviews.db import db
from interviews.mail import delivery
from interviews.mail.models import MailMessage
from interviews.messaging.models import OutboxMessage, OutboxStatus

# Bound per message: ``row_id`` and ``row_sent_at``. Built once: it runs for every message.
_ROW_SENT = (
    update(OutboxMessage)
    .where(OutboxMessage.id == bindparam("row_id"))
    .values(
        status=OutboxStatus.SENT,
        error=None,
        lease_expires_at=None,
        sent_at=bindparam("row_sent_at"),
        updated_at=bindparam("row_sent_at"),
    )
)
_BOTH_SENT = _ROW_SENT.add_cte(delivery.SENT_MARK.cte("sent_mail"))

MarkSent = Callable[[OutboxMessage, MailMessage, datetime], None]


@contextmanager
def sent_marks() -> Iterator[MarkSent]:
    """For one batch: a function that records a message as sent (its outbox row and its
    mail row), committed, as soon as it is called."""
    if db.session.get_bind().dialect.name != "postgresql":
        yield _mark_in_session
        return
    # Its own connection: the session's stays in ordinary transactions for everything else.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        yield partial(_mark_in_one_statement, connection)


def _mark_in_one_statement(
    connection: Connection, row: OutboxMessage, mail: MailMessage, sent_at: datetime
) -> None:
    connection.execute(_BOTH_SENT, _params(row, mail, sent_at))
    _show_sent(row, mail, sent_at)


def _mark_in_session(row: OutboxMessage, mail: MailMessage, sent_at: datetime) -> None:
    params = _params(row, mail, sent_at)
    connection = db.session.connection()
    # The mail row first: a worker that dies between the two leaves an outbox row whose
    # email is marked sent, which its next claim finishes without sending again.
    connection.execute(delivery.SENT_MARK, params)
    connection.execute(_ROW_SENT, params)
    db.session.commit()
    _show_sent(row, mail, sent_at)


def _params(row: OutboxMessage, mail: MailMessage, sent_at: datetime) -> dict:
    return {"row_id": row.id, "row_sent_at": sent_at, "mail_id": mail.id, "mail_sent_at": sent_at}


def _show_sent(row: OutboxMessage, mail: MailMessage, sent_at: datetime) -> None:
    """The loaded objects say what the database now says, with nothing left to flush."""
    for name, value in (
        ("status", OutboxStatus.SENT),
        ("error", None),
        ("lease_expires_at", None),
        ("sent_at", sent_at),
        ("updated_at", sent_at),
    ):
        set_committed_value(row, name, value)
    delivery.record_sent(mail, sent_at)
