"""localstripe for `make run`: payments' answer to core's LOCAL_SERVICES_HOOK (core's
`serve_local` starts what each app needs without importing the app)."""

import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import CommandError
from django.urls import reverse

from core.links import absolute
from payments import gateway


def localstripe_start() -> tuple[str, subprocess.Popen, str] | None:
    """Start localstripe (the local Stripe stand-in) when STRIPE_API_BASE points at this
    machine, wait until it answers, and register the site's webhook with it."""
    api = urlsplit(settings.STRIPE_API_BASE)
    if not gateway.is_demo() or api.hostname not in ("127.0.0.1", "localhost"):
        return None
    executable = str(Path(sys.executable).with_name("localstripe"))
    process = subprocess.Popen([executable, "--port", str(api.port or 8420), "--from-scratch"])  # noqa: S603 (our venv's localstripe)
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(settings.STRIPE_API_BASE + "/js.stripe.com/v3/", timeout=2).close()  # noqa: S310
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise CommandError(
                    f"localstripe did not start on {settings.STRIPE_API_BASE} (is the port in use?)"
                ) from None
            time.sleep(0.2)
    gateway.localstripe_register_webhook(
        url=absolute(reverse("payments:stripe_webhook")),
        secret=settings.STRIPE_WEBHOOK_SECRET,
    )
    note = f"Payments: {settings.STRIPE_API_BASE} (localstripe: demo payments, no real money; card 4242 4242 4242 4242)"
    return "localstripe", process, note
