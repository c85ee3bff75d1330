"""The listing partners frame on their own sites (issue 19): who may frame it, what it sets and
shows, and what bad filter input gets."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import PageViewRestriction

from accounts.tests.factories import ChapterFactory, MemberProfileFactory, PartnerOrganisationFactory
from cms.models import PartnerOrganisation, embed_origins_clean
from events.tests.factories import make_event
from training.models import CoursePage, EnrolmentMode
from training.tests.factories import make_cohort, make_course

pytestmark = [
    pytest.mark.django_db,
    # Long made-up query strings make long page-cache keys (core.page_cache looks every GET up; a
    # memcached limit, not an error here), as in core/tests/test_hostile_input_fuzz.py.
    pytest.mark.filterwarnings("ignore::django.core.cache.backends.base.CacheKeyWarning"),
]


def frame_ancestors(response) -> list[str]:
    policy = response["Content-Security-Policy"]
    directive = next(part.strip() for part in policy.split(";") if part.strip().startswith("frame-ancestors"))
    return directive.split()[1:]


def assert_sets_no_cookie(client, response):
    assert not response.cookies, f"cookies set: {list(response.cookies)}"
    assert "Set-Cookie" not in response.headers


@pytest.fixture
def partner():
    return PartnerOrganisationFactory(embed_origins="https://www.partner.example\nhttp://localhost:8001")


def test_the_embed_may_be_framed_only_by_the_partners_registered_origins(client, partner):
    PartnerOrganisationFactory(embed_origins="https://other.example")
    response = client.get(f"/embed/{partner.embed_key}/")
    assert response.status_code == 200
    assert frame_ancestors(response) == ["https://www.partner.example", "http://localhost:8001"]
    assert "X-Frame-Options" not in response
    assert "other.example" not in response["Content-Security-Policy"]


def test_a_partner_with_no_registered_origin_gets_frame_ancestors_none(client):
    partner = PartnerOrganisationFactory()
    response = client.get(f"/embed/{partner.embed_key}/")
    assert response.status_code == 200
    assert frame_ancestors(response) == ["'none'"]


def test_the_embed_sets_no_cookie_for_a_visitor_nor_for_a_signed_in_member(client, partner):
    response = client.get(f"/embed/{partner.embed_key}/?chapter=&type=course&language=vi")
    assert response.status_code == 200
    assert_sets_no_cookie(client, response)
    assert not client.cookies
    client.force_login(MemberProfileFactory().user)
    session_before = client.cookies["sessionid"].value
    response = client.get(f"/embed/{partner.embed_key}/")
    assert response.status_code == 200
    assert_sets_no_cookie(client, response)
    assert client.cookies["sessionid"].value == session_before


def test_an_unknown_key_answers_404_and_a_partner_number_is_not_a_key(client, partner):
    assert client.get("/embed/not-a-key/").status_code == 404
    assert client.get(f"/embed/{partner.pk}/").status_code == 404


def test_a_changed_origin_list_is_used_at_once(client, partner):
    client.get(f"/embed/{partner.embed_key}/")
    partner.embed_origins = "https://new.partner.example"
    partner.save()
    assert frame_ancestors(client.get(f"/embed/{partner.embed_key}/")) == ["https://new.partner.example"]


def test_the_embed_lists_upcoming_public_events_and_courses_and_nothing_private(client, partner):
    soon = timezone.now() + timedelta(days=3)
    make_event(
        title="Open gathering",
        venue="Secret street 12",
        sensitive=True,
        tickets=[{"name": "Public place", "quantity": 5}, {"name": "Unlisted funded place", "quantity": 2}],
    )
    make_event(title="Members evening", audience="members")
    make_event(title="Survivors circle", audience="survivors")
    make_event(title="Last year", starts_at=soon - timedelta(days=400), ends_at=soon - timedelta(days=399))
    private = make_event(title="Restricted event")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    make_event(title="Draft event").unpublish()
    open_course = make_course(title="Open course", modules=0)
    make_cohort(open_course, starts_in_days=10)
    invited = make_course(title="Invitation course", modules=0, enrolment_mode=EnrolmentMode.INVITATION)
    make_cohort(invited, starts_in_days=10)
    finished = make_course(title="Course already running", modules=0)
    make_cohort(finished, starts_in_days=-10)
    MemberProfileFactory(display_name="Ziggurat Member")

    html = client.get(f"/embed/{partner.embed_key}/").content.decode()
    assert "Open gathering" in html and "Open course" in html
    for hidden in (
        "Members evening",
        "Survivors circle",
        "Last year",
        "Restricted event",
        "Draft event",
        "Invitation course",
        "Course already running",
        "Secret street",
        "Unlisted funded place",
        "Ziggurat Member",
    ):
        assert hidden not in html, hidden


def test_links_open_the_full_page_on_our_site_in_a_new_tab(client, partner, settings):
    event = make_event(title="Linked event")
    html = client.get(f"/embed/{partner.embed_key}/").content.decode()
    link = settings.SITE_URL.rstrip("/") + event.url
    assert f'<a href="{link}" target="_blank" rel="noopener">Linked event</a>' in html
    assert "<script" not in html


def test_filters_by_chapter_type_and_language(client, partner):
    uk, us = ChapterFactory(slug="uk-x", name="UK x"), ChapterFactory(slug="us-x", name="US x")
    make_event(title="UK workshop", chapter=uk, event_type="workshop")
    make_event(title="US gathering", chapter=us, event_type="gathering")
    uk_course = make_course(title="UK course", modules=0)
    CoursePage.objects.filter(pk=uk_course.pk).update(chapter=uk)
    make_cohort(uk_course, starts_in_days=5)
    url = f"/embed/{partner.embed_key}/"

    html = client.get(url, {"chapter": "uk-x"}).content.decode()
    assert "UK workshop" in html and "UK course" in html and "US gathering" not in html
    html = client.get(url, {"type": "gathering"}).content.decode()
    assert "US gathering" in html and "UK workshop" not in html and "UK course" not in html
    html = client.get(url, {"type": "course"}).content.decode()
    assert "UK course" in html and "UK workshop" not in html
    html = client.get(url, {"language": "vi"}).content.decode()
    assert '<html lang="vi"' in html and "/vi/" in html
    html = client.get(f"/ar/embed/{partner.embed_key}/").content.decode()
    assert '<html lang="ar" dir="rtl"' in html


@pytest.mark.parametrize(
    "query",
    [
        "chapter=nowhere",
        "type=%3Cscript%3Ealert(1)%3C/script%3E",
        "language=xx-yy",
        "language=" + "v" * 500,
        "chapter=uk&chapter=us&type=course&type=event",
        "page=-1&when=past",
        "chapter=%E2%80%AE%F0%9F%98%80",
        "type=" + "a" * 5000,
    ],
)
def test_bad_filter_input_shows_the_listing_never_an_error(client, partner, query):
    response = client.get(f"/embed/{partner.embed_key}/?{query}")
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()
    assert_sets_no_cookie(client, response)


def test_bad_keys_answer_404_or_400_never_a_server_error(client):
    for key in ("%00", "a" * 300, "..%2F..%2Fetc", "%E2%80%AE", "'%20OR%201=1"):
        assert client.get(f"/embed/{key}/").status_code in (400, 404)


def test_only_get_and_head_are_answered(client, partner):
    assert client.head(f"/embed/{partner.embed_key}/").status_code == 200
    assert client.post(f"/embed/{partner.embed_key}/").status_code in (403, 405)


def test_origins_are_validated_and_normalised():
    assert embed_origins_clean("https://WWW.Example.org/\n\nhttp://127.0.0.1:8001\nhttps://www.example.org") == [
        "https://www.example.org",
        "http://127.0.0.1:8001",
    ]
    for bad in (
        "http://example.org",
        "https://*.example.org",
        "https://example.org/page",
        "https://example.org?x=1",
        "ftp://example.org",
        "example.org",
        "https://user:pw@example.org",
        "https://example.org; script-src *",
        "'self'",
        "*",
    ):
        with pytest.raises(ValidationError):
            embed_origins_clean(bad)


def test_the_snippet_form_refuses_a_bad_origin_and_saves_a_good_one_normalised(partner):
    partner.embed_origins = "https://ok.example\nhttps://*.example.org"
    with pytest.raises(ValidationError) as refused:
        partner.full_clean()
    assert "embed_origins" in refused.value.message_dict
    partner.embed_origins = "https://OK.example/"
    partner.full_clean()
    partner.save()
    assert PartnerOrganisation.objects.get(pk=partner.pk).embed_origins == "https://ok.example"


def test_each_partner_has_its_own_unguessable_key():
    keys = {PartnerOrganisationFactory().embed_key for _ in range(5)}
    assert len(keys) == 5 and all(len(key) >= 20 for key in keys)


def test_staff_edit_the_origins_in_the_partner_snippet_and_a_bad_one_is_refused_with_a_message(client, partner):
    from accounts.tests.factories import UserFactory, sign_in_with_second_factor

    sign_in_with_second_factor(client, UserFactory(is_superuser=True, is_staff=True))
    edit = f"/admin/snippets/cms/partnerorganisation/edit/{partner.pk}/"
    key = partner.embed_key
    html = client.get(edit).content.decode()
    assert 'name="embed_origins"' in html and partner.embed_key in html
    fields = {"name": partner.name, "region": "", "website": "", "description": "", "logo": ""}
    response = client.post(edit, fields | {"embed_origins": "https://partner.example/events"})
    assert response.status_code == 200
    assert "without a page path" in response.content.decode()
    partner.refresh_from_db()
    assert "partner.example/events" not in partner.embed_origins
    response = client.post(edit, fields | {"embed_origins": "https://Partner.example/\r\nhttp://localhost:8001"})
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.embed_origin_list() == ["https://partner.example", "http://localhost:8001"]
    assert partner.embed_key == key  # shown in the form, never changed by it


def test_staff_add_a_partner_in_the_admin_and_it_gets_its_own_key(client, partner):
    from accounts.tests.factories import UserFactory, sign_in_with_second_factor

    sign_in_with_second_factor(client, UserFactory(is_superuser=True, is_staff=True))
    add = "/admin/snippets/cms/partnerorganisation/add/"
    assert client.get(add).status_code == 200
    fields = {"name": "New partner", "region": "", "website": "", "description": "", "logo": ""}
    response = client.post(add, fields | {"embed_origins": "https://new.example"})
    assert response.status_code == 302
    created = PartnerOrganisation.objects.get(name="New partner")
    assert created.embed_origins == "https://new.example"
    assert len(created.embed_key) >= 20 and created.embed_key != partner.embed_key
    assert frame_ancestors(client.get(f"/embed/{created.embed_key}/")) == ["https://new.example"]
