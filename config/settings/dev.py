"""`make run`: SQLite in var/, console email, a file cache in var/ unless REDIS_URL is set."""

from config import env

from .base import *  # noqa: F403

# Off by default so `make run` shows the real error pages; DEBUG=1 turns it on.
DEBUG = env.env_bool("DEBUG", False)
SECRET_KEY = env.development_secret_key()
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
WHITENOISE_AUTOREFRESH = False
# The demo staff logins of `make run` may open the admin without setting up TOTP.
# Development only (and e2e and bench, which import this): base and production exempt nobody.
MFA_EXEMPT_EMAILS = [
    "staff@thrive.example",
    "membership@thrive.example",
    "trainer@thrive.example",
    "events@thrive.example",
    "finance@thrive.example",
    "editor@thrive.example",
    "us-organiser@thrive.example",
    "communications@thrive.example",
]
