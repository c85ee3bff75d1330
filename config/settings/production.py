"""Production: every secret from the environment, HTTPS only, SMTP email, Redis cache when given."""

from django.core.exceptions import ImproperlyConfigured

from config import env

from .base import *  # noqa: F403

SECRET_KEY = env.env_str("SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters.")
DEBUG = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.SECURE_SSL_REDIRECT
# The load balancer's health checks reach each host over plain HTTP, without X-Forwarded-Proto:
# they must get the answer, not a redirect to https.
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz)$"]
SECURE_HSTS_SECONDS = env.HSTS_SECONDS
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = [env.SITE_URL]

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env.EMAIL_HOST,
            "port": env.EMAIL_PORT,
            "username": env.EMAIL_HOST_USER,
            "password": env.EMAIL_HOST_PASSWORD,
            "use_tls": env.EMAIL_USE_TLS,
            "timeout": 20,
        },
    }
}
ALLOW_DEMO_CONTENT = False
# Logs as JSON lines unless LOG_FORMAT says otherwise (core/logging.py).
LOG_FORMAT = env.LOG_FORMAT or "json"
if LOG_FORMAT not in LOG_FORMATS:  # noqa: F405
    raise ImproperlyConfigured(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}.")  # noqa: F405
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405
# Refuse to start with the demo secrets and Stripe values published in this repository
# (core/deploy_checks.py). Stripe itself unless STRIPE_API_BASE says otherwise.
REFUSE_PUBLISHED_SECRETS = True
STRIPE_API_BASE = env.env_str("STRIPE_API_BASE", "https://api.stripe.com").rstrip("/")
