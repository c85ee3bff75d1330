"""A fundraising page's one photo: checked as a real image and re-encoded.

Refused before anything is written (a ValidationError on the "photo" field): a file larger
than FUNDRAISING_PHOTO_MAX_BYTES, one that Pillow cannot open and verify as a JPEG, PNG or
WebP whatever its name says, and one of more than PHOTO_MAX_PIXELS (a decompression bomb).
Accepted photos are turned upright (EXIF orientation), shrunk to PHOTO_MAX_SIDE and saved
again as a new JPEG without any metadata: no EXIF (camera, time, GPS location), no comments.
"""

from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_MAX_SIDE = 1600
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


def photo_max_bytes() -> int:
    return getattr(settings, "FUNDRAISING_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES)


def photo_clean(upload) -> ContentFile:
    """The photo to store: `upload` checked and re-encoded as a JPEG without metadata."""
    from PIL import Image, ImageOps  # noqa: PLC0415 - only photos need Pillow here

    limit = photo_max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {
                "photo": _("This photo is too large: the limit is %(size)s MB. Choose a smaller one.")
                % {"size": f"{limit / (1024 * 1024):.0f}"}
            },
            code="size",
        )
    not_a_photo = ValidationError(
        {"photo": _("This file is not a photo we can use. Choose a JPEG, PNG or WebP picture.")}, code="type"
    )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format not in ACCEPTED_FORMATS or probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise not_a_photo
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)  # no exif= : none written
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - whatever Pillow cannot read is not a photo we take
        raise not_a_photo from None
    finally:
        upload.seek(0)
    return ContentFile(out.getvalue(), name="photo.jpg")
