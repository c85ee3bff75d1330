"""The offline door (issue 21): each event's signing keys, the devices that scan at its doors,
and every scan they sent back. No names or emails here: a scan is a ticket id, a time and a
device."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DoorKey(models.Model):
    """An event's Ed25519 key for signing the tokens in its tickets' QR codes. One active key
    per event (`retired_at` empty); rotating retires it and makes a new one. The private key
    is stored sealed (AES-GCM under a key derived from SECRET_KEY, `events.door_tokens`), so a
    database dump alone cannot sign tickets."""

    event = models.ForeignKey(
        "events.EventPage", on_delete=models.CASCADE, related_name="door_keys", verbose_name=_("event")
    )
    public_key = models.BinaryField(_("public key"), max_length=32)
    private_key_sealed = models.BinaryField(_("sealed private key"), max_length=128, editable=False)
    # A salt for this key's code tags and hashed codes (what the door downloads): random, not secret.
    salt = models.BinaryField(_("salt"), max_length=16)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["event", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=models.Q(retired_at__isnull=True), name="events_doorkey_one_active"
            )
        ]

    def __str__(self):
        return f"door key {self.pk} of event {self.event_id}"


class DoorDevice(models.Model):
    """A phone or tablet that synced scans for an event: numbered per event ("door 2"), known
    by a random id the device made for itself."""

    event = models.ForeignKey(
        "events.EventPage", on_delete=models.CASCADE, related_name="door_devices", verbose_name=_("event")
    )
    device_id = models.CharField(_("device id"), max_length=64)
    number = models.PositiveIntegerField(_("door number"))
    created_at = models.DateTimeField(_("first synced"), auto_now_add=True)

    class Meta:
        ordering = ["event", "number"]
        constraints = [
            models.UniqueConstraint(fields=["event", "device_id"], name="events_doordevice_unique_device"),
            models.UniqueConstraint(fields=["event", "number"], name="events_doordevice_unique_number"),
        ]

    def __str__(self):
        return f"door {self.number} of event {self.event_id}"


class DoorScan(models.Model):
    """One scan a device made offline and sent later. `scan_id` is the device's own random id
    for the scan, so sending the same batch twice records it once."""

    class Outcome(models.TextChoices):
        CHECKED_IN = "checked_in", _("Checked in")
        DUPLICATE = "duplicate", _("Already in")
        REFUSED = "refused", _("Refused")

    event = models.ForeignKey(
        "events.EventPage", on_delete=models.CASCADE, related_name="door_scans", verbose_name=_("event")
    )
    scan_id = models.CharField(_("scan id"), max_length=64, unique=True)
    device = models.ForeignKey(DoorDevice, on_delete=models.CASCADE, related_name="scans", verbose_name=_("door"))
    registration = models.ForeignKey(
        "events.Registration",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="door_scans",
        verbose_name=_("ticket"),
    )
    ticket_id = models.PositiveBigIntegerField(_("ticket id sent"))
    scanned_at = models.DateTimeField(_("scanned"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    synced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    # For a duplicate: the scan that counted (None when the ticket was checked in online).
    first = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("first scan")
    )

    class Meta:
        ordering = ["-scanned_at", "-pk"]
        indexes = [models.Index(fields=["event", "outcome", "scanned_at"], name="events_doorscan_event_idx")]

    def __str__(self):
        return f"door scan {self.scan_id}"
