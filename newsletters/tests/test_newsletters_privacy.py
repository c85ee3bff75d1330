"""Privacy acceptance of issue 18: what a newsletter email carries, as the SMTP server received
it (conftest's `smtp_server`, Django's SMTP backend); a discreet member's copy; who may see
subscriber lists; and the member's export of their consent records.

- No tracking: every link in the email is one the issue's web page shows, or the reader's own
  unsubscribe link, or "read it in your browser"; every image is on our own site, with no
  query string and not pixel-sized; two readers' copies differ only by their unsubscribe link.
- A member in discreet mode who ticks a list on their account page gets copies from the
  neutral sender with the neutral subject, naming neither the list nor the issue in the headers.
- Subscriber lists (and the mailing screens) open for Communications and superusers only.
- The member's export (/account/data/export.json) holds each subscription's consent record.
"""

import io
import json
import re

import pytest
from allauth.account.models import EmailAddress
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Page

from accounts.tests.factories import (
    MemberProfileFactory,
    PartnerContactFactory,
    UserFactory,
    sign_in_with_second_factor,
)
from accounts.tests.test_access_matrix import LOGIN, OK, REFUSED, classify
from cms.models import StandardPage
from core.email import neutral_sender
from core.links import absolute
from newsletters.consent import ACCOUNT_VERSION, ACCOUNT_WORDING, SIGN_UP_VERSION, SIGN_UP_WORDING
from newsletters.models import Mailing, MailingList, NewsletterIndexPage, NewsletterPage, Subscription
from newsletters.tests.test_sending import send_all, started_mailing, subscribe

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

EXTERNAL = "https://example.org/report?year=2026"
CTA_URL = "https://partners.example.net/join"
EMBED_URL = "https://www.youtube.com/watch?v=abc123"
PIXEL = "https://tracker.example/open.gif"
ISSUE_TITLE = "Spring news from the network"


def _png(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (91, 42, 134)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def home():
    return Page.get_first_root_node().get_children().first().specific


@pytest.fixture
def supporters(home):
    return MailingList.objects.create(name="Supporters’ news", slug="supporters", language="en-gb")


@pytest.fixture
def smtp(smtp_server, settings):
    smtp_server.reset()
    settings.MAILERS = smtp_server.mailers()
    return smtp_server


def issue_with_every_kind_of_link_and_image(home, mailing_list) -> NewsletterPage:
    """An issue whose editor wrote an outside link, a link to our own page, a call to action,
    an outside video, our own picture, and pasted a 1x1 tracking pixel and one of our pictures
    with a per-reader query string into the text (both must be dropped)."""
    about = home.add_child(instance=StandardPage(title="About us", slug="about-privacy"))
    about.save_revision().publish()
    archive = home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="news-privacy"))
    archive.save_revision().publish()
    picture = get_image_model().objects.create(title="Leaders", file=SimpleUploadedFile("leaders.png", _png()))
    body = [
        {"type": "heading", "value": {"text": "A course finished", "level": "h2"}},
        {
            "type": "paragraph",
            "value": (
                f'<p>Read <a href="{EXTERNAL}">the report</a> and <a linktype="page" id="{about.pk}">about us</a>.</p>'
                f'<p><img src="{PIXEL}" width="1" height="1" alt=""></p>'
                '<p><img src="/media/images/leaders.png?reader=42" alt=""></p>'
            ),
        },
        {"type": "image", "value": {"image": picture.pk, "alt_text": "Twelve leaders", "decorative": False}},
        {
            "type": "call_to_action",
            "value": {"title": "Join in", "text": "", "page": None, "external_url": CTA_URL, "button_label": "Join"},
        },
        {"type": "embed", "value": {"url": EMBED_URL, "title": "Our story", "description": ""}},
    ]
    issue = NewsletterPage(
        title=ISSUE_TITLE,
        slug="spring-news",
        intro="Twelve leaders finished the course.",
        mailing_list=mailing_list,
        body=json.dumps(body),
    )
    archive.add_child(instance=issue)
    issue.save_revision().publish()
    return issue


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def unsubscribe_link(message) -> str:
    return message["List-Unsubscribe"].strip().removeprefix("<").removesuffix(">")


def links_of(html: str, within: str | None = None) -> set[str]:
    soup = BeautifulSoup(html, "html.parser")
    scope = soup.select_one(within) if within else soup
    return {absolute(a["href"]) if a["href"].startswith("/") else a["href"] for a in scope.find_all("a", href=True)}


# No tracking ----------------------------------------------------------------------------------


def test_every_link_in_a_delivered_newsletter_is_one_its_web_page_shows_or_ours_and_every_image_is_our_own(
    client, smtp, home, supporters
):
    subscribe(supporters, "sam@example.org")
    subscribe(supporters, "kim@example.org")
    issue = issue_with_every_kind_of_link_and_image(home, supporters)
    mailing = started_mailing(supporters, issue)
    send_all(mailing)
    copies = {received.recipient: received.message for received in smtp.messages()}
    assert set(copies) == {"sam@example.org", "kim@example.org"}

    web_page = client.get(issue.url)  # public once its mailing has started
    assert web_page.status_code == 200
    page_links = links_of(web_page.content.decode(), within=".stream")
    assert {EXTERNAL, CTA_URL, EMBED_URL} <= page_links  # what the editor wrote is on the page

    for address, message in copies.items():
        html = html_of(message)
        view_in_browser = absolute(issue.url)
        assert links_of(html) == page_links | {unsubscribe_link(message), view_in_browser}, address
        images = BeautifulSoup(html, "html.parser").find_all("img")
        assert len(images) == 1  # our own picture; the pixel and the one with a query string dropped
        for image in images:
            source = image["src"]
            assert source.startswith(settings.SITE_URL.rstrip("/") + "/media/images/")
            assert "?" not in source and "#" not in source
            assert image.get("width") not in ("0", "1") and image.get("height") not in ("0", "1")
        raw = message.as_string()
        assert "tracker.example" not in raw and "reader=42" not in raw
        assert "url(" not in html  # no background image by CSS either
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert {url for url in re.findall(r"https?://[^\s)]+", text)} <= page_links | {
            unsubscribe_link(message),
            view_in_browser,
        }

    # Nothing tells one reader's copy from another's but their own unsubscribe link.
    sam, kim = copies["sam@example.org"], copies["kim@example.org"]
    assert unsubscribe_link(sam) != unsubscribe_link(kim)
    assert html_of(sam).replace(unsubscribe_link(sam), "LINK") == html_of(kim).replace(unsubscribe_link(kim), "LINK")
    assert "sam@example.org" not in html_of(sam) and "kim" not in html_of(kim)


# Discreet mode --------------------------------------------------------------------------------


def test_a_discreet_member_who_ticks_a_list_on_their_account_gets_copies_with_the_neutral_sender_and_subject(
    client, smtp, home, supporters, django_capture_on_commit_callbacks
):
    member = MemberProfileFactory(discreet_mode=True).user
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    subscribe(supporters, "open@example.org")
    assert not Subscription.objects.filter(email=member.email).exists()  # never added by anyone else
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/newsletters/account/", {"lists": [supporters.pk]})
    assert response.status_code == 302
    chosen = Subscription.objects.get(email=member.email)
    assert chosen.status == Subscription.Status.CONFIRMED and chosen.method == Subscription.Method.ACCOUNT

    issue = issue_with_every_kind_of_link_and_image(home, supporters)
    send_all(started_mailing(supporters, issue))
    copies = {received.recipient: received for received in smtp.messages()}
    quiet, open_copy = copies[member.email], copies["open@example.org"]

    assert quiet.message["From"] == neutral_sender()
    assert quiet.message["Subject"] == settings.DISCREET_SUBJECT
    headers = "\n".join(f"{name}: {value}" for name, value in quiet.message.items())
    assert "Supporters" not in headers and ISSUE_TITLE not in headers and "Thrive" not in headers
    head = html_of(quiet.message).split("<body", 1)[0]
    assert ISSUE_TITLE not in head  # the <title> mail apps may show
    assert quiet.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"  # still one click to leave
    # Someone not in discreet mode gets the usual sender and subject.
    assert open_copy.message["From"] == settings.DEFAULT_FROM_EMAIL and open_copy.message["Subject"] == ISSUE_TITLE


# Who sees subscribers ------------------------------------------------------------------------

STAFF_GROUPS = {
    "trainer": "Trainers",
    "event_staff": "Event staff",
    "finance": "Finance",
    "membership": "Membership",
    "editor": "Editors",
    "organiser": "Chapter organisers",
    "communications": "Communications",
}
SEES_SUBSCRIBERS = {"communications", "superuser"}


def every_role() -> dict:
    users = {
        "anonymous": AnonymousUser(),
        "member": MemberProfileFactory().user,
        "partner": PartnerContactFactory().user,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    users |= {role: UserFactory(groups=[group]) for role, group in STAFF_GROUPS.items()}
    return users


def test_subscriber_lists_and_mailings_open_for_communications_and_superusers_and_no_other_role(client, supporters):
    subscribe(supporters, "listed.reader@example.org")
    issue_page = NewsletterPage(title="Issue", slug="issue", mailing_list=supporters)
    archive = NewsletterIndexPage(title="Newsletter", slug="news-roles")
    Page.get_first_root_node().get_children().first().add_child(instance=archive)
    archive.add_child(instance=issue_page)
    mailing = Mailing.objects.create(newsletter=issue_page, mailing_list=supporters, send_at=timezone.now())
    urls = [
        "/admin/newsletters/lists/",
        f"/admin/newsletters/lists/{supporters.pk}/subscribers/",
        f"/admin/newsletters/lists/{supporters.pk}/subscribers/?q=listed.reader%40example.org",
        "/admin/newsletters/lists/new/",
        f"/admin/newsletters/lists/{supporters.pk}/edit/",
        "/admin/newsletters/mailings/",
        "/admin/newsletters/mailings/new/",
        f"/admin/newsletters/mailings/{mailing.pk}/",
        f"/admin/newsletters/mailings/{mailing.pk}/status.json",
    ]
    found = {}
    for role, user in every_role().items():
        client.logout()
        if role in STAFF_GROUPS or role == "superuser":
            sign_in_with_second_factor(client, user)
        elif user.is_authenticated:
            client.force_login(user)
        for url in urls:
            response = client.get(url)
            found[(role, url)] = classify(response)
            if "listed.reader" in response.content.decode():
                found[(role, url)] += " and shows the address"
    expected = {}
    for role in every_role_names():
        for url in urls:
            if role in SEES_SUBSCRIBERS:
                shown = url.endswith(("/subscribers/", "%40example.org"))
                expected[(role, url)] = OK + (" and shows the address" if shown else "")
            else:
                expected[(role, url)] = LOGIN if role in ("anonymous", "member", "partner") else REFUSED
    assert found == expected


def every_role_names() -> list[str]:
    return ["anonymous", "member", "partner", "superuser", *STAFF_GROUPS]


# The member's export --------------------------------------------------------------------------


def test_the_members_own_export_holds_each_subscription_with_its_consent_record(
    client, supporters, django_capture_on_commit_callbacks
):
    member = MemberProfileFactory().user
    members_list = MailingList.objects.create(name="Members’ bulletin", slug="members", audience="members")
    client.force_login(member)
    # Signed up with the public form (double opt-in, confirmed from the email's link)...
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/newsletters/subscribe/", {"email": member.email, "lists": [supporters.pk]})
    (confirmation,) = mail.outbox
    link = re.search(r"https?://\S+(/newsletters/confirm/[^/\s]+/)", confirmation.body).group(1)
    assert client.post(link, {"list": [supporters.pk]}).status_code == 200
    # ...and ticked the members' list on their account page (verified address: at once).
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    client.post("/newsletters/account/", {"lists": [supporters.pk, members_list.pk]})
    # Someone else's subscription is not in it.
    subscribe(supporters, "someone.else@example.org")

    response = client.get("/account/data/export.json")
    assert response.status_code == 200
    rows = {row["mailing_list"]: row for row in response.json()["newsletters.Subscription"]}
    assert set(rows) == {supporters.pk, members_list.pk}
    form, account = rows[supporters.pk], rows[members_list.pk]
    assert form["email"] == member.email and form["status"] == "confirmed" and form["method"] == "form"
    assert form["consent_wording"] == str(SIGN_UP_WORDING) and form["consent_version"] == SIGN_UP_VERSION
    assert form["requested_at"] and form["confirmed_at"]
    assert account["method"] == "account" and account["status"] == "confirmed"
    assert account["consent_wording"] == str(ACCOUNT_WORDING) and account["consent_version"] == ACCOUNT_VERSION
    assert account["requested_at"] and account["confirmed_at"]
    assert "someone.else@example.org" not in response.content.decode()
