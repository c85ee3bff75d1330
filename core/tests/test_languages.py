"""Issue 16 acceptance: the catalogues are complete, and no page or email in Albanian,
Vietnamese or Arabic has English left from our code (core/tests/language_check.py says how
that is found); a translated page costs the queries of the English one."""

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core.tests.crawl import SKIP_PREFIXES, SKIP_SUFFIXES, _PageParser
from core.tests.language_check import (
    ROOT,
    TRANSLATED_LANGUAGES,
    Content,
    catalogue_path,
    catalogue_patterns,
    messages_left,
    reader_texts,
    same_english,
    text_lines,
)

MEMBER = "member@thrive.example"

# Texts the same in every language that are neither our code's words nor the database's
# (names of things outside Thrive), each with why.
NAMES = {
    "Powered by Stripe",  # Stripe's own mark (checkout), if shown
}


# 1a. The catalogues ----------------------------------------------------------------------


@pytest.mark.parametrize("code", TRANSLATED_LANGUAGES)
def test_the_catalogue_is_complete_and_valid(code):
    path = catalogue_path(code)
    header = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "#, fuzzy" not in header, "the header is fuzzy: msgfmt leaves it out (no charset, no plural forms)"
    assert f'"Language: {code}\\n"' in header, header
    assert '"Plural-Forms: ' in header, header
    result = subprocess.run(
        ["msgfmt", "--statistics", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages?\.", statistics), statistics
    assert int(statistics.split()[0]) > 300, statistics  # the whole interface, not a stub


# 1b. Every page --------------------------------------------------------------------------

START = [
    "/",
    "/events/",
    "/courses/",
    "/search/?q=survivor",
    "/verify/",
    "/membership/apply/",
    "/membership/alumni/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/contact/",
    "/donate/",
]
MEMBER_START = [
    "/account/",
    "/account/profile/",
    "/account/consents/",
    "/accounts/email/",
    "/events/my-bookings/",
    "/learning/",
    "/learning/certificates/",
]


def _walk(client, start: list[str], *, max_pages: int) -> dict[str, str]:
    """English pages from `start`, following same-site links, GET only: {address: html}. One
    address per path (the first query seen), so a listing's filters do not fill the walk."""
    pages: dict[str, str] = {}
    queue, seen_paths = list(start), set()
    while queue and len(pages) < max_pages:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver"):
            continue
        path = parts.path or "/"
        if path in seen_paths or path.startswith(SKIP_PREFIXES) or path.endswith(SKIP_SUFFIXES):
            continue
        if path.startswith(tuple(f"/{code}/" for code in TRANSLATED_LANGUAGES)):
            continue  # the language switcher's links: each language is asked for below
        seen_paths.add(path)
        address = path + ("?" + parts.query if parts.query else "")
        response = client.get(address)
        if response.status_code in (301, 302) and response.get("Location"):
            queue.append(urljoin(address, response["Location"]))
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        pages[address] = body
        parser = _PageParser()
        parser.feed(body)
        queue.extend(
            urljoin(address, link)
            for link in parser.links
            if not link.startswith(("mailto:", "tel:", "#", "javascript:"))
        )
    return pages


def _in_language(address: str, code: str) -> str:
    return f"/{code}{address}"


def _checkout_address() -> str:
    """A paid place held for checkout: the checkout page's address."""
    from events.for_payments import ticket_lines
    from events.models import EventPage
    from events.services import registration_reserve
    from payments.services import order_create
    from payments.views import checkout_url

    event = EventPage.objects.live().filter(ticket_types__price_minor__gt=0).distinct().first()
    assert event is not None, "the demo has a paid event"
    ticket_type = event.ticket_types.filter(price_minor__gt=0).first()
    held = registration_reserve(event=event, ticket_type=ticket_type, email="reader@example.org")
    order = order_create(email="reader@example.org", tickets=ticket_lines([held]), currency=event.currency)
    return checkout_url(order)


def _forms_sent_wrong(pages) -> list[tuple[str, dict]]:
    """Forms sent with mistakes, so their error messages are read too: a booking, an
    application, a sign-in with a wrong password, a sign-up with a bad address."""
    booking = next(
        address
        for address, html in pages.items()
        if isinstance(address, str) and address.endswith("/book/") and 'name="email"' in html
    )
    return [
        (booking, {"nonce": "x", "email": "not-an-address"}),
        ("/membership/apply/", {"email": "not-an-address"}),
        ("/accounts/login/", {"login": "nobody@example.org", "password": "not-the-password-1"}),
        ("/accounts/signup/", {"email": "not-an-address", "password1": "x"}),
    ]


def _fetch(client, key, code: str):
    """GET the page of `key` (an address), or POST its data again (key: (address, data)), in
    the language `code`."""
    if isinstance(key, tuple):
        address, data = key
        return _in_language(address, code), client.post(_in_language(address, code), dict(data))
    return _in_language(key, code), client.get(_in_language(key, code))


def _the_site_in_english(client) -> dict[str, dict]:
    """Every public page reachable from the home page (and the forms' pages), the booking and
    checkout pages, forms sent with mistakes, then a signed-in member's pages:
    {"anonymous"|"member": {address or (address, data): html}}."""
    from accounts.models import User

    pages = _walk(client, START, max_pages=90)
    assert any(re.fullmatch(r"/events/\d+/book/", address) for address in pages), sorted(pages)
    checkout = _checkout_address()
    response = client.get(checkout)
    assert response.status_code == 200
    pages[checkout] = response.content.decode()
    for address, data in _forms_sent_wrong(pages):
        response = client.post(address, data)
        assert response.status_code == 200, (address, response.status_code)  # shown again, with errors
        pages[(address, tuple(data.items()))] = response.content.decode()
    client.force_login(User.objects.get(email=MEMBER), backend="django.contrib.auth.backends.ModelBackend")
    member_pages = _walk(client, MEMBER_START, max_pages=40)
    assert "/account/" in member_pages, sorted(member_pages)
    client.logout()
    return {"anonymous": pages, "member": member_pages}


@pytest.fixture
def language_site(demo_site, localstripe, settings):
    settings.FORM_RATE_LIMIT = 10**6
    return demo_site


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("code", TRANSLATED_LANGUAGES)
def test_every_page_has_no_english_left_from_our_code(client, language_site, code):
    from accounts.models import User

    english = _the_site_in_english(client)
    content = Content.of_database()
    patterns = catalogue_patterns(code)
    failures: dict[str, list[str]] = {}
    not_served: list[str] = []
    pages_checked = 0
    for who, pages in english.items():
        if who == "member":
            client.force_login(User.objects.get(email=MEMBER), backend="django.contrib.auth.backends.ModelBackend")
        for key, english_html in pages.items():
            translated_address, response = _fetch(client, key, code)
            if isinstance(key, tuple):
                translated_address = f"POST {translated_address}"
            if response.status_code != 200:
                not_served.append(f"{translated_address}: {response.status_code}")
                continue
            page = response.content.decode()
            pages_checked += 1
            assert f'lang="{code}"' in page, translated_address
            left = [f"(i) message not translated: {msgid!r}" for msgid in messages_left(page, patterns, content)]
            left += [
                f"(ii) same as in English: {text!r}"
                for text in same_english(reader_texts(english_html), reader_texts(page), content, NAMES)
            ]
            if left:
                failures[translated_address] = left
        client.logout()
    assert pages_checked >= 40, (pages_checked, not_served)
    assert not_served == [], not_served
    assert failures == {}, _report(failures)


def _report(failures: dict[str, list[str]]) -> str:
    by_text: dict[str, list[str]] = {}
    for address, texts in failures.items():
        for text in texts:
            by_text.setdefault(text, []).append(address)
    lines = [f"{len(by_text)} English texts left on {len(failures)} pages:"]
    for text, addresses in sorted(by_text.items()):
        more = f" (+{len(addresses) - 1} more)" if len(addresses) > 1 else ""
        lines.append(f"  {text}  on {addresses[0]}{more}")
    return "\n".join(lines)


# 1c. Every email -------------------------------------------------------------------------

EMAIL_TEMPLATES = sorted((ROOT / "templates" / "emails").glob("*.txt"))


MOMENT = datetime(2027, 3, 4, 18, 30, tzinfo=UTC)


def made_up(name: str):
    """A moment for names of moments (`starts_on`, `revoked_at`, `offered_until`), else Value."""
    return MOMENT if name.endswith(("_on", "_at", "_until")) else Value(name)


class Value(str):
    """Any value a template asks for (an event, a course, a person...): a made-up word, not
    English, whose every attribute is another such word, and that iterates as one item."""

    def __new__(cls, name="value"):
        return super().__new__(cls, "Zqx" + re.sub(r"[^A-Za-z]", "", name.title())[:12])

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return made_up(name)

    def __getitem__(self, key):
        if isinstance(key, str):
            raise KeyError(key)  # templates then read it as an attribute
        return str.__getitem__(self, key)

    def __iter__(self):
        return iter([Value("item")])


class Context(dict):
    """A template context where every name has a value: Value, unless given here."""

    def __contains__(self, key):
        return True

    def __missing__(self, key):
        return made_up(key)


def representative_context(discreet: bool) -> Context:
    context = Context(
        discreet=discreet,
        site_url="https://thrive.example",
        days=14,
        minutes=15,
        failures=5,
        count=2,
        dates=["Zqx 4 Zqx 2027, 18:30"],
        lines=[{"description": "Zqx", "amount": "£5.00"}],
        answers=[("Zqx", "Zqy")],
        gift_aid=True,
        paid_by_hand=True,
        refund_total="£5.00",
        reason="Zqxreason",
        signup=True,
        replaces=None,
        # Dates a template formats itself (voices' briefs): real ones, their words from Django.
        starts=datetime(2027, 3, 4, 18, 30, tzinfo=UTC),
        ends=datetime(2027, 3, 4, 20, 0, tzinfo=UTC),
    )
    context["certificate"] = Value("certificate")
    context["cohort"] = Value("cohort")
    return context


def _render_email(template: Path, code: str, discreet: bool) -> str:
    with translation.override(code):
        return render_to_string(f"emails/{template.name}", representative_context(discreet))


def test_there_are_email_templates_to_check():
    assert len(EMAIL_TEMPLATES) >= 25


@pytest.mark.django_db
@pytest.mark.parametrize("code", TRANSLATED_LANGUAGES)
def test_every_email_template_has_no_english_left_from_our_code(code):
    content = Content([])  # the context is made-up words: no text of the database
    patterns = catalogue_patterns(code)
    failures = {}
    for template in EMAIL_TEMPLATES:
        for discreet in (False, True):
            english = _render_email(template, settings.LANGUAGE_CODE, discreet)
            translated = _render_email(template, code, discreet)
            assert english.strip(), template.name
            left = [f"(i) {msgid!r}" for msgid in messages_left(translated, patterns, content)]
            left += [f"(ii) {line!r}" for line in same_english(text_lines(english), text_lines(translated), content)]
            if left:
                failures[f"{template.name} discreet={discreet}"] = left
    assert failures == {}, "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in failures.items())


def test_the_email_check_finds_english_in_a_template_never_translated():
    """The check is real: English in a rendering is found both ways."""
    english = "Hello,\nYour place at Zqx is confirmed.\nCode: 1234"
    left = same_english(text_lines(english), text_lines(english), Content([]))
    assert left == ["Your place at Zqx is confirmed."]
    assert same_english(text_lines(english), text_lines("Xin chào,\nChỗ của bạn đã được xác nhận."), Content([])) == []
    assert same_english(text_lines(english), text_lines(english), Content(["Your place at Zqx is confirmed."])) == []


def test_the_page_check_reads_text_attributes_and_script_strings():
    page = (
        '<p>Book <b>a place</b> today now</p><button aria-label="Close this message now">x</button>'
        '<input type="submit" value="Send my answer now"><script>var s = "Not this one here"</script>'
        '<script type="application/json" id="s">{"later": "Try again in a minute"}</script>'
    )
    assert reader_texts(page) == {
        "Book",
        "a place",
        "today now",
        "Close this message now",
        "x",
        "Send my answer now",
        "Try again in a minute",
    }


def test_the_catalogue_parser_reads_contexts_plurals_and_continuations(tmp_path, monkeypatch):
    from core.tests import language_check

    folder = tmp_path / "locale" / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, fuzzy\nmsgctxt "order status"\nmsgid "Open"\nmsgstr "Hapur"\n\n'
        'msgid ""\n"Your place at %(title)s "\n"is confirmed."\nmsgstr ""\n\n'
        'msgid "One place left for you"\nmsgid_plural "%(n)s places left for you"\nmsgstr[0] "a"\nmsgstr[1] "b"\n'
    )
    monkeypatch.setattr(language_check, "catalogue_path", lambda code: folder / "django.po")
    [open_, place, left] = language_check.catalogue("xx")
    assert (open_.msgctxt, open_.msgid, open_.msgstrs, open_.fuzzy) == ("order status", "Open", ["Hapur"], True)
    assert place.msgid == "Your place at %(title)s is confirmed." and place.msgstrs == [""]
    assert left.msgid_plural == "%(n)s places left for you" and left.msgstrs == ["a", "b"]
    patterns = language_check.catalogue_patterns("xx")
    found = messages_left("<p>Your place at <b>Spring</b>\n is confirmed.</p>", patterns, Content([]))
    assert found == ["Your place at %(title)s is confirmed."]


# 4. Query counts -------------------------------------------------------------------------


def _queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(captured)


@pytest.mark.django_db
def test_translated_pages_cost_the_queries_of_the_english_ones(client, demo_site):
    """First request (caches empty) and second (warm), English then Vietnamese, for an event
    page, a course page and a member's account home."""
    from django.core.cache import cache

    from accounts.models import User
    from events.models import EventPage
    from training.models import CoursePage

    event = EventPage.objects.live().filter(ticket_types__isnull=False).first()
    course = CoursePage.objects.live().first()
    client.get("/")  # the very first request creates the site settings (one purge)
    counts = {}
    for who, address in (("visitor", event.url), ("visitor", course.url), ("member", "/account/")):
        if who == "member":
            client.force_login(User.objects.get(email=MEMBER), backend="django.contrib.auth.backends.ModelBackend")
        for code in ("en", "vi"):
            cache.clear()
            path = address if code == "en" else f"/vi{address}"
            counts[(address, code)] = (_queries(client, path), _queries(client, path))
    for address in (event.url, course.url, "/account/"):
        assert counts[(address, "vi")] == counts[(address, "en")], (address, counts)
