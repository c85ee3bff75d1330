"""Settings of the real task worker in the newsletter crash test (test_sending_crash.py):
the fault tests' worker settings (tasks on the database queue, as in production) with email
through Django's SMTP backend to the test's SMTP server (port in THRIVE_TEST_SMTP_PORT), and
a claim lease of two seconds so that rows left by the killed worker are taken back quickly."""

import os

from config.settings.e2e_worker import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": int(os.environ["THRIVE_TEST_SMTP_PORT"]), "timeout": 10},
    }
}
NEWSLETTER_CLAIM_LEASE_SECONDS = 2
