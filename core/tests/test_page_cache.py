import pytest
from wagtail.models import Page

from accounts.tests.factories import UserFactory
from cms.models import StandardPage


@pytest.mark.django_db
def test_second_anonymous_visit_is_served_from_the_cache(client, demo_site):
    first = client.get("/about/")
    second = client.get("/about/")
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


@pytest.mark.django_db
def test_publishing_a_change_is_visible_to_the_next_anonymous_visitor(client, demo_site):
    assert b"Who we are" in client.get("/about/").content
    assert client.get("/about/")["X-Page-Cache"] == "hit"

    page = StandardPage.objects.get(slug="about", locale__language_code="en-gb")
    page.intro = "Freshly published introduction."
    page.save_revision().publish()

    response = client.get("/about/")
    assert "Freshly published introduction." in response.content.decode()
    assert response["X-Page-Cache"] == "miss"


@pytest.mark.django_db
def test_unpublishing_removes_the_page_from_the_cache(client, demo_site):
    assert client.get("/about/").status_code == 200
    Page.objects.get(slug="about", locale__language_code="en-gb").unpublish()
    assert client.get("/about/").status_code == 404


@pytest.mark.django_db
def test_moving_a_page_purges_the_menu_on_every_cached_page(client, demo_site):
    assert b'<a href="/about/"' in client.get("/").content
    assert client.get("/")["X-Page-Cache"] == "hit"
    about = Page.objects.get(slug="about", locale__language_code="en-gb")
    join = Page.objects.get(slug="join", locale__language_code="en-gb")
    about.move(join, pos="last-child")
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert b'<a href="/about/"' not in response.content


@pytest.mark.django_db
def test_a_signed_in_visitor_never_receives_a_cached_page(client, demo_site):
    client.get("/about/")
    assert client.get("/about/")["X-Page-Cache"] == "hit"
    client.force_login(UserFactory())
    response = client.get("/about/")
    assert "X-Page-Cache" not in response
    assert "My account" in response.content.decode()
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_a_page_signed_in_visitors_see_is_never_stored_for_anonymous_ones(client, demo_site):
    client.force_login(UserFactory())
    client.get("/about/")
    client.logout()
    client.cookies.clear()
    response = client.get("/about/")
    assert "My account" not in response.content.decode()


@pytest.mark.django_db
def test_form_pages_that_carry_a_csrf_token_are_not_cached(client, demo_site):
    first = client.get("/contact/")
    second = client.get("/contact/")
    assert "X-Page-Cache" not in first
    assert "X-Page-Cache" not in second
    assert "csrfmiddlewaretoken" in second.content.decode()


@pytest.mark.django_db
def test_changing_site_settings_purges_cached_pages(client, demo_site):
    from cms.models import SiteSettings

    client.get("/")
    settings_row = SiteSettings.objects.get(site=demo_site)
    settings_row.organisation_name = "Renamed Network"
    settings_row.save()
    assert "Renamed Network" in client.get("/").content.decode()


@pytest.mark.django_db
def test_remembered_routes_follow_unpublish_and_move_for_signed_in_visitors(client, demo_site):
    client.force_login(UserFactory())
    assert client.get("/about/").status_code == 200
    assert client.get("/about/").status_code == 200  # now from the remembered route
    about = Page.objects.get(slug="about", locale__language_code="en-gb")
    about.move(Page.objects.get(slug="join", locale__language_code="en-gb"), pos="last-child")
    assert client.get("/join/about/").status_code == 200
    Page.objects.get(slug="about", locale__language_code="en-gb").specific.unpublish()
    assert client.get("/join/about/").status_code == 404
