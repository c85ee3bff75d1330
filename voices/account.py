"""The member's panel on the account page (the `thrive_account_panels` hook, see
accounts/views.py): engagements waiting for them, and up to three open opportunities they are
eligible for and have not answered yet, with the way to the full list. Nothing for anyone who
is not an active member (opportunities are never public)."""

import datetime
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from voices import selectors
from voices.models import Engagement, Interest, Opportunity

SHOWN = 3
# How long after an engagement the panel asks how it went (the engagement's page always can).
FEEDBACK_ASKED_FOR = datetime.timedelta(days=30)


def _needing_action(user) -> list[dict]:
    items = []
    now = timezone.now()
    engagements = (
        Engagement.objects.filter(member=user)
        .filter(
            Q(status=Engagement.Status.OFFERED)
            | Q(
                status__in=Engagement.COUNTED,
                starts_at__lte=now,
                starts_at__gte=now - FEEDBACK_ASKED_FOR,
                feedback_at__isnull=True,
            )
        )
        .select_related("opportunity")
        .order_by("starts_at", "pk")[:SHOWN]
    )
    for engagement in engagements:
        if engagement.status == Engagement.Status.OFFERED:
            detail = _("You have been offered this: confirm or decline")
        else:
            detail = _("Tell staff privately how it went")
        items.append(
            {
                "title": engagement.opportunity.title,
                "url": reverse("voices:engagement", args=[engagement.pk]),
                "detail": detail,
            }
        )
    return items


def _open_opportunities(user) -> list[dict]:
    now = timezone.now()
    answered = Interest.objects.filter(member=user).values("opportunity_id")
    opportunities = (
        selectors.opportunities_for(user)
        .filter(status=Opportunity.Status.OPEN)
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .exclude(pk__in=answered)
        .order_by("request__starts_at", "pk")[:SHOWN]
    )
    return [
        {
            "title": opportunity.title,
            "url": reverse("voices:opportunity", args=[opportunity.pk]),
            "detail": f"{opportunity.request.get_kind_display()} · "
            + formats.date_format(
                timezone.localtime(opportunity.request.starts_at, ZoneInfo(opportunity.request.time_zone)), "j F Y"
            ),
        }
        for opportunity in opportunities
    ]


def account_panel(request) -> dict | None:
    user = request.user
    if not selectors.is_member(user):
        return None
    return {
        "key": "voices",
        "title": _("Opportunities to share your expertise"),
        "order": 40,
        "items": _needing_action(user) + _open_opportunities(user),
        "empty": _("No opportunities for you right now. We will show them here when there are."),
        "links": [
            {"label": _("All opportunities, my engagements and payments"), "url": reverse("voices:opportunities")},
            {"label": _("How I would like to be thanked"), "url": reverse("voices:thanks")},
        ],
    }
