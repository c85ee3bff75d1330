"""A holder's own certificates: every kind (course completion, event attendance), for the
"My certificates" page and the holder's panel on the account page (the
`thrive_account_panels` hook, see accounts/views.py)."""

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from certificates.models import Certificate

PANEL_LIMIT = 5


def holder_certificates(user) -> dict:
    """{"live": [...], "revoked": [...]}: live ones newest first, then those revoked (a
    replaced certificate is not listed: its replacement is)."""
    rows = list(
        Certificate.objects.filter(recipient=user, replaced_by__isnull=True).order_by("-awarded_on", "-issued_at")
    )
    return {
        "live": [c for c in rows if c.revoked_at is None],
        "revoked": [c for c in rows if c.revoked_at is not None],
    }


def certificate_links(certificate: Certificate) -> list[dict]:
    links = []
    if certificate.pdf:
        links.append(
            {
                "label": _("Download (PDF)"),
                "aria_label": _("Download the certificate for %(title)s (PDF)") % {"title": certificate.title},
                "url": reverse("certificates:download", args=[certificate.code]),
            }
        )
    links.append(
        {
            "label": _("Verification page"),
            "aria_label": _("Verification page of the certificate for %(title)s") % {"title": certificate.title},
            "url": reverse("certificates:verify_code", args=[certificate.code]),
        }
    )
    return links


def _certificate_detail(certificate: Certificate) -> str:
    values = {"kind": certificate.get_kind_display(), "date": formats.date_format(certificate.awarded_on, "j F Y")}
    if certificate.pdf:
        return _("%(kind)s, %(date)s") % values
    return _("%(kind)s, %(date)s · the PDF is being prepared") % values


def account_panel(request) -> dict | None:
    if not request.user.is_authenticated:
        return None
    live = holder_certificates(request.user)["live"]
    items = [
        {
            "title": certificate.title,
            "url": None,
            "detail": _certificate_detail(certificate),
            "links": certificate_links(certificate),
        }
        for certificate in live[:PANEL_LIMIT]
    ]
    return {
        "key": "certificates",
        "title": _("My certificates"),
        "order": 30,
        "items": items,
        "empty": _("Certificates for the courses you complete and the events you attend will be here."),
        "links": [{"label": _("All my certificates"), "url": reverse("certificates:mine")}],
    }
