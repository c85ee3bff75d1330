"""Access codes as a CSV (issue 19): for Event staff (from the admin's access codes screen)
and for the contacts of the partner the block was given to. Codes only: never who used one."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.csv_export import csv_response
from events.models import AccessCodeBlock


def codes_csv(request, block: AccessCodeBlock):
    """The block's codes, each with its booking link (`?code=`) and expiry; formula-safe cells."""
    book_path = reverse("events:book", args=[block.event_id])
    with timezone.override(block.event.time_zone):
        expires = f"{timezone.localtime(block.expires_at):%Y-%m-%d %H:%M} ({block.event.time_zone})"
    rows = [
        (
            code,
            request.build_absolute_uri(f"{book_path}?{urlencode({'code': code})}"),
            expires,
        )
        # No used/unused column: a partner who noted which code went to whom would learn who booked.
        for code in block.codes.order_by("pk").values_list("code", flat=True)
    ]
    response = csv_response(f"access-codes-{block.pk}.csv", [_("code"), _("booking link"), _("expires")], rows)
    response["Cache-Control"] = "no-store"
    return response


def partner_of(user):
    """The partner organisation `user` is a contact of, or None."""
    contact = getattr(user, "partner_contact", None) if user.is_authenticated else None
    return contact.organisation if contact is not None else None


@never_cache
@login_required
def access_codes_csv_partner(request, block_id: int):
    """A partner contact downloads the codes of a block given to their organisation; anyone
    else (another partner's contact, a member) gets 404."""
    partner = partner_of(request.user)
    if partner is None:
        raise Http404
    block = get_object_or_404(AccessCodeBlock.objects.select_related("event"), pk=block_id, partner=partner)
    response = codes_csv(request, block)
    response["Cache-Control"] = "no-store"
    return response
