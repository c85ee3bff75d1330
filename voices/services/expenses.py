"""Members' expense claims, with their receipts.

A receipt is an image (JPEG, PNG) or a PDF, no larger than VOICES_RECEIPT_MAX_BYTES, whose
content matches its extension (magic bytes; images are also opened and verified by Pillow, so
a PNG renamed .pdf, a text file renamed .pdf or a broken image are all refused). It is stored
under private/voices/receipts/ in the default storage, which never serves that prefix publicly:
the member and Finance read it through `views_member.expense_receipt`.

Every refusal is a ValidationError naming the field, raised before anything is written: no row
and no file. If the row cannot be written after the file was, the file is deleted again.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.audit import audit_record
from voices.models import Engagement, ExpenseClaim

DEFAULT_MAX_BYTES = 5 * 1024 * 1024

# extension -> (content type recorded at upload, Pillow's format name or None for a PDF)
RECEIPT_TYPES = {
    "pdf": ("application/pdf", None),
    "png": ("image/png", "PNG"),
    "jpg": ("image/jpeg", "JPEG"),
    "jpeg": ("image/jpeg", "JPEG"),
}
MAGIC = {
    "application/pdf": b"%PDF-",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
}
CLAIMABLE = (Engagement.Status.CONFIRMED, Engagement.Status.COMPLETED)


def receipt_max_bytes() -> int:
    return getattr(settings, "VOICES_RECEIPT_MAX_BYTES", DEFAULT_MAX_BYTES)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def _image_is_sound(receipt, expected_format: str) -> bool:
    """Pillow opens the file, finds the format the extension promises, and verifies it."""
    from PIL import Image  # noqa: PLC0415 - only receipts need Pillow here

    receipt.seek(0)
    try:
        with Image.open(receipt) as image:
            if image.format != expected_format:
                return False
            image.verify()
    except Exception:  # noqa: BLE001 - whatever Pillow cannot read is not a receipt we take
        return False
    finally:
        receipt.seek(0)
    return True


def receipt_check(receipt) -> str:
    """The content type of an acceptable receipt; a ValidationError on the "receipt" field
    saying what is wrong and what to do otherwise. Reads the upload; writes nothing."""
    if receipt is None:
        raise ValidationError({"receipt": _("Choose the photo or PDF of your receipt.")}, code="required")
    name = getattr(receipt, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in RECEIPT_TYPES:
        raise ValidationError(
            {"receipt": _("Upload a photo (JPEG or PNG) or a PDF of your receipt. Other kinds of file are not taken.")},
            code="type",
        )
    limit = receipt_max_bytes()
    if receipt.size is None or receipt.size > limit:
        raise ValidationError(
            {
                "receipt": ngettext(
                    "This file is too large: the limit is %(size)s megabyte. Take a smaller photo or scan.",
                    "This file is too large: the limit is %(size)s megabytes. Take a smaller photo or scan.",
                    round(limit / (1024 * 1024)),
                )
                % {"size": _megabytes(limit)}
            },
            code="size",
        )
    if receipt.size == 0:
        raise ValidationError({"receipt": _("This file is empty. Choose the photo or PDF again.")}, code="empty")
    content_type, image_format = RECEIPT_TYPES[extension]
    receipt.seek(0)
    head = receipt.read(16)
    receipt.seek(0)
    mismatch = ValidationError(
        {
            "receipt": _(
                "This file’s content does not match its name (.%(extension)s). Upload the photo or PDF "
                "exactly as your phone or scanner saved it."
            )
            % {"extension": extension}
        },
        code="mismatch",
    )
    if not head.startswith(MAGIC[content_type]):
        raise mismatch
    if image_format and not _image_is_sound(receipt, image_format):
        raise mismatch
    return content_type


def expense_claim_submit(
    *, member, engagement: Engagement, description: str, amount_minor: int | None, receipt
) -> ExpenseClaim:
    """Record an expense the member paid for their engagement, in the engagement's currency,
    with its receipt stored privately. Refuses (ValidationError, nothing stored) someone else's
    engagement, an engagement not confirmed or completed, a request whose expenses are not
    covered, an empty description or amount, and a receipt `receipt_check` refuses. Sends no
    email; moves no money (Finance approves and pays)."""
    description = (description or "").strip()
    with transaction.atomic():
        engagement = (
            Engagement.objects.select_for_update(of=("self",))
            .select_related("opportunity__request")
            .get(pk=engagement.pk)
        )
        if engagement.member_id != member.pk:
            raise ValidationError(_("This is not your engagement."), code="not_yours")
        if engagement.status not in CLAIMABLE:
            raise ValidationError(
                _("Expenses can be claimed once you have confirmed the engagement."), code="not_confirmed"
            )
        if not engagement.opportunity.request.expenses_covered:
            raise ValidationError(
                _("The organisation does not cover expenses for this engagement, so there is nothing to claim."),
                code="not_covered",
            )
        errors = {}
        if not description:
            errors["description"] = [_("Say what the expense was for, such as “train ticket”.")]
        if amount_minor is None or amount_minor <= 0:
            errors["amount_minor"] = [_("Type the amount on the receipt, such as 15 or 15.50.")]
        try:
            content_type = receipt_check(receipt)
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        claim = ExpenseClaim(
            engagement=engagement,
            description=description[:200],
            amount_minor=amount_minor,
            currency=engagement.currency,
            receipt_type=content_type,
        )
        try:
            claim.receipt.save(receipt.name, receipt, save=False)
            claim.save()
            audit_record(actor=member, action="voices.expense_submitted", obj=claim)
        except BaseException:
            if claim.receipt.name:
                claim.receipt.storage.delete(claim.receipt.name)
            raise
    return claim
