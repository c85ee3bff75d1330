"""The one place that reads the process environment.

Every setting that can change between machines is read here, with its default,
so `.env.example` and the README can list them all from one file.
"""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("THRIVE_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def development_secret_key() -> str:
    """Return SECRET_KEY from the environment, or one generated once into var/.

    Only development and test settings call this; production settings insist
    on SECRET_KEY being set.
    """
    from_env = env_str("SECRET_KEY")
    if from_env:
        return from_env
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'thrive.sqlite3'}")
REDIS_URL = env_str("REDIS_URL")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Thrive <hello@thrive.example>")
# The address discreet emails come from (shown as "Notifications"). Empty: the address of
# DEFAULT_FROM_EMAIL. Set it to a mailbox on a domain that does not name the network.
DISCREET_FROM_EMAIL = env_str("DISCREET_FROM_EMAIL", "")
STAFF_NOTIFICATION_EMAIL = env_str("STAFF_NOTIFICATION_EMAIL", "staff@thrive.example")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
# "json" (one JSON object per line, with the request id: production's default) or "plain"
# (`make run` and tests' default). Empty: the settings module's default.
LOG_FORMAT = env_str("LOG_FORMAT").lower()
# /readyz answers 503 when the oldest task waiting in the queue has waited longer than this (the
# workers are stuck, dead or too few): the load balancer then stops sending that host visitors.
READY_MAX_TASK_AGE_SECONDS = env_int("READY_MAX_TASK_AGE_SECONDS", 600)
# How many proxies in front of the site append to X-Forwarded-For (HAProxy: 1). Rate limits read the
# visitor's address that many entries from the right of the header; with 0 the header is ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Stripe. The defaults point at localstripe (started by `make run`): no real money moves.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "sk_test_thrive_localstripe")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY", "pk_test_thrive_localstripe")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "whsec_thrive_localstripe")
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "http://127.0.0.1:8420")
# A hung Stripe must not hang the site (payments/gateway.py): timeouts of each call, Stripe calls in
# flight per process (keep it below the request threads per process), and the circuit breaker.
STRIPE_CONNECT_TIMEOUT_SECONDS = env_int("STRIPE_CONNECT_TIMEOUT_SECONDS", 3)
STRIPE_READ_TIMEOUT_SECONDS = env_int("STRIPE_READ_TIMEOUT_SECONDS", 10)
STRIPE_MAX_CONCURRENT_CALLS = env_int("STRIPE_MAX_CONCURRENT_CALLS", 2)
STRIPE_BREAKER_FAILURES = env_int("STRIPE_BREAKER_FAILURES", 3)
STRIPE_BREAKER_WINDOW_SECONDS = env_int("STRIPE_BREAKER_WINDOW_SECONDS", 60)
STRIPE_BREAKER_COOLDOWN_SECONDS = env_int("STRIPE_BREAKER_COOLDOWN_SECONDS", 30)
# S3-compatible object storage for uploaded and generated files (django-storages). Empty bucket:
# files stay on the local disk in MEDIA_ROOT (`make run`). Keys may also come from boto3's own
# sources (instance role) when left empty.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL")
AWS_ACCESS_KEY_ID = env_str("AWS_ACCESS_KEY_ID")
AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY")
AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME")
# A CDN (or any host name) in front of the bucket, e.g. media.thrive.example: public image renditions
# are served from https://<it>/images/...; private files stay signed URLs of the bucket. Empty: none.
AWS_S3_CUSTOM_DOMAIN = env_str("AWS_S3_CUSTOM_DOMAIN")
