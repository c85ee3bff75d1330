"""Issuing certificates. Other apps call `certificate_issue`; certificates never import them.

Not built yet (issue 5): there are no certificate PDFs. Until then `certificate_issue`
records the request in the audit log, so completions are never lost and the certificates
work can issue everything that was requested.
"""

from datetime import date
from decimal import Decimal

from django.db import models

from core.audit import audit_record


def certificate_issue(
    *, recipient, source: models.Model, title: str, awarded_on: date, hours: Decimal, actor=None
) -> None:
    """Ask for a certificate for `recipient` for `source` (an enrolment, a registration).

    Idempotent by (recipient, source) once certificates exist. Today: an audit record
    'certificate.requested' with ids only (title and date are read from `source` later)."""
    audit_record(
        actor=actor,
        action="certificate.requested",
        obj=source,
        recipient=recipient.pk,
        awarded_on=awarded_on.isoformat(),
        hours=str(hours),
    )
    del title  # printed on the certificate; not kept in the audit log
