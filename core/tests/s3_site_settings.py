"""Settings of the Thrive processes that the S3 tests start (backup and restore, the browser test of
pictures from the bucket): development's, files in the bucket when AWS_STORAGE_BUCKET_NAME is set
(as base.py decides), and static files straight from the source folders (no collectstatic), as
config.settings.e2e does. e2e itself cannot be used: it keeps files on the local disk."""

from config.settings.dev import *  # noqa: F403
from config.settings.dev import STORAGES

STORAGES = STORAGES | {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
