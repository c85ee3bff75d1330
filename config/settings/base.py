"""Settings shared by every environment. Values that differ per machine come from config.env."""

import zoneinfo
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config import env

BASE_DIR = env.BASE_DIR

DEBUG = False
ALLOWED_HOSTS = env.ALLOWED_HOSTS
SITE_URL = env.SITE_URL
WAGTAILADMIN_BASE_URL = env.SITE_URL
WAGTAIL_SITE_NAME = "Thrive"

INSTALLED_APPS = [
    "core",
    "cms",
    "accounts",
    "payments",
    "certificates",
    "training",
    "events",
    "newsletters",
    "voices",
    "fundraising",
    "toolkit",
    "volunteers",
    "taskworker",
    "content_translation",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
]

MIDDLEWARE = [
    # First: every response (cached, refused, redirected) gets its request id and access log line.
    "core.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SiteContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL or control character in the address, or a NUL in a form: 400 before anything queries it.
    "core.middleware.RefuseUnstorableInputMiddleware",
    # Served before sessions and auth are touched, so a cached page costs two cache reads.
    "core.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from the address prefix only (/sq/, /vi/, /ar/; none: English).
    "core.i18n.UrlLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.NoStoreForSignedInMiddleware",
    # The answer that signs someone out clears what the site kept on the device (issue 21).
    "core.middleware.SignOutClearsDeviceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.AdminLoginThrottleMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # A view the file storage failed: a clear message and no 500 page (core/storage_faults.py).
    "core.storage_faults.StorageUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.i18n",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "cms.context_processors.site_settings",
                "payments.context_processors.payments_demo",
            ],
        },
    },
]

# Connections are kept for 60 s and checked before each request reuses one (CONN_HEALTH_CHECKS),
# so a connection the server has closed (a restart, a failover) costs no request an error.
DATABASES = {"default": dj_database_url.parse(env.DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker share the file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# How long a transaction waits for a row lock before it fails (core.locking): a stuck holder
# then costs a waiter an error, not a hung web worker. Set per connection on PostgreSQL (not
# through a transaction-pooling PgBouncer, which drops startup options: set it on the role then).
DATABASE_LOCK_WAIT_SECONDS = 10
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c lock_timeout={DATABASE_LOCK_WAIT_SECONDS}s"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis away must make pages slower, never wrong: core.cache.ForgivingRedisCache treats an
# unreachable Redis as an empty cache, and these timeouts bound what a hung one costs (it is then
# left alone for a second). Publishes are also counted in the database (core.page_cache), checked
# by each process at most every PAGE_CACHE_GENERATION_CHECK_SECONDS and at once after an outage.
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}
PAGE_CACHE_GENERATION_CHECK_SECONDS = 2
if env.REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ForgivingRedisCache",
            "LOCATION": env.REDIS_URL,
            "KEY_PREFIX": "thrive",
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    # A file cache is shared by every process on the machine (web server, task worker),
    # so a purge made by one is seen by all. Several hosts need REDIS_URL. Its add() and incr() take a
    # file lock (core.cache), so allauth's rate limits and cache.add() guards hold under bursts.
    CACHES = {
        "default": {
            "BACKEND": "core.cache.LockingFileBasedCache",
            "LOCATION": str(env.VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
PAGE_CACHE_SECONDS = env.PAGE_CACHE_SECONDS

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
# The admin sends people to allauth's sign-in, which asks for the second factor.
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"  # private pages: allauth's sign-in (verified address, limits)

# django-allauth: email is the login; no usernames anywhere.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Confirming the address in the browser that signed up finishes the sign-in and goes on to where
# the person was going ("Create one" on the volunteering page leads back to its form). allauth
# does this only when that sign-up is in the same session: a confirmation link opened anywhere
# else (a forwarded email, another device) confirms the address and asks for the password.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
# Never reveal whether an address has an account: it could confirm a person is here.
ACCOUNT_PREVENT_ENUMERATION = True
# allauth's emails go through core.email.email_send (discreet mode, our wording): accounts/adapter.py.
# accounts.signin_limits.SignInLimitsAdapter is that adapter with failed passwords limited per address
# and account together (nobody can lock an owner out) and staff told of repeated failures.
ACCOUNT_ADAPTER = "accounts.signin_limits.SignInLimitsAdapter"
# Wrong passwords: 10 a minute from one address, 5 in 5 minutes for one account from one address.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
ACCOUNT_USER_DISPLAY = "accounts.adapter.user_display"
# Security notices (password changed, two-factor on or off, address changed), in our words,
# without the IP address or browser allauth would add.
ACCOUNT_EMAIL_NOTIFICATIONS = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Thrive"

LANGUAGE_CODE = "en-gb"
# The interface languages (issue 16). English is the source and has no URL prefix; the others
# are chosen by the first part of the address (/vi/events/...), never by a cookie or the
# browser's Accept-Language (core.i18n.UrlLanguageMiddleware), so a cached page is one language.
# Albanian and Vietnamese: languages many survivors referred in the UK speak; Arabic: right to left.
LANGUAGES = [
    ("en-gb", "English"),
    ("sq", "Shqip"),
    ("vi", "Tiếng Việt"),
    ("ar", "العربية"),
]
LANGUAGES_BIDI = ["ar"]
# Content translation (issue 16; content_translation/): a locale per interface language, pages
# translated with Wagtail's simple translation, English shown with a note where a page is not
# translated. No synchronised tree: aliases would copy events and courses (their places and
# bookings) into every language (content_translation.policy).
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE = False
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.STATIC_ROOT
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.MEDIA_ROOT
# Without a bucket, the site itself serves public image renditions from MEDIA_ROOT/images/
# (config/urls.py); with one, the bucket does.
SERVE_LOCAL_RENDITIONS = not env.AWS_STORAGE_BUCKET_NAME
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if env.AWS_STORAGE_BUCKET_NAME:
    # Files in S3-compatible object storage, so every app host and worker sees the same ones. The
    # bucket is private (no ACL on objects: the bucket's own policy decides), and every URL the
    # storage hands out is signed and lives 5 minutes, except public image renditions (core/storage.py).
    # Private files (certificate PDFs) are streamed through views that check who asks.
    from botocore.config import Config as _BotoConfig  # botocore is needed only with a bucket

    STORAGES["default"] = {"BACKEND": "core.storage.MediaStorage"}
    AWS_STORAGE_BUCKET_NAME = env.AWS_STORAGE_BUCKET_NAME
    AWS_S3_ENDPOINT_URL = env.AWS_S3_ENDPOINT_URL or None
    AWS_ACCESS_KEY_ID = env.AWS_ACCESS_KEY_ID or None
    AWS_SECRET_ACCESS_KEY = env.AWS_SECRET_ACCESS_KEY or None
    AWS_S3_REGION_NAME = env.AWS_S3_REGION_NAME or None
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    AWS_QUERYSTRING_EXPIRE = 300
    AWS_S3_FILE_OVERWRITE = False
    if env.AWS_S3_CUSTOM_DOMAIN:  # renditions from the CDN; private files still signed by the bucket
        AWS_S3_CUSTOM_DOMAIN = env.AWS_S3_CUSTOM_DOMAIN
    # An unreachable or hung storage costs a request seconds, not minutes (boto3's defaults: 60 s
    # timeouts, 5 tries); a certificate PDF it refuses is rendered again later (certificates.delivery).
    AWS_S3_CLIENT_CONFIG = _BotoConfig(
        connect_timeout=3, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"}
    )

WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "txt", "csv", "xlsx"]
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = True

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# /readyz (core/readiness.py) answers 503 when a task ready to run has waited longer than this.
READY_MAX_TASK_AGE_SECONDS = env.READY_MAX_TASK_AGE_SECONDS

DEFAULT_FROM_EMAIL = env.DEFAULT_FROM_EMAIL
SERVER_EMAIL = env.DEFAULT_FROM_EMAIL
STAFF_NOTIFICATION_EMAIL = env.STAFF_NOTIFICATION_EMAIL
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Security headers that hold everywhere; production adds HSTS and secure cookies.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Public site: our own origin only, no inline script or style, nothing framed.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-src": [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# The Wagtail admin (and Django admin) still carry inline scripts in some widgets (date and
# time choosers, inline panels: wagtailadmin/widgets/*.html) and set inline styles from their
# own scripts, so under the admin prefixes inline code is allowed. Everything must still come
# from our own origin: no outside scripts, styles, images or connections, even for staff.
ADMIN_CSP = SECURE_CSP | {
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
}
ADMIN_PATH_PREFIXES = ("/admin/", "/django-admin/")
if env.AWS_STORAGE_BUCKET_NAME:
    # Pictures come from the bucket (core/storage.py): its origin may serve images, nothing else.
    # S3-compatible endpoints address buckets by path; AWS's own by host name, with or without the region.
    MEDIA_ORIGINS = (
        [urlunsplit(urlsplit(env.AWS_S3_ENDPOINT_URL)._replace(path="", query="", fragment=""))]
        if env.AWS_S3_ENDPOINT_URL
        else [
            f"https://{env.AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com",
            f"https://{env.AWS_STORAGE_BUCKET_NAME}.s3.{env.AWS_S3_REGION_NAME or 'us-east-1'}.amazonaws.com",
        ]
    )
    if env.AWS_S3_CUSTOM_DOMAIN:  # the CDN's origin (a path after the host is not part of it)
        MEDIA_ORIGINS.append("https://" + env.AWS_S3_CUSTOM_DOMAIN.split("/")[0])
    SECURE_CSP["img-src"] = [*SECURE_CSP["img-src"], *MEDIA_ORIGINS]
    ADMIN_CSP["img-src"] = [*ADMIN_CSP["img-src"], *MEDIA_ORIGINS]

# Spam control for public forms: submissions allowed per visitor per window.
# Demo content (manage.py seed_demo) may be loaded; production turns this off.
ALLOW_DEMO_CONTENT = True

# Public forms (core.guard.guard_public_post): posts allowed per visitor per window, per form.
FORM_RATE_LIMIT = 5
FORM_RATE_WINDOW_SECONDS = 600
# Wrong access codes one client may type (any event) within that window before the booking
# page answers 429 (issue 19: codes cannot be guessed by trying; right codes from others work).
ACCESS_CODE_RATE_LIMIT = 10
DONATION_RATE_LIMIT = 10  # tries at the donation form (a declined card is tried again)
CERTIFICATE_CHECK_RATE_LIMIT = 10  # wrong codes, and name checks, at certificate verification
# Rate limits (core.ratelimit and allauth's) key on the visitor's address: behind proxies that append
# to X-Forwarded-For, the address that many entries from the right of it (0: the connecting address).
TRUSTED_PROXY_COUNT = env.TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_PROXY_COUNT = env.TRUSTED_PROXY_COUNT

# Logs (core/logging.py): one JSON object per line with LOG_FORMAT=json (production's default),
# plain lines otherwise; every line carries the request id (X-Request-ID); paths are URL patterns,
# never query strings; anything shaped like an email address is replaced.
LOG_FORMATS = ("json", "plain")
LOG_FORMAT = env.LOG_FORMAT or "plain"
if LOG_FORMAT not in LOG_FORMATS:
    raise ImproperlyConfigured(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "core.logging.RequestContextFilter"}},
    "formatters": {"plain": {"()": "core.logging.PlainFormatter"}, "json": {"()": "core.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_context"]}
    },
    "root": {"handlers": ["console"], "level": env.LOG_LEVEL},
    "loggers": {
        # Request logs carry URLs only; Django's access logging is off under gunicorn by default.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # WeasyPrint narrates every step of every PDF at INFO.
        "weasyprint": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # stripe-python logs every request at INFO; ours log the outcome with ids.
        "stripe": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no requests to gravatar.com from the admin
WAGTAIL_ENABLE_UPDATE_CHECK = False  # the admin must not call releases.wagtail.org
# Wagtail offers every zone Python finds; Debian's tzdata adds "localtime" (a link to the
# host's zone), which browsers refuse: the account page's time zone list then fails in JS.
WAGTAIL_USER_TIME_ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "posixrules", "Factory"})

# Discreet mode: what a member's inbox shows instead of our name and subjects.
DISCREET_SENDER_NAME = "Notifications"
DISCREET_FROM_EMAIL = env.DISCREET_FROM_EMAIL
DISCREET_SUBJECT = "You have a new message"

# Membership: invitations, staff sign-in, retention (see README "Retention").
REFERRAL_INVITATION_DAYS = 14
# After a "no" to an invitation, the public referral form sends that address nothing for this
# long ("If you say no, we will not contact you again": accounts.services.referral_create_public).
REFERRAL_DECLINED_QUIET_DAYS = 365 * 5
# The welcome email's one link (choose a password and sign in) works once, for this long.
WELCOME_LINK_DAYS = 7
RETENTION_ACCESS_NEEDS_DAYS = 365
RETENTION_LAPSED_APPLICATION_DAYS = 90
RETENTION_CLOSED_REFERRAL_DAYS = 90
# Payments: the email of an order never paid; a Gift Aid declaration after its last claim.
RETENTION_UNPAID_ORDER_DAYS = 90
RETENTION_GIFT_AID_DAYS = 6 * 366
# /admin/login/: wrong passwords for one account from one address, and from one address in all.
ADMIN_LOGIN_FAILURE_LIMIT = 5
ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT = 20
ADMIN_LOGIN_FAILURE_WINDOW_SECONDS = 900
# Wrong passwords for one account from every address that make one email to staff (per window).
SIGN_IN_FAILURE_NOTIFY_AT = 5
SIGN_IN_FAILURE_WINDOW_SECONDS = 900
# Training self check-in: code attempts per learner and per session in a window (correct codes are not counted).
CHECK_IN_LEARNER_ATTEMPTS = 5
CHECK_IN_SESSION_ATTEMPTS = 50
CHECK_IN_ATTEMPT_WINDOW_SECONDS = 600
# Staff who may reach the admin without two-factor sign-in: development's demo staff only.
MFA_EXEMPT_EMAILS: list[str] = []

# Payments (payments/gateway.py is the only reader of the Stripe settings).
STRIPE_SECRET_KEY = env.STRIPE_SECRET_KEY
STRIPE_PUBLISHABLE_KEY = env.STRIPE_PUBLISHABLE_KEY
STRIPE_WEBHOOK_SECRET = env.STRIPE_WEBHOOK_SECRET
STRIPE_API_BASE = env.STRIPE_API_BASE.rstrip("/")
# A hung Stripe must not hang the site: see payments/gateway.py ("A hung Stripe ...").
STRIPE_CONNECT_TIMEOUT_SECONDS = env.STRIPE_CONNECT_TIMEOUT_SECONDS
STRIPE_READ_TIMEOUT_SECONDS = env.STRIPE_READ_TIMEOUT_SECONDS
STRIPE_MAX_CONCURRENT_CALLS = env.STRIPE_MAX_CONCURRENT_CALLS
# How long a request waits for one of those slots before saying "payments are unavailable": not at all.
# While Stripe hangs, checkouts waiting here would hold the threads other pages need (20 open checkouts
# made the first public page wait 0.9 s with a 0.05 s wait, on a loaded machine).
STRIPE_CALL_SLOT_WAIT_SECONDS = 0
# Stripe's webhooks (several arrive at once) wait this long for a slot, then are answered 503 (Stripe retries).
STRIPE_WEBHOOK_SLOT_WAIT_SECONDS = 5
STRIPE_BREAKER_FAILURES = env.STRIPE_BREAKER_FAILURES
STRIPE_BREAKER_WINDOW_SECONDS = env.STRIPE_BREAKER_WINDOW_SECONDS
STRIPE_BREAKER_COOLDOWN_SECONDS = env.STRIPE_BREAKER_COOLDOWN_SECONDS
# Webhook signatures older than this are refused (Stripe's own default tolerance).
STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300
# The reconciliation task asks Stripe about payments still open after this many minutes.
PAYMENTS_RECONCILE_AFTER_MINUTES = 10
# How far back reconciliation looks for PaymentIntents of our orders that we never recorded.
PAYMENTS_RECONCILE_LOOKBACK_HOURS = 48
PAYMENTS_DEFAULT_CURRENCY = "GBP"
# Donations: the smallest and largest one-off or monthly amount accepted online, in minor units.
DONATION_MIN_MINOR = 100
DONATION_MAX_MINOR = 1_000_000

# Survivor voices: the largest expense receipt a member may upload (an image or a PDF).
VOICES_RECEIPT_MAX_BYTES = 5 * 1024 * 1024
