from django.db import models

from core.models import AuditEvent


def audit_record(*, actor, action: str, obj: models.Model, **details) -> AuditEvent:
    """Log one action. `details` must hold ids and choices only, never names or free text."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        details=details,
    )
