"""The supporter's panel on the account page (the `thrive_account_panels` hook): their
fundraising pages with each one's state and total, and the way to make one."""

from django.urls import reverse
from django.utils.translation import gettext as _

from fundraising.models import FundraisingPage
from fundraising.selectors import page_totals

SHOWN = 3


def account_panel(request) -> dict | None:
    user = request.user
    if not user.is_authenticated:
        return None
    pages = list(FundraisingPage.objects.filter(owner=user).order_by("-created_at", "-pk")[:SHOWN])
    items = [
        {
            "title": page.title,
            "url": reverse("fundraising:page", args=[page.pk]),
            "detail": _("%(status)s · %(raised)s of %(target)s")
            % {
                "status": page.get_status_display(),
                "raised": page_totals(page)["raised_display"],
                "target": page.target_display,
            },
        }
        for page in pages
    ]
    links = [{"label": _("Make a fundraising page"), "url": reverse("fundraising:start")}]
    if items:
        links.insert(0, {"label": _("All my fundraising pages"), "url": reverse("fundraising:mine")})
    return {
        "key": "fundraising",
        "title": _("My fundraising"),
        "order": 60,
        "items": items,
        "empty": _("Raise money for one of our campaigns with your own page."),
        "links": links,
    }
