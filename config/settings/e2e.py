"""A real server process for browser tests: like `make run`, but static files come
straight from the source folders (no collectstatic) and tasks run at once."""

from config import env

from .dev import *  # noqa: F403

DEBUG = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# Browser tests read the emails (invitation links) from files.
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(env.VAR_DIR / "mail")},
    }
}
# MFA_EXEMPT_EMAILS: the demo staff logins, as in dev.py (imported above).
