"""Object storage for uploaded and generated files (S3-compatible, through django-storages), used
when AWS_STORAGE_BUCKET_NAME is set (config/settings/base.py).

The bucket is private and every URL is signed for AWS_QUERYSTRING_EXPIRE seconds (5 minutes), with
one exception: Wagtail's image renditions (`images/`), which public pages show. Those pages sit in
the page cache for PAGE_CACHE_SECONDS (10 minutes), longer than a signed URL lives, so a signed
rendition URL would break the page's pictures half way through; and a URL signed anew on every
render would defeat the browser's cache. Rendition URLs are therefore plain, and the bucket's
policy lets anyone read `images/*` and nothing else (README "Deploying at scale"). Originals
(`original_images/`, which may carry the camera's location in their EXIF data), documents and
certificate PDFs stay private: renditions are re-encoded without that metadata.

With a CDN in front of the bucket (AWS_S3_CUSTOM_DOMAIN), renditions are served from the CDN's
address; private files are still signed URLs of the bucket itself. (django-storages alone would
give every file, private ones included, a plain, unsigned CDN address.)

A file the storage cannot take raises core.storage_faults.StorageUnavailable, which the site turns
into a clear message (core.storage_faults.StorageUnavailableMiddleware).
"""

from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from core.storage_faults import StorageUnavailable

PUBLIC_PREFIXES = ("images/",)
STORAGE_ERRORS = (BotoCoreError, ClientError, Boto3Error)


class MediaStorage(S3Storage):
    """S3Storage whose URLs are signed, except for public image renditions, and whose failures
    to store or open a file are one exception of ours."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        key = self._normalize_name(clean_name(name))
        if clean_name(name).startswith(PUBLIC_PREFIXES) and not parameters and http_method in (None, "GET"):
            if self.custom_domain:  # a CDN in front of the bucket (AWS_S3_CUSTOM_DOMAIN): its address
                return super().url(name)
            return self.unsigned_connection.meta.client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket.name, "Key": key}
            )
        # Private: always a signed URL of the bucket, whether or not a CDN domain is set.
        return self.connection.meta.client.generate_presigned_url(
            "get_object",
            Params={**(parameters or {}), "Bucket": self.bucket.name, "Key": key},
            ExpiresIn=self.querystring_expire if expire is None else expire,
            HttpMethod=http_method,
        )

    def save(self, name, content, max_length=None):
        # Wraps the whole save: with AWS_S3_FILE_OVERWRITE off, finding a free name asks the
        # storage first (HEAD), and that is where an unreachable storage is usually noticed.
        try:
            return super().save(name, content, max_length=max_length)
        except STORAGE_ERRORS as error:
            raise StorageUnavailable(f"the file storage did not store the file: {error}") from error

    def _open(self, name, mode="rb"):
        try:
            return super()._open(name, mode)
        except STORAGE_ERRORS as error:
            raise StorageUnavailable(f"the file storage did not open the file: {error}") from error
