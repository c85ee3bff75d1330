"""Production refuses the demo secrets published in this repository (issue 13, item 15).

The repository carries demo values so `make run` and the tests work out of the box: the Stripe
keys and webhook secret of localstripe (config/env.py), placeholders (.env.example), the test
and benchmark SECRET_KEYs, and STRIPE_API_BASE pointing at localstripe on this machine. Anyone
can read them, so a site running on them can be forged (signed webhooks, cookies, password
reset links). Under production settings (`REFUSE_PUBLISHED_SECRETS = True`):

- these system checks are errors on every `manage.py` command that runs checks (`check`,
  `check --deploy`, `migrate`), so `make check-deploy` and a deploy's migrate fail;
- config/wsgi.py runs them when the web server loads the site and refuses to start.

Shapes, not a list: a Stripe key is `sk_live_` (or `rk_live_`, `pk_live_`) and letters and
digits only, a webhook secret `whsec_` and letters and digits only; every demo value in the
repository has an underscore or dots after the prefix. Test-mode keys (`sk_test_...` of the
right shape) are a warning: no real money would move.
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from core.hooks import SECRETS_CHECK_TAG

STRIPE_KEY = re.compile(r"(?P<kind>sk|rk|pk)_(?P<mode>live|test)_[A-Za-z0-9]{20,}")
WEBHOOK_SECRET = re.compile(r"whsec_[A-Za-z0-9]{20,}")
# What the SECRET_KEYs written in this repository (test settings, test servers, benchmarks) contain.
PUBLISHED_KEY_MARKERS = ("secret-key", "secret_key", "0123456789", "abcdefghij", "django-insecure", "changeme")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0", "localstripe")  # noqa: S104 (names compared)


def _stripe_key_problems(name: str, value: str, kinds: tuple[str, ...]) -> list[checks.CheckMessage]:
    match = STRIPE_KEY.fullmatch(value)
    if match is None or match["kind"] not in kinds:
        return [
            checks.Error(
                f"{name} is not a Stripe key: it is empty, a demo value published in this repository "
                "or a placeholder.",
                hint=f"Set {name} to the {kinds[0]}_live_... key from Stripe's dashboard.",
                id="thrive.E102",
            )
        ]
    if match["mode"] == "test":
        return [
            checks.Warning(
                f"{name} is a Stripe test-mode key: no real money will move.",
                hint="Use the live key in production.",
                id="thrive.W103",
            )
        ]
    return []


def published_secret_problems() -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    secret_key = settings.SECRET_KEY.lower()
    if any(marker in secret_key for marker in PUBLISHED_KEY_MARKERS):
        problems.append(
            checks.Error(
                "SECRET_KEY is a demo or test key published in this repository.",
                hint='Generate one: python -c "import secrets; print(secrets.token_urlsafe(60))"',
                id="thrive.E101",
            )
        )
    problems += _stripe_key_problems("STRIPE_SECRET_KEY", settings.STRIPE_SECRET_KEY, ("sk", "rk"))
    problems += _stripe_key_problems("STRIPE_PUBLISHABLE_KEY", settings.STRIPE_PUBLISHABLE_KEY, ("pk",))
    if not WEBHOOK_SECRET.fullmatch(settings.STRIPE_WEBHOOK_SECRET):
        problems.append(
            checks.Error(
                "STRIPE_WEBHOOK_SECRET is not a Stripe signing secret: it is empty, a demo value "
                "published in this repository or a placeholder, so anyone could sign webhooks.",
                hint="Set it to the endpoint's signing secret (whsec_...) from Stripe's dashboard.",
                id="thrive.E104",
            )
        )
    api = urlsplit(settings.STRIPE_API_BASE)
    if api.scheme != "https" or (api.hostname or "") in LOOPBACK_HOSTS or "localstripe" in (api.hostname or ""):
        problems.append(
            checks.Error(
                f"STRIPE_API_BASE points at {settings.STRIPE_API_BASE}, a local Stripe stand-in, not Stripe.",
                hint="Set STRIPE_API_BASE=https://api.stripe.com (or leave the variable out in production).",
                id="thrive.E105",
            )
        )
    return problems


@checks.register(SECRETS_CHECK_TAG)
def check_published_secrets(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Production settings only (REFUSE_PUBLISHED_SECRETS); not tagged deploy, so every
    command that runs the system checks refuses them, not only `check --deploy`."""
    if not getattr(settings, "REFUSE_PUBLISHED_SECRETS", False):
        return []
    return published_secret_problems()


def refuse_to_start_with_published_secrets() -> None:
    """For the web server's entry point: raise ImproperlyConfigured (the server does not
    start) when production settings carry a published secret."""
    if not getattr(settings, "REFUSE_PUBLISHED_SECRETS", False):
        return
    errors = [problem for problem in published_secret_problems() if problem.is_serious()]
    if errors:
        raise ImproperlyConfigured("; ".join(f"{error.id}: {error.msg}" for error in errors))
