"""Chapter pages (issue 16 item 6): the team by role, upcoming events and courses of the
chapter, partners and representatives, safe contact; linked from the menu and the filters."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import Chapter, ChapterPage, ChapterTeamRole, HomePage

pytestmark = pytest.mark.django_db


def test_demo_has_a_page_for_each_chapter_in_the_menu(client, demo_site):
    home = client.get("/").content.decode()
    for slug in ("uk", "us"):
        page = ChapterPage.objects.get(chapter__slug=slug)
        assert page.live and page.show_in_menus
        assert f'href="{page.url}"' in home


def test_chapter_page_shows_roles_partners_listings_and_safe_contact(client, demo_site):
    response = client.get("/us-chapter/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chapter organiser" in html and "Peer mentor" in html
    assert "We only give someone's name when they have agreed to it." in html
    assert "Bridges Legal Clinic" in html and "New York" in html
    assert "Contacting the chapter safely" in html
    assert "us-chapter@thrive.example" not in html  # the address is reversed for robots
    assert 'id="quick-exit"' in html  # from base.html
    # The US chapter's upcoming event, not the UK chapter's; the course run in the US.
    assert "Speaking up: a four-week workshop" in html
    assert "Foundations of survivor leadership" in html
    uk = client.get("/uk-chapter/").content.decode()
    assert "Safe Harbour Trust" in uk and "Bridges Legal Clinic" not in uk


def test_a_name_is_shown_only_where_an_editor_filled_it_with_consent(client, demo_site):
    page = ChapterPage.objects.get(chapter__slug="uk")
    ChapterTeamRole.objects.create(page=page, role="Volunteer coordinator", name="Ama (agreed to be named)")
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert "Volunteer coordinator" in html and "Ama (agreed to be named)" in html


def _chapter_page(chapter) -> ChapterPage:
    home = HomePage.objects.first()
    page = ChapterPage(title=f"{chapter.name} chapter", slug=f"{chapter.slug}-chapter-test", chapter=chapter)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def _queries(client, url) -> int:
    cache.clear()  # no page cache, no cached route: the page is built each time
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _course_run_in(chapter, title: str, starts_in_days: int) -> None:
    """A course (of another chapter) with a run in `chapter`."""
    from training.models import Cohort
    from training.tests.factories import make_cohort, make_course

    cohort = make_cohort(make_course(modules=0, title=title), starts_in_days=starts_in_days)
    Cohort.objects.filter(pk=cohort.pk).update(chapter=chapter)


def test_chapter_page_queries_do_not_grow_with_its_events_and_courses(client, demo_site):
    from events.tests.factories import make_event

    chapter = Chapter.objects.create(name="Wales", slug="wales", country="GB")
    page = _chapter_page(chapter)
    make_event(chapter=chapter, title="Wales event 1")
    _course_run_in(chapter, "Wales course 1", 5)
    few = _queries(client, page.url)
    for n in range(2, 6):
        make_event(chapter=chapter, title=f"Wales event {n}")
        _course_run_in(chapter, f"Wales course {n}", 5 + n)
    html = client.get(page.url).content.decode()
    assert "Wales event 5" in html and "Wales course 5" in html
    assert _queries(client, page.url) == few


def test_listings_hold_only_this_chapters_upcoming_events(client, demo_site):
    from events.tests.factories import make_event

    chapter = Chapter.objects.create(name="Wales", slug="wales", country="GB")
    other = Chapter.objects.create(name="Scotland", slug="scotland", country="GB")
    page = _chapter_page(chapter)
    past = timezone.now() - timedelta(days=3)
    make_event(chapter=chapter, title="Coming in Wales")
    make_event(chapter=chapter, title="Over in Wales", starts_at=past, ends_at=past + timedelta(hours=1))
    make_event(chapter=other, title="Coming in Scotland")
    html = client.get(page.url).content.decode()
    assert "Coming in Wales" in html
    assert "Over in Wales" not in html and "Coming in Scotland" not in html
    assert "/events/?chapter=wales" in html


@pytest.mark.parametrize("listing", ["/events/", "/courses/"])
def test_the_chapter_filter_links_to_the_chapter_page(client, demo_site, listing):
    page = ChapterPage.objects.get(chapter__slug="us")
    html = client.get(listing, {"chapter": "us"}).content.decode()
    assert f'<p class="note chapter-link"><a href="{page.url}">' in html
    assert 'class="note chapter-link"' not in client.get(listing).content.decode()


def test_a_partner_organisation_represents_the_network_in_a_region(client, demo_site):
    """Issue 19: a partner named as the network's representative in a region is shown, with
    its link, under "Regional representatives" on that chapter's page."""
    html = client.get("/us-chapter/").content.decode()
    representatives = html[html.index("Regional representatives") :]
    representatives = representatives[: representatives.index("</ul>")]
    assert "New York" in representatives
    assert 'class="representative-partner"' in representatives and "Bridges Legal Clinic" in representatives
    uk = client.get("/uk-chapter/").content.decode()
    uk_representatives = uk[uk.index("Regional representatives") :]
    assert 'class="representative-partner"' not in uk_representatives[: uk_representatives.index("</ul>")]
