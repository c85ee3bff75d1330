"""A member's erasure, as certificates applies it (the personal-data contract, core/hooks.py).

The member chose: their certificates are revoked, or kept valid with no name. Either way the
printed name is emptied and the stored PDFs (which print it) are deleted, once the erasure
has committed: a storage cannot roll back, so a rolled-back erasure must not leave rows naming
deleted files. Kept: what was certified and when (title, hours, dates, code), so a
verification still answers "valid" or "revoked" without a name.
"""

from django.db import transaction
from django.utils import timezone

from certificates.models import Certificate
from core.personal_data import Member, PersonalData, Rows


def certificates_member_rows(member: Member, found: Rows) -> Rows:
    return {
        Certificate._meta.label: set(
            Certificate.objects.filter(recipient_id=member.user_id).values_list("pk", flat=True)
        )
    }


def certificates_erase_member(member: Member, found: Rows) -> None:
    certificates = Certificate.objects.filter(pk__in=found.get(Certificate._meta.label, ()))
    for certificate in certificates.exclude(pdf=""):
        transaction.on_commit(lambda pdf=certificate.pdf: pdf.storage.delete(pdf.name))
    if member.revoke_certificates:
        certificates.live().update(revoked_at=timezone.now(), revoked_reason="Revoked at the holder's request")
    certificates.update(name_printed="", pdf="", pdf_rendered_at=None)


PERSONAL_DATA = PersonalData(
    personal={"certificates.Certificate": ("name_printed",)},
    not_personal={
        "certificates.Certificate.source_key": "which enrolment or event it was issued for (ids)",
        "certificates.Certificate.kind": "a choice",
        "certificates.Certificate.title": "what was certified (a course or event title)",
        "certificates.Certificate.code": "a random verification code",
        "certificates.Certificate.revoked_reason": "staff's reason for revoking, about the certificate",
        "certificates.Certificate.pdf": "a file name made from the code (emptied at erasure)",
        "certificates.CertificateTemplate": "templates staff design",
        "certificates.Signatory": "the names and roles staff print as signatories, with their agreement",
        "certificates.BulkIssueJob": "what a bulk issue was for, and its status",
    },
    tasks={
        "certificates.tasks.certificate_render": {"certificate_id": "certificates.Certificate"},
        # A batch renders many people's certificates; an erased one renders with no name.
        "certificates.tasks.certificate_render_batch": {},
        "certificates.tasks.certificate_revoked_send": {"certificate_id": "certificates.Certificate"},
        "certificates.tasks.certificate_bulk_issue": {},
    },
    rows=certificates_member_rows,
    erase=certificates_erase_member,
    # Staff who revoked a member's certificate or ran a bulk issue: not in their own export.
    acting_staff=("certificates.Certificate.revoked_by", "certificates.BulkIssueJob.created_by"),
)
