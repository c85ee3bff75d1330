"""Fast, self-contained settings for pytest. DATABASE_URL picks PostgreSQL when set."""

from .base import *  # noqa: F403
from .base import CACHES

SECRET_KEY = "test-only-secret-key-not-for-any-real-site-0123456789abcdefghij"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CACHES = CACHES | {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "thrive-test"}}
# The page cache's database check (core.page_cache) off: tests that count queries stay exact. The
# tests of that check turn it on.
PAGE_CACHE_GENERATION_CHECK_SECONDS = None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
