"""The partner home (issue 19): a signed-in partner contact sees their organisation's co-hosted
events and courses (counts only, no attendee), their access codes (how many used, never by
whom), links to their referrals, and posters and leaflets to download.

Access is checked here: anyone signed out goes to sign in; a signed-in account that is not a
partner contact gets 404 (as the referral pages). A partner downloads posters only of what their
organisation co-hosts, and of the membership invitation; staff download any in the admin."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.models import PartnerContact
from core.links import absolute
from toolkit import posters
from toolkit.codes import partner_code_blocks
from toolkit.selectors import cohosted_courses, cohosted_events, cohosts


def _contact(request) -> PartnerContact:
    contact = PartnerContact.objects.filter(user=request.user).select_related("organisation").first()
    if contact is None:
        raise Http404
    return contact


def _partner_poster_url(kind, pk, size, variant) -> str:
    return reverse("toolkit:poster", args=[kind, pk, size, variant])


def _embed(organisation) -> dict:
    """The listing for the partner's own website: its address, the code to paste, and the
    sites allowed to show it (staff register them in the partner's snippet)."""
    url = absolute(reverse("embed:embed", kwargs={"key": organisation.embed_key}))
    origins = [line for line in organisation.embed_origins.splitlines() if line.strip()]
    code = f'<iframe src="{url}" title="{_("Events and courses")}" width="100%" height="900"></iframe>'
    return {"url": url, "origins": origins, "code": code}


@login_required
@require_safe
def partner_home(request):
    contact = _contact(request)
    organisation = contact.organisation
    events = cohosted_events(organisation)
    courses = cohosted_courses(organisation)
    for row in events["upcoming"]:
        row["downloads"] = posters.downloads(posters.Subject(posters.EVENT, row["page"]), _partner_poster_url)
    for row in courses:
        row["downloads"] = posters.downloads(posters.Subject(posters.COURSE, row["page"]), _partner_poster_url)
    return render(
        request,
        "toolkit/partner_home.html",
        {
            "organisation": organisation,
            "events": events,
            "courses": courses,
            "code_blocks": partner_code_blocks(organisation),
            "membership_downloads": posters.downloads(posters.Subject(posters.MEMBERSHIP), _partner_poster_url),
            "embed": _embed(organisation),
        },
    )


def poster_response(subject, size: str, variant: str) -> HttpResponse:
    pdf = posters.render_poster(subject, size=size, variant=variant)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = posters.poster_filename(subject, size=size, variant=variant)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def checked_subject(kind: str, pk: int, size: str, variant: str):
    if size not in posters.SIZES or variant not in posters.VARIANTS:
        raise Http404
    subject = posters.subject_for(kind, pk)
    if subject is None:
        raise Http404
    return subject


@login_required
@require_safe
def partner_poster(request, kind: str, pk: int, size: str, variant: str):
    contact = _contact(request)
    subject = checked_subject(kind, pk, size, variant)
    if kind != posters.MEMBERSHIP and not cohosts(kind, pk, contact.organisation):
        raise Http404  # not theirs: the same answer as no such page
    return poster_response(subject, size, variant)
