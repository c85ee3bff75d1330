"""Single-purpose links (referral invitations, application status). The link carries a random
token; only its SHA-256 is stored, so a copy of the database cannot be used to answer."""

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
