"""Who may read which newsletter issue on the web (issue 18, item 4). Reads only.

An issue is on the web once a mailing of it has gone out (SENDING, PAUSED or SENT: its
recipients' "read in your browser" link works from the first message on), to the audience of
that mailing's list:
- public lists: everyone;
- members-only lists: signed-in members (an active member profile) and staff;
- partner lists: staff only (partner organisations' news is not archived on the site).
An issue never sent is not listed or served (404); editors see it in the admin's previews.

Anonymous visitors' copies are cached (core.page_cache) under `ARCHIVE_CACHE_KEY`, which a
mailing's save retires (newsletters.models.mailing_saved); what a member or staff member sees
is never stored (they carry a session cookie, and the pages say so too: `Cache-Control: private`).
"""

from django.db.models import Exists, Min, OuterRef, Q
from django.db.models.functions import Coalesce

from accounts.models import MemberProfile
from accounts.roles import is_staff_member
from newsletters.models import Mailing, MailingList, NewsletterPage

STARTED = (Mailing.Status.SENDING, Mailing.Status.PAUSED, Mailing.Status.SENT)
Audience = MailingList.Audience


def readable_audiences(user) -> set[str]:
    """The list audiences whose issues `user` may read (one query for a signed-in non-staff)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return {Audience.PUBLIC}
    if is_staff_member(user):
        return {Audience.PUBLIC, Audience.MEMBERS, Audience.PARTNERS}
    cached = getattr(user, "_newsletters_audiences", None)
    if cached is None:
        cached = {Audience.PUBLIC}
        if MemberProfile.objects.active().filter(user=user).exists():
            cached.add(Audience.MEMBERS)
        user._newsletters_audiences = cached
    return cached


def sees_more_than_public(user) -> bool:
    return readable_audiences(user) != {Audience.PUBLIC}


def issue_audiences(page) -> set[str]:
    """The audiences of the lists `page` has gone out to (empty: never sent)."""
    return set(
        Mailing.objects.filter(newsletter_id=page.pk, status__in=STARTED).values_list(
            "mailing_list__audience", flat=True
        )
    )


def archive_issues(index, user) -> list[NewsletterPage]:
    """The live issues under `index` and its translations that `user` may read, newest first,
    each with `sent_on` (when its first mailing started) and `is_public`. One query (two with
    the member check)."""
    audiences = readable_audiences(user)
    under = Q()
    for path, depth in index.get_translations(inclusive=True).values_list("path", "depth"):
        under |= Q(path__startswith=path, depth=depth + 1)
    public_mailing = Mailing.objects.filter(
        newsletter_id=OuterRef("pk"), status__in=STARTED, mailing_list__audience=Audience.PUBLIC
    )
    return list(
        NewsletterPage.objects.live()
        .filter(under)
        .filter(mailings__status__in=STARTED, mailings__mailing_list__audience__in=audiences)
        .annotate(
            sent_on=Coalesce(Min("mailings__started_at"), Min("mailings__send_at")),
            is_public=Exists(public_mailing),
        )
        .select_related("locale")
        .order_by("-sent_on", "-pk")
    )
