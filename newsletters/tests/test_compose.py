"""Writing newsletters and the archive (issue 18, items 2 and 4): the email made from the page,
the admin's preview and test copy, and who reads which issue on the web."""

import io
import json
import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, streamfield

from accounts.tests.factories import MemberProfileFactory, UserFactory, sign_in_with_second_factor
from cms.models import StandardPage
from core.links import absolute
from newsletters.models import Mailing, MailingList, NewsletterIndexPage, NewsletterPage, Subscription
from newsletters.rendering import (
    UNSUBSCRIBE_PLACEHOLDER,
    html_to_text,
    message_for_recipient,
    newsletter_message,
    newsletter_render,
    preview_unsubscribe_url,
)
from newsletters.tokens import unsubscribe_url

pytestmark = pytest.mark.django_db

EXTERNAL = "https://example.org/report?year=2026&part=2"
CTA_URL = "https://partners.example.net/join"
EMBED_URL = "https://www.youtube.com/watch?v=abc123"
FOREIGN_IMAGE = "https://tracker.example/p.gif"


def _png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), (91, 42, 134)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def home():
    root = Page.get_first_root_node()
    return root.get_children().first().specific


@pytest.fixture
def archive(home):
    index = home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="news-test"))
    index.save_revision().publish()
    return index


@pytest.fixture
def lists():
    return {
        "public": MailingList.objects.create(name="Supporters", slug="supporters", audience="public"),
        "members": MailingList.objects.create(name="Members", slug="members", audience="members"),
    }


@pytest.fixture
def about(home):
    page = home.add_child(instance=StandardPage(title="About us", slug="about-test"))
    page.save_revision().publish()
    return page


def _issue(archive, mailing_list, *, title="Winter news", slug=None, body=None, intro="Twelve leaders finished."):
    page = NewsletterPage(
        title=title,
        slug=slug or re.sub(r"\W+", "-", title.lower()),
        intro=intro,
        mailing_list=mailing_list,
        body=json.dumps(body or [{"type": "paragraph", "value": "<p>Hello.</p>"}]),
    )
    archive.add_child(instance=page)
    page.save_revision().publish()
    return page


def _rich_issue(archive, mailing_list, about):
    image = get_image_model().objects.create(title="Leaders", file=SimpleUploadedFile("leaders.png", _png()))
    body = [
        {"type": "heading", "value": {"text": "A course finished", "level": "h2"}},
        {
            "type": "paragraph",
            "value": (
                f'<p>Read <a href="{EXTERNAL}">the report</a> and <a linktype="page" id="{about.pk}">about us</a>.</p>'
                f'<p><img src="{FOREIGN_IMAGE}" width="1" height="1" alt=""></p>'
                f'<p><img src="/media/images/x.png?reader=42" alt=""></p>'
                "<ul><li>First</li><li>Second</li></ul>"
            ),
        },
        {"type": "image", "value": {"image": image.pk, "alt_text": "Twelve leaders", "decorative": False}},
        {"type": "quote", "value": {"text": "We grow together.", "attribution": "A leader"}},
        {
            "type": "call_to_action",
            "value": {"title": "Join in", "text": "", "page": None, "external_url": CTA_URL, "button_label": "Join"},
        },
        {"type": "embed", "value": {"url": EMBED_URL, "title": "Our story", "description": ""}},
    ]
    return _issue(archive, mailing_list, body=body), image


def _hrefs(html: str) -> list[str]:
    return [a["href"] for a in BeautifulSoup(html, "html.parser").find_all("a", href=True)]


def _sent(page, mailing_list, status=Mailing.Status.SENT, days_ago=3):
    when = timezone.now() - timedelta(days=days_ago)
    return Mailing.objects.create(
        newsletter=page, mailing_list=mailing_list, status=status, send_at=when, started_at=when, subject=page.title
    )


def _subscription(mailing_list, email="reader@example.org"):
    return Subscription.objects.create(
        mailing_list=mailing_list,
        email=email,
        status=Subscription.Status.CONFIRMED,
        method=Subscription.Method.SIGN_UP_FORM,
        consent_wording="Keep me posted.",
        consent_version="1",
    )


# The email ----------------------------------------------------------------------------------


def test_the_email_carries_its_styles_on_each_element_in_system_fonts_within_600_pixels(archive, lists, about):
    page, _image = _rich_issue(archive, lists["public"], about)
    _subject, html, _text = newsletter_render(page)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("style") is None and soup.find("link") is None
    assert "@font-face" not in html and "fonts.googleapis" not in html
    assert "max-width: 600px" in soup.find("div", class_="message")["style"]
    assert "font-family: system-ui" in soup.body["style"]
    assert "font-size: 28px" in soup.h1["style"]
    assert "background-color: #5b2a86" in soup.find("a", string="Join")["style"]


def test_images_come_only_from_our_own_site_and_nothing_shaped_like_a_tracking_pixel(archive, lists, about):
    page, image = _rich_issue(archive, lists["public"], about)
    _subject, html, _text = newsletter_render(page)
    images = BeautifulSoup(html, "html.parser").find_all("img")
    rendition = image.get_rendition("width-1200")
    assert [img["src"] for img in images] == [absolute(rendition.url)]
    assert images[0]["alt"] == "Twelve leaders"
    for img in images:
        assert img["src"].startswith(settings.SITE_URL.rstrip("/") + "/")
        assert "?" not in img["src"]
        assert img.get("width") not in ("0", "1") and img.get("height") not in ("0", "1")
    assert FOREIGN_IMAGE not in html and "reader=42" not in html


def test_links_are_the_ones_the_editor_wrote_plus_the_browser_and_unsubscribe_links(archive, lists, about):
    page, _image = _rich_issue(archive, lists["public"], about)
    subscription = _subscription(lists["public"])
    _subject, html, text = newsletter_render(page, subscription=subscription)
    assert set(_hrefs(html)) == {
        EXTERNAL,  # exactly as written: not rewritten through a redirect
        absolute(about.url),  # our own page, only made absolute
        CTA_URL,
        EMBED_URL,
        absolute(page.url),  # read in your browser (a public list)
        unsubscribe_url(subscription),
    }
    assert unsubscribe_url(subscription) in text


def test_the_plain_text_alternative_has_the_words_headings_lists_and_link_addresses(archive, lists, about):
    page, _image = _rich_issue(archive, lists["public"], about)
    _subject, _html, text = newsletter_render(page)
    assert text.startswith("Winter news\n===========\n")
    assert "Twelve leaders finished." in text
    assert f"the report ({EXTERNAL})" in text
    assert "- First\n- Second" in text
    assert "> We grow together." in text
    assert f"Join ({CTA_URL})" in text
    assert "Unsubscribe: " + preview_unsubscribe_url() in text
    assert "<" not in text.replace("<!", "")


def test_a_discreet_recipient_gets_the_neutral_subject_title_and_preview_line(archive, lists):
    page = _issue(archive, lists["public"], title="Survivor leaders’ winter news", intro="Twelve leaders finished.")
    subject, html, _text = newsletter_render(page, discreet=True)
    assert subject == settings.DISCREET_SUBJECT
    soup = BeautifulSoup(html, "html.parser")
    assert soup.title.string == settings.DISCREET_SUBJECT
    assert soup.find("div", class_="preview").get_text() == settings.DISCREET_SUBJECT
    ordinary_subject, ordinary_html, _text = newsletter_render(page)
    assert ordinary_subject == "Survivor leaders’ winter news"
    assert "Twelve leaders finished." in BeautifulSoup(ordinary_html, "html.parser").find("div", class_="preview").text


def test_members_only_issues_have_no_read_in_your_browser_link(archive, lists):
    page = _issue(archive, lists["members"])
    _subject, html, text = newsletter_render(page)
    assert absolute(page.url) not in html and absolute(page.url) not in text
    public = _issue(archive, lists["public"], title="Public news")
    assert absolute(public.url) in _hrefs(newsletter_render(public)[1])


def test_rendered_once_the_message_is_filled_per_recipient_by_replacement_only(
    archive, lists, django_assert_num_queries
):
    page = _issue(archive, lists["public"])
    first, second = _subscription(lists["public"], "a@example.org"), _subscription(lists["public"], "b@example.org")
    message = newsletter_message(page)
    assert UNSUBSCRIBE_PLACEHOLDER in message.html and UNSUBSCRIBE_PLACEHOLDER in message.text
    links = {sub.pk: unsubscribe_url(sub) for sub in (first, second)}
    with django_assert_num_queries(0):
        copies = {
            pk: message_for_recipient(
                subject=message.subject, html=message.html, text=message.text, unsubscribe_url=link
            )
            for pk, link in links.items()
        }
    for pk, (_subject, html, text) in copies.items():
        assert links[pk] in _hrefs(html) and links[pk] in text
        assert html.replace(links[pk], UNSUBSCRIBE_PLACEHOLDER) == message.html


def test_html_to_text_numbers_ordered_lists_and_skips_images():
    text = html_to_text('<ol><li>One</li><li>Two</li></ol><p><img src="x" alt="pic">Words <a href="#top">top</a></p>')
    assert text == "1. One\n2. Two\n\nWords top\n"


# The admin: preview and test copy -------------------------------------------------------------


@pytest.fixture
def editor(client):
    user = UserFactory(groups=["Editors"], is_superuser=True, is_staff=True, email="editor@thrive.example")
    sign_in_with_second_factor(client, user)
    return user


def test_the_email_preview_mode_shows_the_email_exactly(archive, lists):
    page = _issue(archive, lists["public"])
    response = page.make_preview_request(preview_mode="email")
    html = response.content.decode()
    assert response.status_code == 200
    assert newsletter_render(page)[1] == html
    assert "unsafe-inline" in response["Content-Security-Policy"].split("style-src")[1].split(";")[0]
    text = page.make_preview_request(preview_mode="email-text")
    assert text["Content-Type"].startswith("text/plain") and text.content.decode() == newsletter_render(page)[2]
    assert ("email", "Email") in [(mode, str(label)) for mode, label in page.preview_modes]


def test_the_test_copy_is_the_latest_draft_and_goes_to_the_editor_only(client, editor, archive, lists):
    page = _issue(archive, lists["public"], title="Published title")
    _subscription(lists["public"], "reader@example.org")
    page.title = "Draft title"
    page.save_revision()
    response = client.post(reverse("newsletters_compose:send_test", args=[page.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["editor@thrive.example"] and not message.cc and not message.bcc
    assert message.subject == "Test: Draft title"
    html = message.alternatives[0].content
    assert "Draft title" in html and "Draft title" in message.body


def test_a_discreet_editor_gets_the_test_copy_neutral(client, archive, lists):
    user = UserFactory(is_superuser=True, is_staff=True, email="quiet@thrive.example")
    MemberProfileFactory(user=user, discreet_mode=True)
    sign_in_with_second_factor(client, user)
    page = _issue(archive, lists["public"])
    client.post(reverse("newsletters_compose:send_test", args=[page.pk]))
    (message,) = mail.outbox
    assert message.subject == settings.DISCREET_SUBJECT
    assert "Winter news" not in message.alternatives[0].content.split("<body")[0]


def test_the_compose_screen_warns_when_the_list_is_in_another_language(client, editor, archive):
    vietnamese = MailingList.objects.create(name="Tin tức", slug="tin-tuc", language="vi")
    page = _issue(archive, vietnamese)
    response = client.get(reverse("newsletters_compose:test", args=[page.pk]))
    assert response.status_code == 200
    assert "is for readers of Tiếng Việt" in response.content.decode()
    preview = client.get(reverse("newsletters_compose:email", args=[page.pk]))
    assert preview.status_code == 200 and "Winter news" in preview.content.decode()


def test_someone_who_may_not_edit_the_page_gets_no_preview_and_sends_nothing(client, archive, lists):
    page = _issue(archive, lists["public"])
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    sign_in_with_second_factor(client, staff)  # in the admin, but with no right to edit pages
    for response in (
        client.get(reverse("newsletters_compose:email", args=[page.pk])),
        client.post(reverse("newsletters_compose:send_test", args=[page.pk])),
    ):  # Wagtail's admin answers a refusal by sending back to the dashboard with a message
        assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    assert mail.outbox == []


# The archive ----------------------------------------------------------------------------------


def _titles(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'<h2><a href="[^"]*"[^>]*>([^<]*)</a></h2>', response.content.decode())


def test_the_archive_lists_sent_public_issues_and_nothing_unsent(client, archive, lists):
    sent = _issue(archive, lists["public"], title="Sent news")
    _sent(sent, lists["public"])
    unsent = _issue(archive, lists["public"], title="Draft news")
    assert _titles(client.get(archive.url)) == ["Sent news"]
    assert client.get(sent.url).status_code == 200
    assert client.get(unsent.url).status_code == 404


def test_members_only_issues_are_hidden_from_visitors_and_shown_to_members(client, archive, lists):
    public = _issue(archive, lists["public"], title="Public news")
    _sent(public, lists["public"], days_ago=5)
    members = _issue(archive, lists["members"], title="Members news")
    _sent(members, lists["members"], days_ago=1)
    assert _titles(client.get(archive.url)) == ["Public news"]
    assert client.get(members.url).status_code == 404

    client.force_login(MemberProfileFactory().user)
    assert _titles(client.get(archive.url)) == ["Members news", "Public news"]
    response = client.get(members.url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]

    client.logout()
    client.cookies.clear()
    assert _titles(client.get(archive.url)) == ["Public news"]  # what the member saw was not cached
    assert client.get(members.url).status_code == 404


def test_a_signed_in_account_without_membership_does_not_read_members_issues(client, archive, lists):
    members = _issue(archive, lists["members"], title="Members news")
    _sent(members, lists["members"])
    client.force_login(UserFactory())
    assert _titles(client.get(archive.url)) == []
    assert client.get(members.url).status_code == 404


def test_the_cached_archive_shows_an_issue_as_soon_as_its_mailing_starts(client, settings, archive, lists):
    settings.PAGE_CACHE_SECONDS = 300
    issue = _issue(archive, lists["public"], title="Spring news")
    client.get(archive.url)  # the first request of a fresh database creates the site settings, which purges
    assert _titles(client.get(archive.url)) == []
    assert client.get(archive.url)["X-Page-Cache"] == "hit"
    _sent(issue, lists["public"], status=Mailing.Status.SENDING)
    assert _titles(client.get(archive.url)) == ["Spring news"]


def test_a_list_made_members_only_retires_the_cached_public_copy(client, settings, archive, lists):
    settings.PAGE_CACHE_SECONDS = 300
    issue = _issue(archive, lists["public"])
    _sent(issue, lists["public"])
    client.get(issue.url)  # (as above)
    assert client.get(issue.url).status_code == 200
    assert client.get(issue.url)["X-Page-Cache"] == "hit"
    lists["public"].audience = MailingList.Audience.MEMBERS
    lists["public"].save()
    assert client.get(issue.url).status_code == 404


def test_newsletters_are_not_in_the_site_search(client, home, archive, lists):
    issue = _issue(archive, lists["members"], title="Quarterly bulletin")
    _sent(issue, lists["members"])
    report = home.add_child(instance=StandardPage(title="Quarterly report", slug="quarterly-report"))
    report.save_revision().publish()
    content = client.get("/search/", {"q": "Quarterly"}).content.decode()
    assert report.url in content  # the search works here
    assert issue.url not in content


def test_the_edit_screen_offers_the_test_and_warns_of_a_list_in_another_language(client, editor, archive):
    vietnamese = MailingList.objects.create(name="Tin tức", slug="tin-tuc", language="vi")
    page = _issue(archive, vietnamese)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("newsletters_compose:test", args=[page.pk]) in content
    assert "is for readers of Tiếng Việt" in content
    new = client.get(reverse("wagtailadmin_pages:add", args=["newsletters", "newsletterpage", archive.pk]))
    assert new.status_code == 200 and "Once the page is saved" in new.content.decode()


def test_the_admin_live_preview_shows_the_unsaved_email(client, editor, archive, lists):
    page = _issue(archive, lists["public"])
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
    data = nested_form_data(
        {
            "title": "Typed but not saved",
            "slug": page.slug,
            "intro": "",
            "body": streamfield([]),
            "mailing_list": lists["public"].pk,
        }
    )
    assert client.post(url, data).json()["is_valid"] is True
    response = client.get(url, {"mode": "email"})
    assert response.status_code == 200
    assert "<h1" in response.content.decode() and "Typed but not saved" in response.content.decode()
    assert "script-src" not in response["Content-Security-Policy"]


def test_communications_may_write_and_publish_newsletters_under_an_archive_and_no_other_page(home, archive):
    from accounts.tests.factories import StaffFactory

    writer = StaffFactory(groups=["Communications"])
    assert writer.groups.filter(name="Communications").exists()
    assert archive.permissions_for_user(writer).can_add_subpage()
    assert archive.permissions_for_user(writer).can_publish_subpage()
    assert not home.permissions_for_user(writer).can_edit()
