"""The Atom and RSS feeds (issue 19) read back with feedparser: well formed (bozo 0), the right
entries with the right titles and absolute links, and nothing about members."""

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone
from wagtail.models import Page

from accounts.tests.factories import MemberProfileFactory
from events.tests.factories import RegistrationFactory, make_event
from newsletters.models import Mailing, MailingList, NewsletterIndexPage, NewsletterPage
from training.tests.factories import enrol, make_cohort, make_course

pytestmark = pytest.mark.django_db

FEEDS = ["events.atom", "events.rss", "courses.atom", "courses.rss", "news.atom", "news.rss"]
MEMBER_NAME = "Quillon Fernsby"
MEMBER_EMAIL = "quillon.fernsby@example.org"


@pytest.fixture
def content():
    member = MemberProfileFactory(display_name=MEMBER_NAME, user__email=MEMBER_EMAIL)
    event = make_event(title="Spring gathering")
    RegistrationFactory(event=event, email=MEMBER_EMAIL, attendee_name=MEMBER_NAME)
    make_event(title="Members only supper", audience="members")
    make_event(
        title="Old meeting",
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=30, hours=-2),
    )
    course = make_course(title="Leadership foundations", modules=0)
    enrol(member.user, make_cohort(course, starts_in_days=14))
    home = Page.get_first_root_node().get_children().first()
    archive = home.add_child(instance=NewsletterIndexPage(title="News", slug="feed-news"))
    public = MailingList.objects.create(name="Supporters", slug="feed-supporters")
    members = MailingList.objects.create(name="Members", slug="feed-members", audience="members")
    for title, mailing_list, sent in (
        ("Winter news", public, True),
        ("Members letter", members, True),
        ("Draft news", public, False),
    ):
        issue = archive.add_child(
            instance=NewsletterPage(title=title, slug=title.lower().replace(" ", "-"), intro=f"{title} intro")
        )
        if sent:
            Mailing.objects.create(newsletter=issue, mailing_list=mailing_list, status="sent", send_at=timezone.now())
    return {"event": event, "course": course, "archive": archive}


def parse(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response, feedparser.parse(response.content)


@pytest.mark.parametrize("name", FEEDS)
def test_every_feed_parses_without_errors_and_carries_no_member_data(client, content, name):
    response, feed = parse(client, f"/feeds/{name}")
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.entries
    text = response.content.decode()
    assert MEMBER_NAME not in text and MEMBER_EMAIL not in text and "@" not in text
    assert not response.cookies


def test_the_events_feed_lists_upcoming_public_events_with_their_pages(client, content, settings):
    for name in ("events.atom", "events.rss"):
        _response, feed = parse(client, f"/feeds/{name}")
        assert [entry.title for entry in feed.entries] == ["Spring gathering"]
        assert feed.entries[0].link == settings.SITE_URL.rstrip("/") + content["event"].url
        assert feed.feed.title.endswith("upcoming events")


def test_the_courses_feed_lists_courses_with_a_run_to_come(client, content, settings):
    _response, feed = parse(client, "/feeds/courses.atom")
    assert [entry.title for entry in feed.entries] == ["Leadership foundations"]
    assert feed.entries[0].link == settings.SITE_URL.rstrip("/") + content["course"].url


def test_the_news_feed_lists_only_issues_sent_to_a_public_list(client, content, settings):
    for name in ("news.atom", "news.rss"):
        _response, feed = parse(client, f"/feeds/{name}")
        assert [entry.title for entry in feed.entries] == ["Winter news"]
        issue = NewsletterPage.objects.get(title="Winter news")
        assert feed.entries[0].link == settings.SITE_URL.rstrip("/") + issue.url


def test_a_feed_in_another_language_has_our_words_translated_and_links_kept_in_it(client, content):
    _response, feed = parse(client, "/vi/feeds/events.atom")
    assert feed.bozo == 0
    assert feed.feed.language == "vi"
    assert feed.entries[0].link.endswith("/vi" + content["event"].url)


def test_the_listing_pages_link_their_feeds_in_the_head(client, content):
    html = client.get(content["archive"].url).content.decode()
    head = html[: html.index("</head>")]
    assert '<link rel="alternate" type="application/atom+xml" href="/feeds/news.atom"' in head
    assert '<link rel="alternate" type="application/rss+xml" href="/feeds/news.rss"' in head
    event_index = content["event"].get_parent()
    head = client.get(event_index.url).content.decode().split("</head>")[0]
    assert 'href="/feeds/events.atom"' in head
