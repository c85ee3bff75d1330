from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from accounts.signals import member_erased
from certificates.models import Certificate


@receiver(member_erased)
def certificates_after_erasure(sender, user_id: int, revoke_certificates: bool, **kwargs):
    """The member chose: revoke their certificates, or keep them valid with no name. Either
    way the stored PDFs (which print the name) are deleted, once the erasure has committed: a
    storage cannot roll back, so a rolled-back erasure must not leave rows naming deleted files."""
    certificates = Certificate.objects.filter(recipient_id=user_id)
    for certificate in certificates.exclude(pdf=""):
        transaction.on_commit(lambda pdf=certificate.pdf: pdf.storage.delete(pdf.name))
    if revoke_certificates:
        certificates.live().update(revoked_at=timezone.now(), revoked_reason="Revoked at the holder's request")
    certificates.update(name_printed="", pdf="", pdf_rendered_at=None)
