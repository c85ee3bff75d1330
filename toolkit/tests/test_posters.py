"""Posters (A4) and leaflets (A5) of an event, a course and the membership invitation (issue 19):
read back with pdftotext (title, date, short link) and their QR code decoded with zbarimg (the
page drawn to PNG by pdftoppm) is the short link, which redirects to the page. The discreet
version names neither the organisation nor survivors."""

import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from accounts.roles import EDITORS, EVENT_STAFF, FINANCE, TRAINERS
from accounts.tests.factories import PartnerContactFactory, StaffFactory, UserFactory, sign_in_with_second_factor
from cms.models import SiteSettings
from events.tests.factories import make_event
from toolkit import posters
from toolkit.models import PosterDesign, ShortLink
from toolkit.tests.pdf_reading import pdf_page_count, pdf_page_size_mm, pdf_qr_codes, pdf_text
from training.tests.factories import make_cohort, make_course

pytestmark = pytest.mark.django_db

ORGANISATION = "Harbourlight Survivors Network"


@pytest.fixture
def site_settings():
    site = Site.objects.get(is_default_site=True)
    SiteSettings.objects.update_or_create(site=site, defaults={"organisation_name": ORGANISATION})
    PosterDesign.objects.update_or_create(
        site=site,
        defaults={
            "headline": "Book your free place",
            "footer_text": "Registered charity 1234567",
            "accent_colour": "#005a70",
            "discreet_title": "Free workshop",
            "discreet_membership_title": "Free support group",
            "discreet_text": "Open to everyone. Scan the code for details.",
        },
    )
    return site


def _event():
    starts = datetime(2031, 5, 14, 18, 30, tzinfo=ZoneInfo("Europe/London"))
    return make_event(
        title="Survivor leaders' evening",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        time_zone="Europe/London",
    )


def _course():
    course = make_course(title="Speaking up for survivors", modules=1)
    make_cohort(course, starts_in_days=30, name="Summer run")
    return course


def _subject(kind):
    if kind == posters.EVENT:
        return posters.Subject(kind, _event())
    if kind == posters.COURSE:
        return posters.Subject(kind, _course())
    return posters.Subject(kind)


EXPECTED = {
    posters.EVENT: ("Survivor leaders' evening", "14 May 2031"),
    posters.COURSE: ("Speaking up for survivors", "Next run starts"),
    posters.MEMBERSHIP: ("Join the network", None),
}


@pytest.mark.parametrize("kind", posters.KINDS)
@pytest.mark.parametrize("size", posters.SIZES)
def test_a_poster_and_a_leaflet_read_back_and_their_qr_code_is_the_short_link_to_the_page(
    kind, size, site_settings, tmp_path, client
):
    subject = _subject(kind)
    pdf = posters.render_poster(subject, size=size, variant=posters.STANDARD)
    assert pdf.startswith(b"%PDF")
    assert pdf_page_count(pdf, tmp_path) == 1
    width, height = pdf_page_size_mm(pdf, tmp_path)
    assert (round(width), round(height)) == ((210, 297) if size == posters.POSTER else (148, 210))

    text = " ".join(pdf_text(pdf, tmp_path).split())
    title, when = EXPECTED[kind]
    assert title in text
    if when:
        assert when in text
    if kind == posters.COURSE:
        cohort_start = subject.page.cohorts.get().starts_on
        assert f"{cohort_start.day} {cohort_start:%B %Y}" in text
    link = ShortLink.objects.get()
    short_url = f"{settings.SITE_URL.rstrip('/')}/s/{link.code}"
    assert short_url in text
    assert ORGANISATION.upper() in text.upper()  # printed in capitals by the stylesheet
    if kind != posters.MEMBERSHIP:
        assert "Book your free place" in text
    assert "Registered charity 1234567" in text

    assert pdf_qr_codes(pdf, tmp_path) == [short_url]

    response = client.get(f"/s/{link.code}")
    assert response.status_code == 302
    expected_target = reverse("membership:apply") if kind == posters.MEMBERSHIP else subject.page.url
    assert response["Location"] == expected_target
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("kind", posters.KINDS)
@pytest.mark.parametrize("size", posters.SIZES)
def test_the_discreet_version_names_neither_the_network_nor_survivors_and_its_link_still_works(
    kind, size, site_settings, tmp_path, client
):
    subject = _subject(kind)
    pdf = posters.render_poster(subject, size=size, variant=posters.DISCREET)
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert ORGANISATION.lower() not in text.lower()
    assert "harbourlight" not in text.lower()
    assert "survivor" not in text.lower()
    assert "network" not in text.lower()
    assert "Registered charity" not in text  # the footer may name the organisation
    assert ("Free support group" if kind == posters.MEMBERSHIP else "Free workshop") in text
    if kind == posters.EVENT:
        assert "14 May 2031" in text
    link = ShortLink.objects.get()
    short_url = f"{settings.SITE_URL.rstrip('/')}/s/{link.code}"
    assert short_url in text
    assert pdf_qr_codes(pdf, tmp_path) == [short_url]
    # Nor in the file's metadata (a phone shows the title when the file is opened).
    info = subprocess.run(["pdfinfo", str(tmp_path / "doc.pdf")], capture_output=True, text=True, check=True).stdout
    assert "survivor" not in info.lower() and ORGANISATION.lower() not in info.lower()
    assert client.get(f"/s/{link.code}").status_code == 302


def test_every_poster_of_a_page_carries_the_same_short_link_and_another_page_gets_its_own(site_settings):
    event, other = _event(), make_event(title="Another")
    first = posters.short_link(posters.Subject(posters.EVENT, event))
    again = posters.short_link(posters.Subject(posters.EVENT, event))
    assert first.pk == again.pk
    assert posters.short_link(posters.Subject(posters.EVENT, other)).code != first.code
    assert ShortLink.objects.count() == 2


def test_an_unknown_short_link_is_404_and_a_link_leads_only_to_this_site(client):
    assert client.get("/s/nosuchcd").status_code == 404
    assert client.get("/s/" + "x" * 40).status_code == 404
    with pytest.raises(ValueError):
        ShortLink.for_target("//evil.example/")
    with pytest.raises(ValueError):
        ShortLink.for_target("https://evil.example/")


def _download(client, url):
    response = client.get(url)
    return response.status_code, response


def test_a_partner_contact_downloads_posters_of_what_they_co_host_and_the_invitation_only(site_settings):
    mine, theirs = _event(), make_event(title="Not co-hosted")
    course = _course()
    contact = PartnerContactFactory(user=UserFactory())
    other = PartnerContactFactory(user=UserFactory())
    mine.partners.add(contact.organisation)
    mine.save_revision().publish()
    course.partners.add(contact.organisation)
    course.save_revision().publish()
    client = Client()
    client.force_login(contact.user)
    for kind, pk in ((posters.EVENT, mine.pk), (posters.COURSE, course.pk), (posters.MEMBERSHIP, 0)):
        for size in posters.SIZES:
            for variant in posters.VARIANTS:
                status, response = _download(client, reverse("toolkit:poster", args=[kind, pk, size, variant]))
                assert status == 200, (kind, size, variant)
                assert response["Content-Type"] == "application/pdf"
                assert response["Content-Disposition"].startswith("attachment;")
    # Not theirs, or no such thing: the same 404.
    for args in (
        (posters.EVENT, theirs.pk, posters.POSTER, posters.STANDARD),
        (posters.EVENT, 999999, posters.POSTER, posters.STANDARD),
        (posters.COURSE, mine.pk, posters.POSTER, posters.STANDARD),
        (posters.EVENT, mine.pk, "a3", posters.STANDARD),
        (posters.EVENT, mine.pk, posters.POSTER, "loud"),
        (posters.MEMBERSHIP, 5, posters.POSTER, posters.STANDARD),
    ):
        assert client.get(reverse("toolkit:poster", args=args)).status_code == 404, args
    # Another partner's contact: nothing of the first partner's.
    client.force_login(other.user)
    assert client.get(reverse("toolkit:poster", args=[posters.EVENT, mine.pk, "poster", "standard"])).status_code == 404
    assert client.get(reverse("toolkit:poster", args=[posters.MEMBERSHIP, 0, "poster", "standard"])).status_code == 200
    # A member who is not a partner contact: 404; signed out: to sign in.
    client.force_login(UserFactory())
    assert client.get(reverse("toolkit:poster", args=[posters.MEMBERSHIP, 0, "poster", "standard"])).status_code == 404
    client.logout()
    response = client.get(reverse("toolkit:poster", args=[posters.MEMBERSHIP, 0, "poster", "standard"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [EDITORS, EVENT_STAFF, TRAINERS])
def test_staff_download_any_poster_from_the_admin_and_other_roles_are_refused(role, site_settings):
    event, course = _event(), _course()
    client = Client()
    sign_in_with_second_factor(client, StaffFactory(groups=[role]))
    assert client.get(reverse("toolkit_admin:posters")).status_code == 200
    for kind, pk in ((posters.EVENT, event.pk), (posters.COURSE, course.pk)):
        page = client.get(reverse("toolkit_admin:subject", args=[kind, pk]))
        assert page.status_code == 200
        download = reverse("toolkit_admin:download", args=[kind, pk, "leaflet", "discreet"])
        assert download in page.content.decode()
        assert client.get(download)["Content-Type"] == "application/pdf"
    assert (
        client.get(reverse("toolkit_admin:download", args=["membership", 0, "poster", "standard"])).status_code == 200
    )

    client = Client()
    sign_in_with_second_factor(client, StaffFactory(groups=[FINANCE]))
    for url in (
        reverse("toolkit_admin:posters"),
        reverse("toolkit_admin:subject", args=["event", event.pk]),
        reverse("toolkit_admin:download", args=["event", event.pk, "poster", "standard"]),
    ):
        refused = client.get(url)  # Wagtail's admin turns a refusal into "back to the dashboard"
        assert (refused.status_code, refused["Location"]) == (302, "/admin/"), url


def test_the_edit_screens_of_an_event_and_a_course_link_to_their_posters(site_settings):
    event, course = _event(), _course()
    client = Client()
    sign_in_with_second_factor(client, UserFactory(is_staff=True, is_superuser=True))
    for kind, page in (("event", event), ("course", course)):
        edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        assert edit.status_code == 200
        assert reverse("toolkit_admin:subject", args=[kind, page.pk]) in edit.content.decode()


def test_the_posters_date_is_in_the_events_own_time_zone(site_settings, tmp_path):
    starts = datetime(2031, 1, 10, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    event = make_event(
        title="Late evening", starts_at=starts, ends_at=starts + timedelta(hours=1), time_zone="America/New_York"
    )
    text = pdf_text(
        posters.render_poster(posters.Subject(posters.EVENT, event), size="leaflet", variant="standard"), tmp_path
    )
    assert "10 January 2031, 23:30 EST" in " ".join(text.split())
    assert timezone.localtime(starts).day == 11  # London's day differs: the event's own is printed
