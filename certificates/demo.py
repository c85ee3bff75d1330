from certificates.models import CertificateTemplate, Signatory


def seed_certificate_template(*, password: str) -> None:
    """One default template with a signatory (idempotent)."""
    del password
    if CertificateTemplate.objects.exists():
        return
    template = CertificateTemplate.objects.create(name="Course completion", is_default=True)
    Signatory.objects.create(template=template, name="Demo Director", role="Director of Training")
