"""Content translation (issue 16, item 2): Wagtail's simple translation, English as the fallback.

The demo has the home page, About us and the safety page in Vietnamese (content_translation.demo);
every other page is English and is served under /vi/ with a note in Vietnamese.
"""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale, Page

from accounts.tests.factories import UserFactory, sign_in_with_second_factor
from cms.models import HomePage, StandardPage
from content_translation.policy import PageNotTranslatable

pytestmark = pytest.mark.django_db

NOTE = 'class="note translation-note"'
ALTERNATE = re.compile(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">')


def english(slug: str):
    home = HomePage.objects.get(locale__language_code=settings.LANGUAGE_CODE)
    return home.get_children().get(slug=slug).specific


def vietnamese() -> Locale:
    return Locale.objects.get(language_code="vi")


def alternates(html: str) -> dict[str, str]:
    return dict(ALTERNATE.findall(html))


def site_path(url: str) -> str:
    assert url.startswith(settings.SITE_URL.rstrip("/") + "/"), url
    return url[len(settings.SITE_URL.rstrip("/")) :]


def test_content_locales_are_the_interface_languages(db):
    assert set(Locale.objects.values_list("language_code", flat=True)) >= {code for code, _ in settings.LANGUAGES}
    assert settings.WAGTAIL_I18N_ENABLED


def test_translated_page_is_served_in_vietnamese_without_note(client, demo_site):
    response = client.get("/vi/about/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Về chúng tôi" in html
    assert NOTE not in html
    assert '<html lang="vi"' in html

    home = client.get("/vi/").content.decode()
    assert "Người sống sót dẫn dắt sự thay đổi" in home
    assert NOTE not in home


def test_english_pages_have_no_note(client, demo_site):
    for url in ("/", "/about/", "/join/"):
        html = client.get(url).content.decode()
        assert NOTE not in html, url


@pytest.mark.parametrize("prefix", ["/vi", "/sq", "/ar"])
def test_untranslated_pages_fall_back_to_english_with_a_note(client, demo_site, prefix):
    """Standard pages, forms, events, courses and campaign pages: English content, the note in
    the reader's language, the content marked as English; also in a language with no
    translated page at all (Albanian, Arabic)."""
    from events.models import EventPage
    from payments.models.pages import CampaignPage
    from training.models.pages import CoursePage

    urls = [english("join").url, english("contact").url]
    for model in (EventPage, CoursePage, CampaignPage):
        page = model.objects.live().public().filter(locale__language_code=settings.LANGUAGE_CODE).first()
        if page is not None:
            urls.append(page.url)
    assert len(urls) >= 4, urls
    for url in urls:
        response = client.get(prefix + url)
        assert response.status_code == 200, prefix + url
        html = response.content.decode()
        assert NOTE in html, prefix + url
        language_name = dict(settings.LANGUAGES)[prefix.strip("/")]
        assert language_name in html
        assert 'lang="en-GB"' in html
        code = prefix.strip("/")
        assert f'<html lang="{code}"' in html


class _Languages(HTMLParser):
    """The language in force (closest lang attribute) at each element: [(tag, attrs, lang)]."""

    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.found = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = attrs.get("lang") or (self.stack[-1][1] if self.stack else None)
        self.found.append((tag, attrs, lang))
        if tag not in self.VOID:
            self.stack.append((tag, lang))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break


def languages(html: str) -> list[tuple[str, dict, str]]:
    parser = _Languages()
    parser.feed(html)
    return parser.found


def test_fallback_marks_only_the_content_as_english_not_the_interface(client, demo_site):
    """Arabic reader, English event page: the title, summary and body are lang="en-GB" dir="ltr";
    the interface around them (the Book button, the booking form) follows <html lang="ar">."""
    from events.models import EventPage

    event = EventPage.objects.live().public().filter(locale__language_code=settings.LANGUAGE_CODE).first()
    html = client.get("/ar" + event.url).content.decode()
    found = languages(html)
    assert '<div class="page-content">' in html
    h1 = next((tag, attrs, lang) for tag, attrs, lang in found if tag == "h1")
    assert h1[1].get("lang") == "en-GB" and h1[1].get("dir") == "ltr", h1
    lead = next(attrs for tag, attrs, _lang in found if "lead" in (attrs.get("class") or ""))
    assert lead.get("lang") == "en-GB", lead
    book = [lang for tag, attrs, lang in found if tag == "a" and (attrs.get("href") or "").endswith("/book/")]
    assert book and set(book) == {"ar"}, book

    html = client.get(f"/ar/events/{event.pk}/book/").content.decode()
    form_langs = {lang for tag, attrs, lang in languages(html) if tag in {"form", "label", "button"}}
    assert form_langs == {"ar"}, form_langs
    assert f'<span lang="en-GB" dir="ltr">{event.title}</span>' in html

    # A translated page: nothing is marked English (the listed events are: never translated).
    html = client.get("/vi/about/").content.decode()
    assert not any(lang == "en-GB" for tag, _attrs, lang in languages(html) if tag in {"h1", "p"})
    # English reader: no marks at all.
    english_page = languages(client.get(event.url).content.decode())
    assert not [attrs for tag, attrs, _lang in english_page if tag in {"h1", "p", "div"} and "lang" in attrs]


@pytest.mark.parametrize("prefix", ["", "/vi", "/ar"])
def test_links_to_site_paths_in_content_keep_the_readers_language(client, demo_site, prefix):
    """Join the network links to the application form as a path in rich text: the link leads to
    the form in the reader's language."""
    html = client.get(prefix + "/join/").content.decode()
    assert f'href="{prefix}/membership/apply/"' in html
    assert f'href="{prefix}/membership/alumni/"' in html


def test_note_on_an_alias_still_showing_english(client, demo_site):
    """A page in the Vietnamese tree that is an alias of an English page shows English content."""
    vi_home = HomePage.objects.get(locale=vietnamese())
    join = english("join")
    alias = join.create_alias(parent=vi_home, update_locale=vietnamese(), update_slug="tham-gia")
    response = client.get("/vi/tham-gia/")
    assert response.status_code == 200
    html = response.content.decode()
    assert alias.title in html
    assert NOTE in html


def test_missing_pages_are_still_404_in_every_language(client, demo_site):
    for url in ("/no-such-page/", "/vi/no-such-page/", "/sq/about/no-such-child/"):
        assert client.get(url).status_code == 404, url


def test_english_address_of_a_translation_with_another_slug_redirects_to_it(client, demo_site):
    about_vi = english("about").get_translation(vietnamese())
    about_vi.slug = "ve-chung-toi"
    about_vi.save_revision().publish()
    response = client.get("/vi/about/")
    assert response.status_code == 302
    assert response["Location"] == "/vi/ve-chung-toi/"
    assert client.get("/vi/ve-chung-toi/").status_code == 200


def test_hreflang_alternates_of_translated_pages_resolve(client, demo_site):
    for url in ("/", "/about/", "/vi/about/", "/vi/"):
        links = alternates(client.get(url).content.decode())
        assert set(links) == {"en-GB", "vi", "x-default"}, (url, links)
        assert links["x-default"] == links["en-GB"]
        for href in links.values():
            assert client.get(site_path(href)).status_code == 200, href
    about = alternates(client.get("/about/").content.decode())
    assert site_path(about["en-GB"]) == "/about/"
    assert site_path(about["vi"]) == "/vi/about/"


def test_hreflang_of_an_untranslated_page_names_only_english(client, demo_site):
    for url in ("/join/", "/vi/join/"):
        links = alternates(client.get(url).content.decode())
        assert set(links) == {"en-GB", "x-default"}, (url, links)
        assert site_path(links["en-GB"]) == "/join/"


def test_editor_can_translate_a_standard_page(client, demo_site):
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    sign_in_with_second_factor(client, editor)
    join = english("join")
    url = f"/admin/translation/submit/page/{join.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"locales": [vietnamese().pk]})
    assert response.status_code == 302
    translated = join.get_translation(vietnamese())
    assert response["Location"] == f"/admin/pages/{translated.pk}/edit/"
    assert isinstance(translated.specific, StandardPage)
    assert not translated.live  # a draft until the editor has translated and published it
    assert client.get(response["Location"]).status_code == 200


def test_pages_that_carry_bookings_cannot_be_translated(client, demo_site):
    from events.models import EventPage

    sign_in_with_second_factor(client, UserFactory(is_staff=True, is_superuser=True))
    event = EventPage.objects.live().first()
    url = f"/admin/translation/submit/page/{event.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert "stay in English" in response.content.decode()
    client.post(url, {"locales": [vietnamese().pk]})
    assert not EventPage.objects.filter(locale=vietnamese()).exists()
    with pytest.raises(PageNotTranslatable):
        event.copy_for_translation(vietnamese(), copy_parents=True)
    # The home page's subtree holds events: the subtree option is not offered for it.
    home = HomePage.objects.get(locale__language_code=settings.LANGUAGE_CODE)
    form_html = client.get(f"/admin/translation/submit/page/{home.pk}/").content.decode()
    assert 'type="hidden" name="include_subtree"' in form_html


def queries_for(client, url: str) -> tuple[int, int]:
    """Queries of a signed-in request (never page-cached): with every cache empty, then warm."""
    from django.core.cache import cache

    cache.clear()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        counts.append(len(captured))
    return tuple(counts)


def test_query_counts_of_translated_and_fallback_pages_equal_english(client, demo_site):
    from events.models import EventPage

    client.get("/")  # the very first request creates the site settings (one purge)
    client.force_login(UserFactory())
    event = EventPage.objects.live().first().url
    for english_url, other_urls in (
        ("/about/", ["/vi/about/"]),  # translated
        ("/", ["/vi/"]),  # translated home page
        ("/join/", ["/vi/join/", "/sq/join/"]),  # not translated: English with the note
        (event, [f"/vi{event}", f"/ar{event}"]),  # never translated (bookings)
    ):
        english_counts = queries_for(client, english_url)
        for url in other_urls:
            assert queries_for(client, url) == english_counts, (url, english_url)


def test_anonymous_pages_are_cached_per_language(client, demo_site):
    assert "Về chúng tôi" in client.get("/vi/about/").content.decode()
    assert "Về chúng tôi" not in client.get("/about/").content.decode()
    assert NOTE in client.get("/vi/join/").content.decode()
    assert NOTE not in client.get("/join/").content.decode()


def test_localized_page_url_keeps_the_reader_in_their_language(rf, demo_site):
    from django.utils import translation

    from content_translation.templatetags.content_translation import localized_url

    about, join = english("about"), english("join")
    request = rf.get("/")
    with translation.override("vi"):
        assert localized_url(about, request) == "/vi/about/"
        assert localized_url(join, request) == "/vi/join/"
    assert localized_url(join, request) == "/join/"
    assert Page.objects.get(pk=about.pk).get_translation(vietnamese()).live


def test_switching_language_on_a_page_with_its_own_slug(client, demo_site):
    """The switcher keeps the path; a translated slug is found in its own tree and the reader is
    sent to the page in the language they chose."""
    about_vi = english("about").get_translation(vietnamese())
    about_vi.slug = "ve-chung-toi"
    about_vi.save_revision().publish()
    assert client.get("/ve-chung-toi/")["Location"] == "/about/"
    assert client.get("/sq/ve-chung-toi/")["Location"] == "/sq/about/"
    assert client.get("/sq/about/").status_code == 200


def test_menu_and_links_keep_the_reader_in_their_language(client, demo_site):
    html = client.get("/vi/").content.decode()
    assert 'href="/vi/about/"' in html  # the menu: the translation
    assert "Về chúng tôi" in html
    assert 'href="/vi/join/"' in html  # the home page's call to action: English under /vi/
    assert 'href="/vi/safety/"' in html  # the quick-exit safety link
    english_html = client.get("/").content.decode()
    assert 'href="/about/"' in english_html
    assert 'href="/join/"' in english_html


def test_search_finds_translated_pages_and_links_in_the_readers_language(client, demo_site):
    html = client.get("/vi/search/", {"q": "sống sót"}).content.decode()
    assert 'href="/vi/about/"' in html
    html = client.get("/vi/search/", {"q": "survivor leaders"}).content.decode()
    assert 'href="/vi/' in html and 'href="/about/"' not in html
    english = client.get("/search/", {"q": "sống sót"}).content.decode()
    assert 'href="/vi/about/"' not in english


def test_links_to_english_pages_carry_the_readers_prefix(client, demo_site):
    """Listings, `{% pageurl %}` and emails made in a reader's language link to /vi/... (the
    English page with the note, or its translation), not out of the reader's language."""
    from django.utils import translation

    from events.models import EventIndexPage, EventPage

    event = EventPage.objects.live().first()
    english_url = event.url
    with translation.override("vi"):
        assert event.url == "/vi" + english_url
        assert event.full_url.endswith("/vi" + english_url)
        assert english("about").url == "/vi/about/"
    assert event.url == english_url
    index = EventIndexPage.objects.live().first()
    html = client.get("/vi" + index.url).content.decode()
    assert f'href="/vi{english_url}"' in html
    assert f'href="{english_url}"' not in html
