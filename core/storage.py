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
"""

from storages.backends.s3 import S3Storage
from storages.utils import clean_name

PUBLIC_PREFIXES = ("images/",)


class MediaStorage(S3Storage):
    """S3Storage whose URLs are signed, except for public image renditions."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        if clean_name(name).startswith(PUBLIC_PREFIXES) and not parameters and http_method in (None, "GET"):
            if self.custom_domain:  # a CDN in front of the bucket (AWS_S3_CUSTOM_DOMAIN): its address
                return super().url(name)
            key = self._normalize_name(clean_name(name))
            return self.unsigned_connection.meta.client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket.name, "Key": key}
            )
        return super().url(name, parameters=parameters, expire=expire, http_method=http_method)
