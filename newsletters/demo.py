"""Demo newsletters (`seed_demo`, SEED_DEMO_HOOK): lists in English and Vietnamese, the
newsletter archive under the home page (and under the Vietnamese home page, translated), and
one issue that looks sent (a finished mailing with no recipients: nobody is emailed).

Idempotent: lists by slug, pages by slug under their parent, the mailing by its newsletter.
The Vietnamese text was written for the demo and NEEDS REVIEW BY A NATIVE SPEAKER.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from wagtail.models import Locale

from cms.models import HomePage
from content_translation.demo import translate_page
from newsletters.models import Mailing, MailingList, NewsletterIndexPage, NewsletterPage

Audience = MailingList.Audience

LISTS = [
    {
        "slug": "supporters-en",
        "name": "Supporters’ news",
        "description": "News from the network every two months: what survivor leaders did, and how to help.",
        "audience": Audience.PUBLIC,
        "language": "en-gb",
    },
    {
        "slug": "members-en",
        "name": "Members’ bulletin",
        "description": "For members: courses opening, gatherings, and opportunities to speak and lead.",
        "audience": Audience.MEMBERS,
        "language": "en-gb",
    },
    {
        "slug": "supporters-vi",
        "name": "Tin tức cho người ủng hộ",
        "description": "Tin tức từ mạng lưới hai tháng một lần.",
        "audience": Audience.PUBLIC,
        "language": "vi",
    },
]

ARCHIVE = {"title": "Newsletter", "slug": "news", "intro": "Our newsletters to supporters, as they were sent."}
ARCHIVE_VI = {"title": "Bản tin", "intro": "Các bản tin chúng tôi đã gửi đến người ủng hộ."}


def _stream(*blocks: tuple[str, object]) -> str:
    return json.dumps([{"type": kind, "value": value} for kind, value in blocks])


ISSUE = {
    "title": "Winter news: leaders in training",
    "slug": "winter-news",
    "intro": "Twelve survivor leaders finished the foundations course, and a new chapter is on its way.",
}


def _issue_body(donate_page_id: int | None) -> str:
    return _stream(
        ("heading", {"text": "A course finished together", "level": "h2"}),
        (
            "paragraph",
            "<p>Twelve survivor leaders finished <b>Foundations of survivor leadership</b> this autumn. "
            "Each of them now mentors someone starting the course.</p>",
        ),
        ("quote", {"text": "Leadership is a skill we grow together.", "attribution": "A survivor leader"}),
        (
            "call_to_action",
            {
                "title": "Support the next course",
                "text": "Every gift helps a survivor leader take part.",
                "page": donate_page_id,
                "external_url": "",
                "button_label": "Donate",
            },
        ),
    )


def seed_newsletters() -> None:
    lists = {spec["slug"]: _mailing_list(spec) for spec in LISTS}
    english = Locale.objects.filter(language_code=settings.LANGUAGE_CODE).first()
    home = HomePage.objects.filter(locale=english).order_by("pk").first()
    if home is None:
        return
    archive = _child(
        home,
        NewsletterIndexPage(title=ARCHIVE["title"], slug=ARCHIVE["slug"], intro=ARCHIVE["intro"], show_in_menus=True),
    )
    vietnamese = Locale.objects.filter(language_code="vi").first()
    if vietnamese is not None and home.get_translation_or_none(vietnamese) is not None:
        translate_page(archive, vietnamese, ARCHIVE_VI)
    issue = _child(
        archive,
        NewsletterPage(
            title=ISSUE["title"],
            slug=ISSUE["slug"],
            intro=ISSUE["intro"],
            body=_issue_body(home.get_children().filter(slug="donate").values_list("pk", flat=True).first()),
            mailing_list=lists["supporters-en"],
        ),
    )
    _sent_looking_mailing(issue, lists["supporters-en"])


def _mailing_list(spec: dict) -> MailingList:
    found = MailingList.objects.filter(slug=spec["slug"]).first()
    return found or MailingList.objects.create(**spec)


def _child(parent, page):
    found = parent.get_children().filter(slug=page.slug).first()
    if found is not None:
        return found.specific
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _sent_looking_mailing(issue: NewsletterPage, mailing_list: MailingList) -> None:
    """A finished mailing with no deliveries: the issue is on the archive, and nobody is emailed."""
    if Mailing.objects.filter(newsletter=issue).exists():
        return
    sent = timezone.now() - timedelta(days=14)
    Mailing.objects.create(
        newsletter=issue,
        mailing_list=mailing_list,
        status=Mailing.Status.SENT,
        send_at=sent,
        started_at=sent,
        finished_at=sent + timedelta(minutes=3),
        subject=issue.title,
    )
