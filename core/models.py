from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Who did what to which record, and when. Holds ids and action names, never a person's
    details, so it can be kept after the person's data is erased."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.action} {self.object_type}:{self.object_id}"


class RateCounter(models.Model):
    """One rate-limit count (core.ratelimit): a keyed hash of who and what, how many attempts in
    the current window, and when the window ends. Counted by one atomic INSERT ... ON CONFLICT, so
    simultaneous requests from any process or host are all counted. Rows whose window has ended
    are deleted as new attempts come in; they hold no address, only keyed hashes."""

    key = models.CharField(_("key (keyed hash)"), primary_key=True, max_length=200)
    count = models.PositiveIntegerField(_("attempts"), default=0)
    expires_at = models.DateTimeField(_("window ends"), db_index=True)

    class Meta:
        verbose_name = _("rate-limit count")

    def __str__(self):
        return f"{self.key}: {self.count}"


class CacheGeneration(models.Model):
    """How many times everything the page cache holds was retired (core.page_cache): one row per
    name, counted up by every publish and by every retirement the cache could not be told about.
    The cache (Redis) says it first and fastest; this row is the record that survives a cache
    outage, so a page stored before Redis went away is never served again after a publish made
    while it was away."""

    name = models.CharField(_("name"), primary_key=True, max_length=50)
    value = models.BigIntegerField(_("generation"), default=0)

    class Meta:
        verbose_name = _("cache generation")

    def __str__(self):
        return f"{self.name}: {self.value}"
