"""Split-phase sending for newsletters: the message goes to the SMTP server whole except for
the final "." that ends it, the caller records the delivery, then the "." is sent.

Why (newsletters/models.py states the protocol): an SMTP server takes responsibility for a
message only when it receives the line "." that ends DATA (RFC 5321 4.1.1.4); a connection
that drops before it delivers nothing. So the moment a message is sent is one write of three
bytes, and the `Delivery` is marked SENT, committed, just before that write. A worker killed
before the commit leaves the row SENDING and nothing delivered (recovery queues it again); one
killed after the "." has delivered it and recorded it. Sending whole messages with
`sendmail()` and recording afterwards would send again everything between the last commit
and the crash; recording first with a whole `sendmail()` afterwards would lose everything
recorded but not yet sent. What remains is the few microseconds between the commit and the
write of "." (services/sending.py sends the COMMIT and the "." back to back).

The connection is the default mailer's (settings.MAILERS["default"]: host, port, TLS, login),
opened by Django's SMTP backend and then driven command by command, one connection per batch.
The message is the one Django builds (`EmailMessage.message()`, SMTP policy). Any other
backend (locmem in tests, files in the browser tests, the console in development) cannot be
split: there `finish()` hands the whole message to it, after the caller's commit.
"""

import email.policy
import re
import smtplib
import socket

from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

# Headers folded only past RFC 5322's 998 characters: at the default 78, Python re-encodes a header
# it cannot fold (the one-click List-Unsubscribe URL has no space) as "=?utf-8?q?=3Chttps...",
# which RFC 2369 and 8058 do not allow and mailbox providers would not read as a link.
WIRE_POLICY = email.policy.SMTP.clone(max_line_length=998)


class Refused(Exception):
    """The server refused the message (at MAIL, RCPT or DATA, or after the final "."). `code`
    is the reply code (4xx: try again later; 5xx: never), `status` the enhanced status code
    ("5.1.1") when the server gave one: never the server's text, which may quote the address."""

    def __init__(self, code: int, status: str = ""):
        super().__init__(code, status)
        self.code = code
        self.status = status

    @property
    def temporary(self) -> bool:
        return 400 <= self.code < 500

    def __str__(self) -> str:
        return f"{self.code} {self.status}".strip()


_ENHANCED_STATUS = re.compile(rb"^\s*([245]\.\d{1,3}\.\d{1,3})\b")
_LINE_ENDS = re.compile(rb"\r\n|\r|\n")
_LEADING_DOT = re.compile(rb"(?m)^\.")


def _refused(code: int, reply: bytes) -> Refused:
    match = _ENHANCED_STATUS.match(reply or b"")
    return Refused(code, match.group(1).decode() if match else "")


def data_lines(message: bytes) -> bytes:
    """The message as DATA content: CRLF line ends, a leading "." doubled (RFC 5321 4.5.2),
    ending with CRLF, without the final "." line."""
    content = _LEADING_DOT.sub(b"..", _LINE_ENDS.sub(b"\r\n", message))
    return content if content.endswith(b"\r\n") else content + b"\r\n"


class SplitSender:
    """One connection to the default mailer for a batch. Per message: `begin(message)` (raises
    `Refused`, or OSError/SMTPException when the connection fails: nothing was delivered), then
    `finish()` (sends the final "."; returns nothing, raises `Refused` if the server refuses it)
    or `abandon()` (drops the connection: the server discards the message; the next `begin`
    connects again). `close()` at the end."""

    def __init__(self):
        self.backend = mailers.default
        self.split = isinstance(self.backend, SMTPBackend)
        self._pending: EmailMessage | None = None
        self._in_data = False  # between the 354 and the final ".": only dropping ends it

    @property
    def _smtp(self) -> smtplib.SMTP:
        if self.backend.connection is None:
            self.backend.open()
            # The final "." is a small write after a large one that the server does not answer:
            # with Nagle's algorithm it waits for the content's acknowledgement, which the
            # server delays (40 ms on Linux), for every message.
            sock = self.backend.connection.sock
            if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.backend.connection

    def begin(self, message: EmailMessage) -> None:
        if not self.split:
            self._pending = message
            return
        smtp = self._smtp
        sender = self.backend.prep_address(message.from_email)
        recipients = [self.backend.prep_address(address) for address in message.recipients()]
        # `wire`: the DATA bytes made already (services/delivering.py's Composer).
        content = getattr(message, "wire", None) or data_lines(message.message(policy=WIRE_POLICY).as_bytes())
        smtp.ehlo_or_helo_if_needed()
        code, reply = smtp.mail(sender)
        if code != 250:
            self._reset()
            raise _refused(code, reply)
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                self._reset()
                raise _refused(code, reply)
        smtp.putcmd("data")
        code, reply = smtp.getreply()
        if code != 354:
            self._reset()
            raise _refused(code, reply)
        self._in_data = True
        smtp.send(content)

    def finish_write(self) -> None:
        """Write the final "." (the message is the server's from here on); its reply is read by
        `finish_reply()`. Split in two so the caller can write the "." between sending its
        commit and reading the commit's answer."""
        if self.split:
            self._in_data = False
            self._smtp.send(b".\r\n")

    def finish_reply(self) -> None:
        """The server's answer to the final "." (raises `Refused`); for other backends, the
        whole message handed to them now."""
        if not self.split:
            message, self._pending = self._pending, None
            self.backend.send_messages([message])
            return
        code, reply = self._smtp.getreply()
        if code != 250:
            raise _refused(code, reply)

    def finish(self) -> None:
        self.finish_write()
        self.finish_reply()

    def abandon(self) -> None:
        """Give up the message begun: mid-DATA the only way is to drop the connection (no
        final "." was sent, so the server delivers nothing)."""
        self._pending = None
        self._in_data = False
        if self.split:
            connection, self.backend.connection = self.backend.connection, None
            if connection is not None:
                connection.close()

    def _reset(self) -> None:
        try:
            self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.abandon()

    def close(self) -> None:
        """QUIT and close; mid-DATA (a batch ended by an error) the connection is dropped
        instead: a QUIT there would be read as part of the message and never answered."""
        if self._in_data:
            self.abandon()
            return
        self._pending = None
        try:
            self.backend.close()
        except (OSError, smtplib.SMTPException):
            self.abandon()
