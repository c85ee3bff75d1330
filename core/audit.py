from django.db import models

from core.models import AuditEvent


def _event(actor, action: str, obj: models.Model, details: dict) -> AuditEvent:
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        details=details,
    )


def audit_record(*, actor, action: str, obj: models.Model, **details) -> AuditEvent:
    """Log one action. `details` must hold ids and choices only, never names or free text."""
    event = _event(actor, action, obj, details)
    event.save()
    return event


def audit_record_each(*, actor, action: str, objs, **details) -> None:
    """Log the same action on each of `objs` (one INSERT however many), e.g. every donation
    in a Gift Aid claim."""
    AuditEvent.objects.bulk_create([_event(actor, action, obj, details) for obj in objs])
