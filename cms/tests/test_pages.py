import pytest
from django.conf import settings


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/about/", "/safety/", "/volunteer/", "/contact/", "/partner-enquiry/", "/search/"]
)
def test_demo_pages_answer_200(client, demo_site, url):
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_home_page_shows_hero_calls_to_action_and_menu(client, demo_site):
    html = client.get("/").content.decode()
    assert "Survivors leading change" in html
    assert 'href="/join/"' in html and 'href="/donate/"' in html and 'href="/volunteer/"' in html
    assert '<nav class="site-nav" aria-label="Main">' in html
    assert 'href="/about/"' in html  # show_in_menus


@pytest.mark.django_db
def test_every_public_page_has_quick_exit_and_the_safety_link(client, demo_site):
    for url in ["/", "/about/", "/contact/", "/search/", "/accounts/login/", "/no-such-page/"]:
        html = client.get(url).content.decode()
        assert 'id="quick-exit"' in html, url
        assert 'data-exit-url="https://www.bbc.co.uk/weather"' in html, url
        assert 'href="/safety/"' in html, url


@pytest.mark.django_db
def test_unknown_url_gives_the_styled_404(client, demo_site):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We cannot find that page" in html
    assert 'class="site-header"' in html


@pytest.mark.django_db
def test_search_finds_published_pages(client, demo_site):
    html = client.get("/search/", {"q": "survivor leaders"}).content.decode()
    assert "About us" in html
    assert "0 results" not in html


@pytest.mark.django_db
def test_contact_address_is_not_in_the_html_in_readable_form(client, demo_site):
    html = client.get("/").content.decode()
    assert "hello@thrive.example" not in html
    assert "elpmaxe.evirht@olleh" in html


@pytest.mark.django_db
def test_no_page_refers_to_another_origin_for_scripts_styles_or_fonts(client, demo_site):
    import re

    for url in ["/", "/about/", "/contact/", "/accounts/login/", "/accounts/signup/"]:
        html = client.get(url).content.decode()
        for tag in re.findall(r"<(?:script|link|img|iframe)[^>]+>", html):
            if ('rel="alternate"' in tag or 'rel="canonical"' in tag) and f'href="{settings.SITE_URL}' in tag:
                # hreflang alternates and the canonical link name this site's own pages, absolute
                # as search engines want
                continue
            assert "http://" not in tag and "https://" not in tag and "//" not in tag.split("=", 1)[-1][:3], (url, tag)
