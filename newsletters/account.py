"""The "My newsletters" panel on the member's account page (ACCOUNT_PANELS_HOOK)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from newsletters.models import Subscription
from newsletters.services.subscriptions import member_subscriptions


def account_panel(request) -> dict | None:
    rows = member_subscriptions(request.user).exclude(status=Subscription.Status.UNSUBSCRIBED)
    return {
        "key": "newsletters",
        "title": _("My newsletters"),
        "order": 90,
        "items": [
            {"title": row.mailing_list.name, "url": None, "detail": row.get_status_display(), "links": []}
            for row in rows.order_by("mailing_list__name")
        ],
        "empty": _("You do not receive any newsletter from us."),
        "links": [{"label": _("Choose my newsletters"), "url": reverse("newsletters:account")}],
    }
