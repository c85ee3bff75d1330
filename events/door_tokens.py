"""Signed tickets for the offline door (issue 21).

Each ticket's QR code holds a token the door checks on the device, with no attendee list:

    version (1 byte, 1) | ticket id (4) | event id (4) | ticket type id (4)
    | valid from (2, days since 1970-01-01 UTC) | valid until (2) | code tag (4) | Ed25519 signature (64)

85 bytes, written as base64url without padding (114 characters: a version 7 QR code at
error correction M). The signature covers the 21 bytes before it. The code tag is the first
4 bytes of SHA-256(salt || ticket code): a ticket passed on gets a new code, so its old token's
tag no longer matches the one the door downloaded and it is refused. The ticket type is an id
only (its name never reaches the device).

Keys: one Ed25519 key per event (`DoorKey`), made the first time a ticket of the event is
printed. The private key never leaves the server: it is stored sealed with AES-GCM under a key
derived (HKDF-SHA256) from SECRET_KEY, bound to the event and the public key, so a database
dump alone cannot sign tickets. Changing SECRET_KEY without rotating makes the old keys
unusable (tickets are then re-issued with `door_key_rotate`).
"""

import base64
import hashlib
import os
import struct
from dataclasses import dataclass
from datetime import UTC, date, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, transaction

from core.codes import normalise_code
from events.models import DoorKey

VERSION = 1
BODY = struct.Struct(">BIIIHHI")  # 21 bytes
SIGNATURE_BYTES = 64
TOKEN_BYTES = BODY.size + SIGNATURE_BYTES
EPOCH = date(1970, 1, 1)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sealing_key() -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"thrive events door keys v1").derive(
        settings.SECRET_KEY.encode()
    )


def _associated(event_id: int, public: bytes) -> bytes:
    return b"door-key:%d:" % event_id + public


def _seal(event_id: int, public: bytes, private: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(_sealing_key()).encrypt(nonce, private, _associated(event_id, public))


def _unseal(key: DoorKey) -> Ed25519PrivateKey:
    sealed = bytes(key.private_key_sealed)
    raw = AESGCM(_sealing_key()).decrypt(sealed[:12], sealed[12:], _associated(key.event_id, bytes(key.public_key)))
    return Ed25519PrivateKey.from_private_bytes(raw)


def door_key_new(*, event) -> DoorKey:
    """A new active key for the event (the caller retires the old one first, in its transaction)."""
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return DoorKey.objects.create(
        event=event, public_key=public, private_key_sealed=_seal(event.pk, public, raw), salt=os.urandom(16)
    )


def active_key(event) -> DoorKey:
    """The event's active key, made the first time it is needed (two processes at once make one)."""
    key = DoorKey.objects.filter(event_id=event.pk, retired_at__isnull=True).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return door_key_new(event=event)
    except IntegrityError:
        return DoorKey.objects.get(event_id=event.pk, retired_at__isnull=True)


def code_hash(salt: bytes, code: str) -> bytes:
    """SHA-256(salt || normalised code): what the door holds instead of a code (the device
    hashes a typed code the same way, with WebCrypto)."""
    return hashlib.sha256(bytes(salt) + normalise_code(code).encode("ascii")).digest()


def _day(moment: datetime) -> int:
    return (moment.astimezone(UTC).date() - EPOCH).days


def valid_days(event) -> tuple[int, int]:
    """The days (UTC, since 1970) from the event's first date's start to its last date's end."""
    from events.occurrences import event_occurrences

    occurrences = event_occurrences(event) or []
    starts = min((o.starts_at for o in occurrences), default=event.starts_at)
    ends = max((o.ends_at for o in occurrences), default=event.ends_at or event.starts_at)
    return _day(starts), _day(ends)


def ticket_token(registration, *, key: DoorKey | None = None) -> str:
    """The signed token printed in this ticket's QR code."""
    event = registration.event
    key = key or active_key(event)
    valid_from, valid_until = valid_days(event)
    tag = struct.unpack(">I", code_hash(key.salt, registration.code)[:4])[0]
    body = BODY.pack(VERSION, registration.pk, event.pk, registration.ticket_type_id, valid_from, valid_until, tag)
    return _b64(body + _unseal(key).sign(body))


@dataclass(frozen=True)
class Token:
    ticket_id: int
    event_id: int
    ticket_type_id: int
    valid_from: date
    valid_until: date
    tag: bytes


class TokenRefused(ValueError):
    """A token that is not one of ours: unreadable, for another event, or not signed by the key."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "unreadable" | "other_event" | "signature"


def looks_like_token(text: str) -> bool:
    text = text.strip()
    return len(text) >= 100 and all(ch.isalnum() or ch in "-_" for ch in text)


def token_read(text: str, *, event) -> Token:
    """The ticket a token names, after checking it is for `event` and signed by its active key.
    Raises TokenRefused saying why not."""
    try:
        raw = _unb64(text.strip())
    except ValueError as error:
        raise TokenRefused("unreadable") from error
    if len(raw) != TOKEN_BYTES or raw[0] != VERSION:
        raise TokenRefused("unreadable")
    body, signature = raw[: BODY.size], raw[BODY.size :]
    _version, ticket_id, event_id, type_id, valid_from, valid_until, tag = BODY.unpack(body)
    if event_id != event.pk:
        raise TokenRefused("other_event")
    key = active_key(event)
    try:
        Ed25519PublicKey.from_public_bytes(bytes(key.public_key)).verify(signature, body)
    except InvalidSignature as error:
        raise TokenRefused("signature") from error
    return Token(
        ticket_id=ticket_id,
        event_id=event_id,
        ticket_type_id=type_id,
        valid_from=EPOCH.fromordinal(EPOCH.toordinal() + valid_from),
        valid_until=EPOCH.fromordinal(EPOCH.toordinal() + valid_until),
        tag=struct.pack(">I", tag),
    )


def public_key_text(key: DoorKey) -> str:
    return _b64(bytes(key.public_key))


def salt_text(key: DoorKey) -> str:
    return _b64(bytes(key.salt))
