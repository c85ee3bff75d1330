"""One message of a mailing, sent split-phase (newsletters/smtp.py) under the claim protocol
of newsletters/models.py: the row marked SENT, committed, between the content and the final
".", only if it is still this batch's (`attempts`, the claim's fencing token), its person still
subscribed and its mailing still sending. SENDS EMAIL. Called by
newsletters.services.sending.mailing_send_batch, one SMTP connection per batch.

On PostgreSQL the SENT commit is sent without waiting for its answer and the "." written
straight after it (`_sent_commit_then`): a worker killed while a plain commit waited for the
disk (2 ms and more) would leave the row SENT with the "." never written, a lost copy; now
only the microseconds between two writes are exposed.
"""

import logging
import re
import secrets
import select
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr

import psycopg.pq
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, OperationalError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from core.email import neutral_sender
from newsletters.models import Delivery, Mailing, Subscription
from newsletters.rendering import message_for_recipient
from newsletters.smtp import WIRE_POLICY, Refused, SplitSender, data_lines
from newsletters.tokens import unsubscribe_token, unsubscribe_url, unsubscribe_url_for_token

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # claims of one row (crashes, temporary refusals) before it is FAILED
RETRY_AFTER_OUTAGE = timedelta(minutes=1)


class BatchStop(Exception):
    """End the batch early (mail server unreachable, mailing paused or cancelled): the rows
    not yet sent are released. `again`: "later" (at `later_at`) or "never"."""

    def __init__(self, again: str, later_at: datetime | None = None):
        super().__init__(again)
        self.again = again
        self.later_at = later_at


def claims_release(rows: list[Delivery], claimed_at: datetime) -> int:
    """Rows of this batch's claim that were not sent, back to the queue (their claim does not
    count as an attempt). Lowering `attempts` gives the next claim the token this batch held,
    which is safe: a batch releases rows only as it ends, never touching them again (a row
    whose message was begun was dropped with its connection first)."""
    return Delivery.objects.filter(
        pk__in=[row.pk for row in rows], status=Delivery.Status.SENDING, claimed_at=claimed_at
    ).update(status=Delivery.Status.QUEUED, attempts=F("attempts") - 1)


def delivery_send(
    sender: SplitSender,
    mailing: Mailing,
    row: Delivery,
    *,
    discreet: bool,
    language: str,
    composer: "Composer | None" = None,
) -> str | None:
    """Send one claimed row: "sent", "failed", "skipped", or None (released, or taken by
    another batch). Raises BatchStop when the batch must end (server unreachable, mailing
    paused or cancelled). `composer`: the batch's (one is made for this row if not given)."""
    composer = composer or Composer(mailing, language)
    try:
        message = composer.message(row, discreet=discreet)
        sender.begin(message)
    except ValueError:  # an address Django refuses to put in an envelope
        return _close_row(row, Delivery.Status.FAILED, "invalid address")
    except Refused as refusal:
        return _refused(row, refusal, from_status=Delivery.Status.SENDING)
    except OSError as error:  # SMTPException included: nothing was delivered
        sender.abandon()
        logger.warning("newsletters: mail server unavailable (%s); mailing %s waits", type(error).__name__, mailing.pk)
        raise BatchStop("later", timezone.now() + RETRY_AFTER_OUTAGE) from error
    marked, write_error = _sent_commit_then(row, sender.finish_write)
    if not marked:
        sender.abandon()
        return _not_marked(row)
    if write_error is not None:  # the "." never left: nothing delivered
        sender.abandon()
        _reopen(row)
        raise BatchStop("later", timezone.now() + RETRY_AFTER_OUTAGE) from write_error
    try:
        sender.finish_reply()
    except Refused as refusal:
        return _refused(row, refusal, from_status=Delivery.Status.SENT)
    except OSError as error:
        sender.abandon()
        if not sender.split:  # a whole-message backend failed: nothing was sent
            _reopen(row)
            raise BatchStop("later", timezone.now() + RETRY_AFTER_OUTAGE) from error
        logger.warning("newsletters: no answer to the end of delivery %s; counted as sent", row.pk)
    return "sent"


def delivery_message(mailing: Mailing, row: Delivery, *, discreet: bool, language: str) -> EmailMultiAlternatives:
    """The message for one recipient: the frozen newsletter with their unsubscribe link
    (newsletters.rendering.message_for_recipient), the list headers (RFC 2369, RFC 2919,
    RFC 8058 one-click) and a Message-ID made of our ids (a copy sent again in a crash's rare
    window is then the same message to the mailbox). A discreet member's copy: the neutral
    sender, subject and preview line, and no list name. `language`: the newsletter's."""
    with translation.override(language):
        link = unsubscribe_url(row.subscription)
    return _message(mailing, row.pk, row.subscription.email, link, discreet=discreet, language=language)


def _message(
    mailing: Mailing, row_id, email: str, link: str, *, discreet: bool, language: str
) -> EmailMultiAlternatives:
    with translation.override(language):
        from_email = neutral_sender() if discreet else settings.DEFAULT_FROM_EMAIL
    subject, html, text = message_for_recipient(
        subject=mailing.subject,
        html=mailing.html,
        text=mailing.text,
        unsubscribe_url=link,
        discreet=discreet,
        language=language,
    )
    domain = parseaddr(from_email)[1].rpartition("@")[2] or "localhost"
    list_label = f"list-{mailing.mailing_list_id}.{domain}"
    headers = {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"<{list_label}>" if discreet else formataddr((mailing.mailing_list.name, list_label)),
        "Message-ID": f"<m{mailing.pk}.d{row_id}@{domain}>",
    }
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, from_email=from_email, to=[email], headers=headers
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


class Composer:
    """A batch's messages, made fast. Building each copy with Python's email package costs
    milliseconds (headers parsed and folded one by one), several times Django's whole
    `send_mass_mail` per message; so, per batch and per kind of copy (discreet or not), one
    copy is built that way with stand-ins for what differs between recipients (address,
    unsubscribe link, Message-ID), turned into DATA bytes once, and each recipient's copy is
    those bytes with the stand-ins replaced: the same bytes `delivery_message` would give,
    but for the Date and the MIME boundary (tested). Where a stand-in would not come through
    as itself (a part the email package encodes as quoted-printable or base64, a non-ASCII
    address, a link that HTML escaping would change), the copy is built the slow way.

    The unsubscribe link: `reverse()` once per batch with a stand-in token, then each
    recipient's signed token put in its place (reverse() costs more than the signing)."""

    def __init__(self, mailing: Mailing, language: str):
        self.mailing, self.language = mailing, language
        stand_in = "z" + secrets.token_hex(12)
        self._stand_ins = {"link": f"{stand_in}link", "email": f"{stand_in}to@example.org", "row": f"{stand_in}row"}
        with translation.override(language):
            prefix, found, suffix = unsubscribe_url_for_token(f"{stand_in}tok").partition(f"{stand_in}tok")
        # The link's host and path, like the tokens put in it, must come through HTML escaping
        # as themselves (the HTML part holds the escaped link, the others the link).
        fast = found and _URL_SAFE.fullmatch((prefix + suffix).split("//", 1)[-1].replace("/", ""))
        self._link_parts = (prefix, suffix) if fast else None
        self._templates: dict[bool, bytes | None] = {}

    def _link(self, subscription) -> tuple[str, bool]:
        """(the unsubscribe link, whether it was made the fast way)."""
        token = unsubscribe_token(subscription)
        if self._link_parts is not None and _URL_SAFE.fullmatch(token):
            return self._link_parts[0] + token + self._link_parts[1], True
        with translation.override(self.language):  # reverse() quotes what needs quoting
            return unsubscribe_url_for_token(token), False

    def message(self, row: Delivery, *, discreet: bool) -> EmailMultiAlternatives:
        """`delivery_message`'s message, with `wire` (its DATA bytes) when the fast way holds."""
        email = row.subscription.email
        link, fast = self._link(row.subscription)
        message = _message(self.mailing, row.pk, email, link, discreet=discreet, language=self.language)
        template = self._template(discreet) if fast and email.isascii() else None
        if template is not None:
            for key, value in (("link", link), ("email", email), ("row", str(row.pk))):
                template = template.replace(self._stand_ins[key].encode(), value.encode())
            message.wire = template
        return message

    def _template(self, discreet: bool) -> bytes | None:
        if discreet not in self._templates:
            self._templates[discreet] = self._build_template(discreet)
        return self._templates[discreet]

    def _build_template(self, discreet: bool) -> bytes | None:
        link, email, row = (self._stand_ins[key] for key in ("link", "email", "row"))
        built = _message(self.mailing, row, email, link, discreet=discreet, language=self.language).message(
            policy=WIRE_POLICY
        )
        for part in built.walk():
            if part.get_content_maintype() != "multipart" and part.get("Content-Transfer-Encoding") not in (
                "7bit",
                "8bit",
            ):
                return None  # encoded: a stand-in would not be itself in the bytes
        content = data_lines(built.as_bytes())
        # Every line with a stand-in in it stays within SMTP's 998 characters once filled in.
        for line in content.split(b"\r\n"):
            if link.encode() in line and len(line) + line.count(link.encode()) * MAX_LINK_GROWTH > 998:
                return None
        if content.count(email.encode()) != 1 or content.count(row.encode()) != 1:
            return None  # the address and the Message-ID, once each, in their headers
        return content


# Characters a signed token and a URL's host and path are made of that neither reverse() nor
# HTML escaping changes.
_URL_SAFE = re.compile(r"[A-Za-z0-9_.:~-]+")
MAX_LINK_GROWTH = 400  # a real unsubscribe link is longer than its stand-in by less than this


_SENT_SQL = (
    "UPDATE {delivery} AS d SET status = 'sent', sent_at = now() "
    "WHERE d.id = {pk} AND d.status = 'sending' AND d.attempts = {attempts} "
    "AND EXISTS (SELECT 1 FROM {subscription} s WHERE s.id = d.subscription_id AND s.status = 'confirmed') "
    "AND EXISTS (SELECT 1 FROM {mailing} m WHERE m.id = d.mailing_id AND m.status = 'sending')"
)


def _sent_filter(row: Delivery) -> Q:
    """The row is still this batch's (same claim), its person still subscribed, the mailing
    still sending: _SENT_SQL's conditions."""
    return Q(
        pk=row.pk,
        status=Delivery.Status.SENDING,
        attempts=row.attempts,
        subscription__status=Subscription.Status.CONFIRMED,
        mailing__status=Mailing.Status.SENDING,
    )


def _sent_commit_then(row: Delivery, write) -> tuple[bool, OSError | None]:
    """Mark the row SENT if it is still ours (`_sent_filter`), committed, then call `write`
    (which writes the final "."). Returns (marked, the error `write` raised).

    On PostgreSQL outside a transaction (a worker): BEGIN and the UPDATE in one round trip,
    then COMMIT sent and `write` called before the COMMIT's answer is read, so a worker killed
    while the commit waits for the disk has either not sent the COMMIT (rolled back: the row
    stays SENDING, nothing delivered) or sent both. Elsewhere (SQLite; inside a transaction,
    as in tests) an ordinary transaction, then `write`."""
    connection = connections[Delivery.objects.db]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        with transaction.atomic():
            marked = bool(
                Delivery.objects.filter(_sent_filter(row)).update(status=Delivery.Status.SENT, sent_at=timezone.now())
            )
        return marked, _written(write) if marked else None
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    quote = connection.ops.quote_name
    update = _SENT_SQL.format(
        delivery=quote(Delivery._meta.db_table),
        subscription=quote(Subscription._meta.db_table),
        mailing=quote(Mailing._meta.db_table),
        pk=int(row.pk),
        attempts=int(row.attempts),
    )
    with connection.connection.lock:
        results = _raw(pgconn, f"BEGIN; {update}".encode())
        if results[-1].command_tuples != 1:
            _raw(pgconn, b"ROLLBACK")
            return False, None
        pgconn.send_query(b"COMMIT")
        _flush(pgconn)
        write_error = _written(write)
        _raw_results(pgconn)
    return True, write_error


def _written(write) -> OSError | None:
    try:
        write()
    except OSError as error:
        return error
    return None


def _flush(pgconn) -> None:
    """Everything sent to the server (psycopg's connections are non-blocking)."""
    while pgconn.flush():
        select.select([], [pgconn.socket], [], 5)


def _raw(pgconn, sql: bytes) -> list:
    pgconn.send_query(sql)
    _flush(pgconn)
    return _raw_results(pgconn)


def _raw_results(pgconn) -> list:
    results = []
    while (result := pgconn.get_result()) is not None:
        results.append(result)
    for result in results:
        if result.status not in (psycopg.pq.ExecStatus.COMMAND_OK, psycopg.pq.ExecStatus.TUPLES_OK):
            message = (result.error_message or b"").decode(errors="replace")
            if pgconn.status != psycopg.pq.ConnStatus.OK:
                raise OperationalError(message)
            if pgconn.transaction_status == psycopg.pq.TransactionStatus.INERROR:
                pgconn.send_query(b"ROLLBACK")
                _flush(pgconn)
                while pgconn.get_result() is not None:
                    pass
            raise DatabaseError(message)
    if not results and pgconn.status != psycopg.pq.ConnStatus.OK:
        raise OperationalError("connection lost")
    return results


def _not_marked(row: Delivery) -> str | None:
    """The SENT update found the row changed under it: why? Unsubscribed -> SKIPPED; mailing
    paused or cancelled -> stop the batch (the rest are released); else another batch has it."""
    state = (
        Delivery.objects.filter(pk=row.pk)
        .values("status", "attempts", "subscription__status", "mailing__status")
        .first()
    )
    if state is None or state["status"] != Delivery.Status.SENDING or state["attempts"] != row.attempts:
        return None
    if state["mailing__status"] != Mailing.Status.SENDING:
        claims_release([row], row.claimed_at)
        raise BatchStop("never")
    return _close_row(row, Delivery.Status.SKIPPED, "")


def _close_row(row: Delivery, status: str, error: str) -> str | None:
    changed = Delivery.objects.filter(pk=row.pk, status=Delivery.Status.SENDING, attempts=row.attempts).update(
        status=status, error=error
    )
    return status if changed else None


def _reopen(row: Delivery) -> None:
    """SENT -> QUEUED: the "." of a row just marked SENT could not be written."""
    Delivery.objects.filter(pk=row.pk, status=Delivery.Status.SENT, attempts=row.attempts).update(
        status=Delivery.Status.QUEUED, sent_at=None
    )


def _refused(row: Delivery, refusal: Refused, *, from_status: str) -> str | None:
    """A refusal: temporary ones go back to the queue until MAX_ATTEMPTS, others FAILED."""
    retry = refusal.temporary and row.attempts < MAX_ATTEMPTS
    status = Delivery.Status.QUEUED if retry else Delivery.Status.FAILED
    changed = Delivery.objects.filter(pk=row.pk, status=from_status, attempts=row.attempts).update(
        status=status, error=str(refusal)[:200], sent_at=None
    )
    if not changed:
        return None
    return None if retry else "failed"
