"""A real SMTP server for tests (issue 18, item 5): aiosmtpd's `Controller` on a free port of
this machine, in a thread of the test process, recording every message it accepts: the
envelope (sender, recipients) and the message as received. Tests send to it through Django's
SMTP backend (`mailers()` is the MAILERS setting for it) and count what arrived.

A message counts once the server has answered its final "." with 250: a connection dropped
before that (a worker killed mid-DATA) records nothing, as a real server delivers nothing.
Tests can make it refuse an address at RCPT (`refuse_at_rcpt`) or after the "."
(`refuse_after_data`), and run code of theirs when a recipient is given or a message accepted
(`on_rcpt`, `on_message`: they run in the server's thread)."""

import socket
import threading
from collections import Counter
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    raw: bytes = b""  # the message as it came over the wire (headers not decoded)

    @property
    def recipient(self) -> str:
        return self.rcpt_tos[0]


class _RecordingHandler:
    def __init__(self, server: "SMTPServer"):
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's hook name)
        if self.server.on_rcpt is not None:
            _run_test_code(self.server.on_rcpt, address)
        reply = self.server.refuse_at_rcpt.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        refusals = [self.server.refuse_after_data.get(address.lower()) for address in envelope.rcpt_tos]
        if any(refusals):
            return next(reply for reply in refusals if reply)
        received = Received(
            mail_from=envelope.mail_from,
            rcpt_tos=tuple(address.lower() for address in envelope.rcpt_tos),
            message=message_from_bytes(envelope.original_content or envelope.content, policy=policy.default),
            raw=envelope.original_content or envelope.content,
        )
        with self.server.lock:
            self.server.received.append(received)
        if self.server.on_message is not None:
            _run_test_code(self.server.on_message, received)
        return "250 Message accepted for delivery"


def _run_test_code(callback, argument) -> None:
    """A test's callback, in the server's thread; the database connections it opened there are
    closed after it (one left open would keep the test database from being dropped)."""
    from django.db import connections  # noqa: PLC0415 - only callbacks that touch the database need it

    try:
        callback(argument)
    finally:
        connections.close_all()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    """The running server. `reset()` forgets what earlier tests sent and set."""

    host = "127.0.0.1"

    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.refuse_at_rcpt: dict[str, str] = {}
        self.refuse_after_data: dict[str, str] = {}
        self.on_rcpt = None
        self.on_message = None
        self.port = _free_port()
        self.controller = Controller(_RecordingHandler(self), hostname=self.host, port=self.port)

    def start(self) -> "SMTPServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def reset(self) -> None:
        with self.lock:
            self.received = []
        self.refuse_at_rcpt, self.refuse_after_data = {}, {}
        self.on_rcpt = self.on_message = None

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def copies_per_recipient(self) -> Counter:
        return Counter(address for received in self.messages() for address in received.rcpt_tos)

    def mailers(self) -> dict:
        """settings.MAILERS sending to this server through Django's SMTP backend."""
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": self.host, "port": self.port, "use_tls": False, "timeout": 10},
            }
        }
