"""Issuing, revoking and reissuing certificates, rendering and emailing their PDFs, and bulk
issuing. Other apps call `certificate_issue`; certificates never import them. PDFs and emails
are made by the task of the same name (`certificates.tasks`), queued after the commit."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.models import Certificate, CertificateTemplate
from core.audit import audit_record
from core.locking import for_update
from core.models import AuditEvent
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


def _certificate_new(
    *,
    recipient,
    source: models.Model,
    title: str,
    awarded_on: date,
    hours: Decimal,
    kind: str = Certificate.Kind.COURSE,
    template: CertificateTemplate | None,
) -> Certificate:
    """A new, unsaved certificate: title, date, hours and the printed name copied now."""
    return Certificate(
        recipient=recipient,
        source_key=source_key_for(source),
        kind=kind,
        title=title,
        awarded_on=awarded_on,
        hours=hours,
        template=template,
        name_printed=printed_name_for(recipient),
    )


def _issued_record(certificates: list[Certificate], actor) -> None:
    """The audit log's "certificate.issued", one INSERT for all (as core.audit.audit_record
    writes each: ids only, the source key in the details)."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor if actor is not None and actor.is_authenticated else None,
            action="certificate.issued",
            object_type=Certificate._meta.label_lower,
            object_id=str(certificate.pk),
            details={"source": certificate.source_key},
        )
        for certificate in certificates
    )


def certificate_issue(
    *,
    recipient,
    source: models.Model,
    title: str,
    awarded_on: date,
    hours: Decimal,
    actor=None,
    kind: str = Certificate.Kind.COURSE,
) -> Certificate:
    """Issue the certificate for `recipient` for `source` (an enrolment, a registration).

    Idempotent: one live certificate per recipient and source, also under concurrent calls
    (a unique constraint decides; the loser returns the winner's certificate). Title, date,
    hours and the printed name are copied now. The PDF is rendered and emailed by a task."""
    key = source_key_for(source)
    live = Certificate.objects.live().filter(recipient=recipient, source_key=key)
    existing = live.first()
    if existing is not None:
        return existing
    certificate = _certificate_new(
        recipient=recipient,
        source=source,
        title=title,
        awarded_on=awarded_on,
        hours=hours,
        kind=kind,
        template=default_template(),
    )
    try:
        with transaction.atomic():
            certificate.save(force_insert=True)
    except IntegrityError:
        return live.get()
    audit_record(actor=actor, action="certificate.issued", obj=certificate, source=key)
    _queue_render(certificate)
    return certificate


@transaction.atomic
def certificates_issue_many(issues: list[dict], *, actor=None) -> list[Certificate]:
    """`certificate_issue` for each of `issues` (its keyword arguments but `actor`), for a
    bulk issue, in a handful of statements whatever their number (the live ones found, the
    profiles for the printed names, the template, one INSERT for the certificates and one for
    the audit log) where one at a time took seven each. Holders who already have a live
    certificate for the source are skipped. Returns the certificates made, whose renders the
    caller queues (several to a task). A call at the same moment making some of the same
    certificates (the unique constraint refuses this INSERT, once that call has committed)
    sends these back to `certificate_issue` one at a time, which finds them, makes the rest
    and queues their renders itself: then nothing is returned."""
    keys = [source_key_for(issue["source"]) for issue in issues]
    had = set(Certificate.objects.live().filter(source_key__in=keys).values_list("recipient_id", "source_key"))
    prefetch_related_objects([issue["recipient"] for issue in issues], "member_profile")
    template = default_template()
    new = [
        _certificate_new(template=template, **issue)
        for issue, key in zip(issues, keys, strict=True)
        if (issue["recipient"].pk, key) not in had
    ]
    try:
        with transaction.atomic():
            made = Certificate.objects.bulk_create(new)
    except IntegrityError:
        for issue in issues:
            certificate_issue(actor=actor, **issue)
        return []
    _issued_record(made, actor)
    return made


def _queue_revoked_email(certificate: Certificate) -> None:
    from certificates.tasks import certificate_revoked_send  # certificates.tasks imports this module

    enqueue_on_commit(certificate_revoked_send, certificate_id=certificate.pk)


REASON_MAX_LENGTH = Certificate._meta.get_field("revoked_reason").max_length
REASON_REQUIRED = gettext_lazy("Say why, in a few words: the holder is told, and it is kept with the certificate.")


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
        raise ValidationError(_("This certificate is no longer live."))
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
        raise ValidationError(_("Only a live certificate can be reissued."))
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
