"""Allocated places: blocks of access codes given to a partner organisation (issue 19).

A block reserves places of one ticket type: each unused code of a block that has not expired
and was not revoked counts as a held place (`events.availability`), so public sales cannot
take them, and they return to sale when the block expires or is revoked, with no job. A code
books one place, once. Codes carry no personal data: the partner sees counts only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.codes import random_code


def new_access_code() -> str:
    return random_code(8)  # 40 bits, XXXX-XXXX: short enough to type from a leaflet


class AccessCodeBlock(models.Model):
    event = models.ForeignKey(
        "events.EventPage", on_delete=models.CASCADE, related_name="access_code_blocks", verbose_name=_("event")
    )
    partner = models.ForeignKey(
        "cms.PartnerOrganisation",
        on_delete=models.PROTECT,
        related_name="access_code_blocks",
        verbose_name=_("partner organisation"),
    )
    ticket_type = models.ForeignKey(
        "events.TicketType", on_delete=models.PROTECT, related_name="access_code_blocks", verbose_name=_("ticket type")
    )
    expires_at = models.DateTimeField(_("codes expire at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("access code block")

    def __str__(self):
        return f"access code block {self.pk}"

    def is_valid_at(self, now) -> bool:
        return self.revoked_at is None and self.expires_at > now


class AccessCode(models.Model):
    block = models.ForeignKey(AccessCodeBlock, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("code"), max_length=16, unique=True, default=new_access_code)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    registration = models.ForeignKey(
        "events.Registration", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        # Counting a block's unused codes (capacity, on every event page and under the lock).
        indexes = [models.Index(fields=["block", "used_at"], name="events_accesscode_block_idx")]

    def __str__(self):
        return f"access code {self.pk}"
