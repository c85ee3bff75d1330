"""Issuing, revoking and reissuing certificates, rendering and emailing their PDFs, and bulk
issuing. Other apps call `certificate_issue`; certificates never import them. PDFs and emails
are made by the task of the same name (`certificates.tasks`), queued after the commit."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from certificates.models import Certificate, CertificateTemplate
from core.audit import audit_record
from core.locking import for_update
from core.tasks import enqueue_on_commit


def source_key_for(source: models.Model) -> str:
    return f"{source._meta.label_lower}:{source.pk}"


def printed_name_for(user) -> str:
    """The member's certificate name at issue time (display name if they gave none)."""
    profile = getattr(user, "member_profile", None)
    if profile is not None and profile.erased_at is None:
        return profile.name_for_certificates
    return user.get_full_name() or ""


def default_template() -> CertificateTemplate | None:
    """The template new certificates get: the one marked for course completions, else any."""
    return CertificateTemplate.objects.filter(is_default=True).first() or CertificateTemplate.objects.first()


def _queue_render(certificate: Certificate) -> None:
    from certificates.tasks import certificate_render  # certificates.tasks imports this module

    enqueue_on_commit(certificate_render, certificate_id=certificate.pk)


def certificate_issue(
    *,
    recipient,
    source: models.Model,
    title: str,
    awarded_on: date,
    hours: Decimal,
    actor=None,
    kind: str = Certificate.Kind.COURSE,
    template: CertificateTemplate | None = None,
    queue_render: bool = True,
) -> Certificate:
    """Issue the certificate for `recipient` for `source` (an enrolment, a registration).

    Idempotent: one live certificate per recipient and source, also under concurrent calls
    (a unique constraint decides; the loser returns the winner's certificate). Title, date,
    hours and the printed name are copied now. The PDF is rendered and emailed by a task.
    A bulk issue passes the `template` it read once (else `default_template()`), and with
    `queue_render=False` queues the renders of the certificates it made itself, several to a
    task (certificates.delivery.certificate_bulk_issue)."""
    key = source_key_for(source)
    live = Certificate.objects.live().filter(recipient=recipient, source_key=key)
    existing = live.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                recipient=recipient,
                source_key=key,
                kind=kind,
                title=title,
                awarded_on=awarded_on,
                hours=hours,
                template=template or default_template(),
                name_printed=printed_name_for(recipient),
            )
    except IntegrityError:
        return live.get()
    audit_record(actor=actor, action="certificate.issued", obj=certificate, source=key)
    if queue_render:
        _queue_render(certificate)
    return certificate


def _queue_revoked_email(certificate: Certificate) -> None:
    from certificates.tasks import certificate_revoked_send  # certificates.tasks imports this module

    enqueue_on_commit(certificate_revoked_send, certificate_id=certificate.pk)


REASON_MAX_LENGTH = Certificate._meta.get_field("revoked_reason").max_length
REASON_REQUIRED = "Say why, in a few words: the holder is told, and it is kept with the certificate."


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(REASON_REQUIRED)
    return reason[:REASON_MAX_LENGTH]


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor, reason: str, notify_holder: bool = True) -> Certificate:
    """Revoke: the verification page then says revoked, with the date. The reason (required)
    is kept on the certificate with who revoked it and when; the audit log records the act.
    Unless `notify_holder` is False, the holder is emailed after the commit (discreet mode
    applies). Refuses a certificate that is no longer live."""
    reason = _reason(reason)
    certificate = for_update(Certificate.objects.filter(pk=certificate.pk)).get()
    if certificate.revoked_at or certificate.replaced_by_id:
        raise ValidationError("This certificate is no longer live.")
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason
    certificate.revoked_by = actor if actor is not None and actor.is_authenticated else None
    certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    audit_record(actor=actor, action="certificate.revoked", obj=certificate)
    if notify_holder:
        _queue_revoked_email(certificate)
    return certificate


@transaction.atomic
def certificate_reissue(*, certificate: Certificate, actor, reason: str = "Reissued") -> Certificate:
    """A new certificate (new code, new PDF, the member's current certificate name) for the
    same achievement; the old one reads 'replaced' and keeps the reason and who replaced it.
    The new PDF is emailed to the holder by the render task, saying what it replaces and why."""
    reason = _reason(reason)
    old = for_update(Certificate.objects.filter(pk=certificate.pk)).get()
    if old.revoked_at or old.replaced_by_id:
        raise ValidationError("Only a live certificate can be reissued.")
    new = Certificate(
        recipient=old.recipient,
        source_key=old.source_key,
        kind=old.kind,
        title=old.title,
        awarded_on=old.awarded_on,
        hours=old.hours,
        template=old.template,
        name_printed=printed_name_for(old.recipient),
    )
    # The old row stops being live first, so the new one satisfies the unique constraint.
    Certificate.objects.filter(pk=old.pk).update(revoked_at=timezone.now(), revoked_reason="Replaced")
    new.save()
    Certificate.objects.filter(pk=old.pk).update(
        replaced_by=new,
        revoked_at=None,
        revoked_reason=reason,
        revoked_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(actor=actor, action="certificate.reissued", obj=new, replaces=old.pk)
    _queue_render(new)
    return new
