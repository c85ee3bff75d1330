"""A survivor who volunteers is never named to other volunteers or the public unless they chose
it: every page another volunteer on the same shift can reach (and the public can), crawled."""

import pytest
from django.test import Client

from accounts.tests.factories import MemberProfileFactory
from core.tests.crawl import crawl
from volunteers.models import NameShown
from volunteers.services import shift_sign_up
from volunteers.tests.factories import make_shift, make_volunteer

pytestmark = pytest.mark.django_db

SURVIVOR = "Zephyrine Quartermaine"


def _texts_of(client: Client, start: list[str]) -> dict[str, str]:
    found = crawl(client, start, max_pages=150)
    return {page: client.get(page).content.decode() for page in found.pages}


def test_no_page_another_volunteer_or_the_public_reaches_names_a_survivor_who_chose_not_to_be_named(demo_site):
    shift = make_shift(title="Door team", places=5)
    survivor = MemberProfileFactory(display_name=SURVIVOR, certificate_name=SURVIVOR)
    hidden = make_volunteer(user=survivor.user, name=SURVIVOR, name_shown=NameShown.HIDDEN)
    named = make_volunteer(name="Ottilie Bramblewood", name_shown=NameShown.FIRST_NAME)
    viewer = make_volunteer(name="Viewer Volunteer")
    for volunteer in (hidden, named, viewer):
        shift_sign_up(volunteer=volunteer, shift=shift)

    other = Client()
    other.force_login(viewer.user)
    pages = _texts_of(other, ["/volunteering/mine/", "/account/", "/volunteering/"])
    assert f"/volunteering/shifts/{shift.pk}/" in pages
    assert "Ottilie" in pages[f"/volunteering/shifts/{shift.pk}/"]  # the crawl reached the list of who is on
    pages["calendar"] = other.get(f"/volunteering/shifts/{shift.pk}/calendar.ics").content.decode()
    pages |= _texts_of(Client(), ["/", "/volunteering/"])
    leaks = {page for page, text in pages.items() if "Zephyrine" in text or "Quartermaine" in text}
    assert leaks == set()
