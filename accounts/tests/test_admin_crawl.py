"""The admin crawl: every staff login of the demo opens every admin screen it can find.

Screens are discovered, not listed: the admin menu as Wagtail builds it for that login
(submenus included), every registered model and snippet viewset (listing and add form), the
edit form of one page of each page type and the add form under its parent, then every admin
link and form target on each page reached, breadth first. A new admin screen is therefore
covered as soon as it is registered, put in a menu or linked from a screen.

What each answer must be:
- a screen a login is shown (in its menu, or as a link on a screen it may open) answers 200;
- every other screen found by any login answers that login 200, a refusal (403, or Wagtail's
  redirect to the admin home), 404 or 405, and exactly what `test_access_matrix.MATRIX` says
  wherever the matrix names that screen;
- nothing answers 5xx or raises, for any login;
- every admin URL of our own apps is reached by some login (an unreachable screen is a bug:
  nobody can find it), except the few listed in NOT_LINKED with the reason.
"""

import re
from collections import defaultdict, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.tests.factories import sign_in_with_second_factor
from accounts.tests.test_access_matrix import MATRIX, classify

pytestmark = pytest.mark.django_db

# The staff logins of the demo (accounts/demo.py, training/demo.py, seed_demo), by the role
# names of the access matrix.
DEMO_STAFF = {
    "superuser": "staff@thrive.example",
    "membership": "membership@thrive.example",
    "trainer": "trainer@thrive.example",
    "event_staff": "events@thrive.example",
    "finance": "finance@thrive.example",
    "editor": "editor@thrive.example",
    "organiser": "us-organiser@thrive.example",  # Chapter organisers, of the US chapter
    "communications": "communications@thrive.example",  # newsletters: subscribers and mailings
}
OUR_NAMESPACES = {
    "membership_admin",
    "training_admin",
    "certificates_admin",
    "events_admin",
    "payments_admin",
    "voices_admin",
    "newsletters_admin",
    "newsletters_compose",
    "toolkit_admin",
    "volunteers_admin",
    "fundraising_admin",
}
# Screens of our own apps that no link leads to, and why (each is still requested if found).
NOT_LINKED: dict[str, str] = {
    "payments_admin:order_detail": "the demo has no order (paying needs Stripe); payments/tests/test_finance.py",
    "payments_admin:refund": "the demo has no payment to refund; payments/tests/test_finance.py",
    "payments_admin:gift_aid_claim_download": "the demo has no Gift Aid claim; payments/tests/test_finance.py",
    "events_admin:registration_action": "only on bookings awaiting approval or payment, which the demo has none of",
    "events_admin:access_codes_revoke": "a POST-only button; events/tests/test_access_codes.py",
    "events_admin:check_in_shell": "the door page's copy kept for offline use, fetched by its service worker",
    "events_admin:check_in_manifest": "the door page's <link rel=manifest>; events/tests/test_door_offline.py",
    "voices_admin:questions": "only for a consultation, which the demo has none of; voices/tests/test_consultations.py",
    "newsletters_admin:mailing_pause": (
        "only on a mailing being sent (the demo's is sent; the crawl's is scheduled, and the tests' "
        "task queue sends one due now at once); newsletters/tests/test_mailings_admin.py"
    ),
    "newsletters_admin:mailing_resume": "only on a paused mailing; newsletters/tests/test_mailings_admin.py",
}
# Views that change something on GET or end the session: never followed.
# Bulk actions need the ids the listing's checkboxes add in the browser.
NEVER_FOLLOW = re.compile(r"logout|/password_reset/|/unlock/|/lock/|^/admin/bulk/")
PER_VIEW = 2  # distinct addresses followed per Wagtail view name and login: one edit form of each, and another
PER_OWN_VIEW = 6  # and per view of our own apps, whose objects differ more (an event with bookings, one without)
SCRIPT_URL = re.compile(r"data-[a-z-]+-url")


# Links Wagtail 8 itself shows to every admin user whatever they may open: followed and
# checked for errors, but a refusal there is not counted against the menu.
# - the chooser widget's "Edit this ..." link (AdminURLFinder() is called without the user);
# - the dashboard's "Search all pages" box (explorer search, shown without a page permission).
def wagtail_shows_to_everyone(tag: str, attrs: dict) -> bool:
    return "data-chooser-edit-link" in attrs or (tag == "form" and attrs.get("role") == "search")


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, bool]] = []  # (address, shown to this login on purpose)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        target = attrs.get("href") if tag == "a" else attrs.get("action") if tag == "form" else None
        if target:
            self.links.append((target, not wagtail_shows_to_everyone(tag, attrs)))
        # Addresses our scripts call (progress feeds, the door scanner): data-*-url attributes.
        self.links.extend((value, True) for name, value in attrs.items() if SCRIPT_URL.fullmatch(name) and value)


def admin_links(html: str, base: str) -> list[tuple[str, bool]]:
    parser = LinkParser()
    parser.feed(html)
    found = []
    for link, on_purpose in parser.links:
        path = urldefrag(link)[0]
        parts = urlsplit(path)
        if parts.scheme or parts.netloc:
            continue
        path = parts.path or base
        if not path.startswith("/"):
            continue  # relative links: Wagtail's admin uses absolute paths
        if path.startswith("/admin/") and not NEVER_FOLLOW.search(path):
            found.append((path, on_purpose))
    return found


def view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def menu_urls(request) -> list[str]:
    """The admin menu as Wagtail builds it for this request's user, submenus included."""
    from wagtail.admin.menu import SubmenuMenuItem, admin_menu

    urls, items = [], list(admin_menu.menu_items_for_request(request))
    while items:
        item = items.pop()
        if isinstance(item, SubmenuMenuItem):
            items.extend(item.menu.menu_items_for_request(request))
        elif item.url.startswith("/admin/"):
            urls.append(item.url)
    return urls


def registered_screen_urls() -> list[str]:
    """Every model and snippet viewset's listing and add form; each page type's edit form
    (one page) and add form (under that page's parent)."""
    from django.urls import NoReverseMatch, reverse
    from wagtail.admin.viewsets import viewsets
    from wagtail.models import Page, get_page_models

    urls = []
    for viewset in viewsets.viewsets:
        for name in ("index", "add"):
            try:
                urls.append(reverse(viewset.get_url_name(name)))
            except (NoReverseMatch, AttributeError):
                continue
    for model in get_page_models():
        page = model.objects.exclude(depth=1).first()
        if page is None:
            continue
        urls.append(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        parent = page.get_parent()
        if parent is not None and isinstance(parent, Page):
            urls.append(
                reverse("wagtailadmin_pages:add", args=[model._meta.app_label, model._meta.model_name, parent.pk])
            )
    return urls


class Crawl:
    """One login's walk through the admin."""

    def __init__(self, role: str, client: Client, extra_seeds: list[str]):
        self.role = role
        self.client = client
        self.linked: dict[str, str] = {}  # path -> where the link was seen
        self.answers: dict[str, str] = {}  # path -> outcome
        self.errors: list[str] = []
        self.seeds = extra_seeds

    def get(self, path: str):
        try:
            return self.client.get(path)
        except Exception as error:  # noqa: BLE001 - every raised error is a finding
            self.errors.append(f"{self.role:12} {path}: raised {type(error).__name__}: {error}")
            return None

    def walk(self):
        home = self.client.get("/admin/")
        assert home.status_code == 200, f"{self.role} cannot open the admin home: {home.status_code}"
        queue = deque((url, "the admin menu") for url in menu_urls(home.wsgi_request))
        queue.extend((url, "registered screens") for url in self.seeds)
        queue.append(("/admin/", "start"))
        per_view: dict[str, int] = defaultdict(int)
        seen: set[str] = set()
        while queue:
            path, source = queue.popleft()
            if path in seen:
                continue
            seen.add(path)
            name = view_name(path)
            if source not in ("the admin menu", "registered screens", "start", "wagtail"):
                limit = PER_OWN_VIEW if name and name.split(":")[0] in OUR_NAMESPACES else PER_VIEW
                if name is None or per_view[name] >= limit:
                    continue
                self.linked.setdefault(path, source)
            elif source == "the admin menu":
                self.linked[path] = source
            if name is not None:
                per_view[name] += 1
            response = self.get(path)
            if response is None:
                continue
            outcome = self.outcome(response)
            self.answers[path] = outcome
            if response.status_code >= 500:
                self.errors.append(f"{self.role:12} {path}: {response.status_code}")
            if response.status_code in (301, 302) and outcome == "redirect":
                queue.appendleft((response["Location"], source))
                if path in self.linked:
                    self.linked.setdefault(response["Location"], self.linked[path])
                continue
            if outcome == "ok" and response.get("Content-Type", "").startswith("text/html"):
                for link, on_purpose in admin_links(response.content.decode(), path):
                    queue.append((link, path if on_purpose else "wagtail"))

    @staticmethod
    def outcome(response) -> str:
        if response.status_code in (301, 302):
            location = response["Location"]
            if location == "/admin/" or location.startswith(("/accounts/login/", "/admin/login/")):
                return classify(response)
            if location.startswith("/admin/"):
                return "redirect"
            return f"redirect outside the admin to {location}"
        if response.status_code == 405:
            return "method not allowed"
        return classify(response)


def matrix_expectations() -> dict[str, dict[str, str]]:
    """The access matrix by view name, where all its rows for that view agree for a role."""
    by_view: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for template, expected in MATRIX:
        name = view_name(re.sub(r"\{[a-z_]+\}", "1", template))
        if name is None:
            continue
        for role, outcome in expected.items():
            by_view[name][role].add(outcome)
    return {
        name: {role: next(iter(outcomes)) for role, outcomes in roles.items() if len(outcomes) == 1}
        for name, roles in by_view.items()
    }


@pytest.fixture
def crawls(demo_site):
    from accounts.models import User

    # One of each object the demo lacks, made the way staff make it: a bulk issuing run.
    membership = Client()
    sign_in_with_second_factor(membership, User.objects.get(email=DEMO_STAFF["membership"]))
    source = membership.get("/admin/certificates/bulk/").context["sources"]
    assert membership.post("/admin/certificates/bulk/", {"source": next(iter(source))}).status_code == 302
    # And an erasure request, made as a member makes it, so its confirmation page is crawled.
    member = Client()
    member.force_login(User.objects.get(email="member@thrive.example"))
    assert member.post("/account/erasure/", {"confirm": "on"}).status_code == 302
    # And a request for survivor expertise waiting to be published, sent through the public form.
    assert request_for_survivor_expertise_sent(Client()).status_code == 302
    # And a mailing scheduled for later, as Communications schedules it: its progress feed and
    # its cancel button are shown only while it has not been sent.
    assert mailing_scheduled_for_tomorrow(User.objects.get(email=DEMO_STAFF["communications"])).status_code == 302
    seeds = registered_screen_urls()
    results = {}
    for role, email in DEMO_STAFF.items():
        client = Client()
        sign_in_with_second_factor(client, User.objects.get(email=email))
        crawl = Crawl(role, client, seeds)
        crawl.walk()
        results[role] = crawl
    return results


def request_for_survivor_expertise_sent(client):
    import datetime

    from cms.models import Chapter

    day = (datetime.date.today() + datetime.timedelta(days=40)).isoformat()
    return client.post(
        "/voices/request/",
        {
            "chapter": Chapter.objects.get(slug="uk").pk,
            "organisation_name": "Crawl Community Centre",
            "contact_name": "Crawl Contact",
            "contact_email": "contact@crawl-centre.example",
            "kind": "panel",
            "topic": "A panel for the admin crawl",
            "description": "A panel for our volunteers.",
            "start_date": day,
            "start_time": "10:00",
            "end_time": "12:00",
            "format": "online",
            "audience_size": "15",
            "hours": "2",
            "places": "1",
            "fee_offered": "100.00",
            "expenses_covered": "on",
        },
    )


def mailing_scheduled_for_tomorrow(user):
    import datetime

    from newsletters.models import MailingList, NewsletterPage

    client = Client()
    sign_in_with_second_factor(client, user)
    issue = NewsletterPage.objects.live().filter(locale__language_code="en-gb").first()
    return client.post(
        "/admin/newsletters/mailings/new/",
        {
            "newsletter": issue.pk,
            "mailing_list": MailingList.objects.get(slug="members-en").pk,
            "send_at": (datetime.datetime.now() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )


# Wagtail 8's explorer, for a login whose pages lie in two subtrees (Communications: the newsletter
# archive in English and in Vietnamese, under each language's home page), opens at their common
# ancestor and gives every row (the home pages, which the login may not edit) a "History" link
# that Wagtail's history view then refuses. Wagtail's own listing, not a screen of ours.
EXPLORER_ANCESTOR_HISTORY = re.compile(r"^/admin/pages/\d+/history/$")


def shown_but_not_opened(crawls) -> list[str]:
    problems = []
    for crawl in crawls.values():
        for path, source in crawl.linked.items():
            outcome = crawl.answers.get(path)
            if source == "/admin/pages/" and EXPLORER_ANCESTOR_HISTORY.match(path):
                continue
            if outcome not in ("ok", "redirect", "method not allowed", None):
                problems.append(f"{crawl.role:12} {path}: {outcome}, yet linked from {source}")
    return problems


def answers_off_the_matrix(crawls) -> list[str]:
    """Every screen any login found, asked as every login: never 5xx, and as the matrix says."""
    expected_by_view = matrix_expectations()
    every_path = sorted({path for crawl in crawls.values() for path in crawl.answers})
    problems = []
    for role, crawl in crawls.items():
        for path in every_path:
            outcome = crawl.answers.get(path)
            if outcome is None:
                response = crawl.get(path)
                if response is None:
                    continue
                outcome = crawl.outcome(response)
                if response.status_code >= 500:
                    problems.append(f"{role:12} {path}: {response.status_code}")
            expected = expected_by_view.get(view_name(path) or "", {}).get(role)
            if expected is not None and outcome not in (expected, "method not allowed"):
                problems.append(f"{role:12} {path}: {outcome}, the role matrix says {expected}")
            elif outcome not in ("ok", "refused", "not found", "redirect", "method not allowed"):
                problems.append(f"{role:12} {path}: {outcome}")
    return problems


def unreachable_screens_of_our_apps(crawls) -> list[str]:
    from django.urls import URLPattern, URLResolver, get_resolver

    def names(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from names(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace in OUR_NAMESPACES:
                yield f"{namespace}:{pattern.name}"

    ours = set(names(get_resolver().url_patterns))
    assert len(ours) > 20, "the resolver walk found too few admin URLs of our apps: it is broken"
    reached = {view_name(path) for crawl in crawls.values() for path in crawl.answers}
    return sorted(ours - reached - set(NOT_LINKED))


def test_admin_crawl_every_login_opens_what_it_is_shown_as_the_role_matrix_says_with_no_error(crawls):
    """One crawl (about a minute), three checks; each lists every finding, not the first."""
    findings = {
        "server errors": sorted({error for crawl in crawls.values() for error in crawl.errors}),
        "shown but not opened": shown_but_not_opened(crawls),
        "off the role matrix": sorted(set(answers_off_the_matrix(crawls))),
        "not reached by any login (link it from a screen, or say why in NOT_LINKED)": (
            unreachable_screens_of_our_apps(crawls)
        ),
    }
    reached = {path for crawl in crawls.values() for path, outcome in crawl.answers.items() if outcome == "ok"}
    assert len(reached) > 100, f"the crawl is blind: it opened only {sorted(reached)}"
    report = "\n".join(f"{title}:\n  " + "\n  ".join(items) for title, items in findings.items() if items)
    assert not report, report


def test_the_us_chapter_organiser_manages_us_events_and_cohorts_and_gets_no_uk_member_application_or_cohort(
    demo_site,
):
    """Every admin address of every UK member, application, cohort (and its sessions) and
    event in the demo answers the US chapter organiser 403 or 404; the US ones answer 200."""
    from accounts.models import MemberProfile, MembershipApplication, User
    from events.models import EventPage
    from training.models import Cohort

    client = Client()
    sign_in_with_second_factor(client, User.objects.get(email=DEMO_STAFF["organiser"]))
    uk_cohorts = Cohort.objects.filter(chapter__slug="uk").prefetch_related("sessions")
    uk_urls = (
        [
            f"/admin/membership/members/{pk}/"
            for pk in MemberProfile.objects.filter(chapter__slug="uk").values_list("pk", flat=True)
        ]
        + [
            f"/admin/membership/applications/{pk}/"
            for pk in MembershipApplication.objects.filter(chapter__slug="uk").values_list("pk", flat=True)
        ]
        + [f"/admin/training/cohorts/{cohort.pk}/" for cohort in uk_cohorts]
        + [f"/admin/training/cohorts/{cohort.pk}/attendance.csv" for cohort in uk_cohorts]
        + [
            f"/admin/training/cohorts/{cohort.pk}/sessions/{session.pk}/attendance/"
            for cohort in uk_cohorts
            for session in cohort.sessions.all()
        ]
        + [
            f"/admin/events/{pk}/{tail}"
            for pk in EventPage.objects.filter(chapter__slug="uk").values_list("pk", flat=True)
            for tail in ("", "attendance.csv", "check-in/", "cancel/")
        ]
    )
    assert len(uk_urls) > 20
    answers = {url: client.get(url).status_code for url in uk_urls}
    assert {url: status for url, status in answers.items() if status not in (403, 404)} == {}

    us_cohort = Cohort.objects.get(chapter__slug="us")
    us_event = EventPage.objects.filter(chapter__slug="us").first()
    us_urls = [
        "/admin/events/",
        f"/admin/events/{us_event.pk}/",
        f"/admin/events/{us_event.pk}/check-in/",
        "/admin/training/cohorts/",
        f"/admin/training/cohorts/{us_cohort.pk}/",
        f"/admin/training/cohorts/{us_cohort.pk}/sessions/{us_cohort.sessions.first().pk}/attendance/",
        "/admin/membership/applications/",
        f"/admin/membership/applications/{MembershipApplication.objects.get(chapter__slug='us').pk}/",
        "/admin/membership/members/",
    ]
    assert {url: client.get(url).status_code for url in us_urls} == dict.fromkeys(us_urls, 200)
    # The lists hold the US chapter's rows only.
    assert "Noor" in client.get("/admin/membership/applications/").content.decode()
    assert "Joy" not in client.get("/admin/membership/applications/").content.decode()
    members = client.get("/admin/membership/members/").content.decode()
    assert "River" in members and "Amani" not in members and "Sam" not in members
    cohorts = client.get("/admin/training/cohorts/").content.decode()
    assert "US evenings" in cohorts and "Autumn evenings" not in cohorts
