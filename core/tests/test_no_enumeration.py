"""No public form tells a visitor whether an address or a name belongs to someone we know
(issue 23): an applicant, a member, an erased member, a booker, a donor, someone referred.

The forms are found, not listed: every route of config.urls outside the staff areas is
visited (routes that take arguments get objects built by ROUTE_ARGUMENTS; Wagtail's catch-all
route gets every live public page), as a visitor, else as a signed-in member, else as a
partner contact. Each POST form on those pages with an input for an email address or a name
is sent once per case below, each from its own client address (so rate limits do not count
one case against the next), and every case's answer must be the unknown address's: status,
redirect target and visible text (following one redirect), with tokens, codes, times and
what was typed taken out.

A new route, or a new form field, with no rule here fails with a message saying what to add:
a form is never silently left out.
"""

import itertools
import re
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urljoin, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from accounts.models import MemberProfile, MembershipApplication, PartnerContact, Referral, User
from accounts.tests.factories import ApplicationFactory, MemberProfileFactory, PartnerContactFactory, UserFactory
from accounts.tokens import new_token
from accounts.welcome import welcome_link_create
from core.tests.public_forms import PostForm, post_forms, routes, visible_text
from events import links
from events.models import Audience, WaitingListEntry
from events.tests.factories import RegistrationFactory, WaitingListEntryFactory, make_event

pytestmark = [pytest.mark.django_db]

# Staff areas: never public.
NOT_PUBLIC = ("admin/", "django-admin/")

# Routes that serve no page a person fills in (files, feeds, JSON, POST-only actions), by name
# or, for unnamed routes, by pattern. Each says why.
NO_PAGE = {
    "wagtail_frontend_login_moved": "a redirect to allauth's sign-in (tested there)",
    "wagtaildocs_serve": "a document download",
    "wagtaildocs_authenticate_with_password": "a document's password (no address or name)",
    "wagtailcore_authenticate_with_password": "a page's shared password (no address or name)",
    "account_confirm_email": "a confirmation link (a button, no address or name)",
    "account_reset_password_from_key": "a new password from an emailed link (no address or name)",
    "accounts:application": "a member's own application (no form)",
    "payments:checkout_pay": "JSON for the card form",
    "payments:checkout_extend": "a POST-only button",
    "payments:checkout_setup": "JSON for the card form",
    "training:enrol": "a POST-only button",
    "training:withdraw": "a POST-only button",
    "training:module_complete": "a POST-only button",
    "training:session_calendar": "a calendar file",
    "training:check_in": "a learner's own check-in (no address or name)",
    "training:feed": "a calendar feed",
    "certificates:download": "a PDF",
    "events:event_ics": "a calendar file",
    "events:waiting_list_join": "POST-only: its form is on the booking page (events:book, sold out)",
    "events:ticket_transfer": "POST-only: its form is on the ticket page (events:ticket)",
    "events:ticket_pdf": "a PDF",
    "events:ticket_ics": "a calendar file",
    "events:my_feed": "a calendar feed",
    r"^media/images/(?P<path>.*)$": "image files",
    "voices:partner_request": "a partner contact's own request (a payment button; no address or name)",
    "voices:partner_consultation_results": "a partner contact's own results (no form)",
    "voices:request_status": "an organisation's private page by its emailed link (a payment button only)",
    "voices:request_pay": "a POST-only button on the request's page",
    "voices:consultation_results": "results by the organisation's emailed link (no form)",
    "voices:opportunity": "a member's own eligible opportunity (interest: no address or name asked)",
    "voices:engagement": "a member's own engagement (buttons and private feedback; no address or name)",
    "voices:expense_new": "a member's own expense claim (amount and receipt; no address or name)",
    "voices:questionnaire": "a member's own consultation answers (no address or name)",
    "voices:expense_receipt": "a receipt file",
    "newsletters:confirm": "a confirmation link (a button, no address or name)",
    "newsletters:unsubscribe": "an unsubscribe link (a button, no address or name)",
    "embed:embed": "a partner's embedded listing (GET filters only, no address or name)",
    "toolkit:poster": "a PDF",
    "short:short_link": "a redirect to a page (checked under its own route)",
    "events:access_codes_csv_partner": "a partner's CSV of codes",
    # Volunteering (#20): applying needs an account (allauth's sign-up and sign-in answer for the
    # address); a volunteer's own shift pages ask for no address or name.
    "volunteers:shift": "a volunteer's own shift (buttons only; no address or name)",
    "volunteers:shift_sign_up": "a POST-only button on the shift's page",
    "volunteers:shift_cancel": "a POST-only button on the shift's page",
    "volunteers:shift_calendar": "a calendar file",
    "volunteers:certificate": "a POST-only button on the volunteer's page",
    # Supporter fundraising (#20): the supporter's own page forms look nobody up (the name typed
    # is the one they choose to show); the gift form on a page is checked (ROUTE_ARGUMENTS).
    "fundraising:page_new": "a signed-in supporter's new page (their own words and chosen name; nothing looked up)",
    "fundraising:page_edit": "the owner's own page (their own words and chosen name; nothing looked up)",
    "fundraising:page_photo": "an image file",
}


class World:
    """The demo site, plus one address of each kind we know, and builders for the objects the
    routes need (a fresh one for each case, so one case's post cannot change the next's page)."""

    def __init__(self):
        self.numbers = itertools.count(1)
        self.member = MemberProfileFactory(
            user=UserFactory(email="known.member@example.org"), display_name="Known Member"
        ).user
        EmailAddress.objects.create(user=self.member, email=self.member.email, verified=True, primary=True)
        self.applicant = ApplicationFactory(email="waiting.applicant@example.org", display_name="Waiting Applicant")
        self.erased_email = "erased.member@example.org"
        erased = MemberProfileFactory(user=UserFactory(email=self.erased_email), display_name="Gone Member").user
        from accounts.erasure import erase_member

        erase_member(user=erased, old_email=self.erased_email, revoke_certificates=False)
        self.public_event = make_event(capacity=500, tickets=[{"name": "Free", "quantity": 500}])
        self.members_event = make_event(
            capacity=500, tickets=[{"name": "Free", "quantity": 500}], audience=Audience.MEMBERS
        )
        self.full_event = make_event(capacity=1, tickets=[{"name": "Free", "quantity": 1}])
        RegistrationFactory(event=self.full_event, email="someone.else@example.org")
        # What the known addresses hold: a booking, a place on a waiting list, a referral.
        RegistrationFactory(event=self.public_event, email=self.member.email, user=self.member)
        WaitingListEntryFactory(event=self.full_event, email=self.applicant.email)
        partner = PartnerContact.objects.select_related("organisation").first()
        self.partner = partner.user
        Referral.objects.create(
            organisation=partner.organisation,
            referred_by=partner,
            email=self.member.email,
            token_hash=new_token()[1],
            expires_at=timezone.now() + timedelta(days=7),
        )
        self.holder = MemberProfileFactory(display_name="Certificate Holder", certificate_name="Certificate Holder")

    # Cases: (label, email address, name). The first is the unknown one the others must match.
    def cases(self) -> list[tuple[str, str, str]]:
        n = next(self.numbers)
        return [
            ("unknown", f"nobody.{n}@example.net", f"Unheard Of {n}"),
            ("member (booking, referral)", self.member.email, "Known Member"),
            ("waiting application and waiting list", self.applicant.email, self.applicant.display_name),
            ("erased member", self.erased_email, "Gone Member"),
        ]

    def visitor_member(self) -> User:
        return MemberProfileFactory(user=UserFactory(email=f"visitor.{next(self.numbers)}@example.org")).user

    # Route argument builders ----------------------------------------------------------------

    def ticket(self, event) -> dict:
        registration = RegistrationFactory(event=event, email=f"holder.{next(self.numbers)}@example.org")
        return {"token": links.ticket_token(registration)}

    def offer(self) -> dict:
        entry = WaitingListEntryFactory(
            event=self.full_event,
            status=WaitingListEntry.Status.OFFERED,
            offered_until=timezone.now() + timedelta(hours=4),
        )
        return {"token": links.offer_token(entry)}

    def invitation(self) -> dict:
        token, digest = new_token()
        partner = PartnerContact.objects.get(user=self.partner)
        Referral.objects.create(
            organisation=partner.organisation,
            referred_by=partner,
            email=f"invited.{next(self.numbers)}@example.org",
            token_hash=digest,
            expires_at=timezone.now() + timedelta(days=7),
        )
        return {"token": token}

    def application_status(self, status: str) -> dict:
        token, digest = new_token()
        ApplicationFactory(status=status, token_hash=digest)
        return {"token": token}

    def welcome(self) -> dict:
        user = UserFactory(email=f"approved.{next(self.numbers)}@example.org", password=None)
        return {"token": welcome_link_create(user=user)}

    def certificate(self) -> dict:
        from certificates.services import certificate_issue

        registration = RegistrationFactory(event=self.public_event, email=self.holder.user.email, user=self.holder.user)
        certificate = certificate_issue(
            recipient=self.holder.user, source=registration, title="Workshop", awarded_on=date.today(), hours=Decimal(2)
        )
        return {"code": certificate.code}

    def checkout(self, monthly: bool = False) -> dict:
        from payments import services
        from payments.links import checkout_url

        choice = services.DonationChoice(amount_minor=1500)
        email = f"donor.{next(self.numbers)}@example.org"
        create = services.recurring_gift_create if monthly else services.order_create
        target = create(email=email, donation=choice, currency="GBP")
        return {"token": urlsplit(checkout_url(target)).path.rstrip("/").split("/")[-1]}

    def access_code(self) -> str:
        """A URL, not arguments: the booking page with a new code of its own in the query."""
        from events.services import codes

        if not hasattr(self, "coded_event"):
            self.coded_event = make_event(
                capacity=500,
                tickets=[
                    {"name": "Standard", "quantity": 400, "price_minor": 2000},
                    {"name": "Funded place", "quantity": 100, "funded": True, "hidden": True},
                ],
            )
        block = codes.access_code_block_create(
            event=self.coded_event,
            partner=PartnerContact.objects.get(user=self.partner).organisation,
            ticket_type=self.coded_event.ticket_types.get(hidden=True),
            places=1,
            expires_at=self.coded_event.starts_at - timedelta(days=1),
            actor=None,
        )
        code = block.codes.get().code
        return reverse("events:book_with_code", kwargs={"pk": self.coded_event.pk}) + f"?code={code}"

    def fundraising_page(self):
        """An approved supporter's page in a team, made once."""
        if not hasattr(self, "_fundraising_page"):
            from fundraising.tests.factories import make_campaign, make_page, make_team

            campaign = make_campaign(slug="enumeration-campaign")
            self._fundraising_page = make_page(campaign=campaign, team=make_team(campaign=campaign))
        return self._fundraising_page

    def gift_cancel(self) -> dict:
        from payments import services
        from payments.selectors import cancel_token

        gift = services.recurring_gift_create(
            email=f"monthly.{next(self.numbers)}@example.org",
            donation=services.DonationChoice(amount_minor=1000),
            currency="GBP",
        )
        return {"token": cancel_token(gift)}


# How to build each route's arguments: a list of variants, each a function of the World (giving
# the arguments, or a whole URL), or (function, who) when the page is to be filled in as "member" or "partner".
ROUTE_ARGUMENTS = {
    "events:book": [
        lambda w: {"pk": w.public_event.pk},
        (lambda w: {"pk": w.members_event.pk}, "member"),  # a members' event, booked signed in
        lambda w: {"pk": w.full_event.pk},  # sold out: the waiting-list form
    ],
    "events:ticket": [lambda w: w.ticket(w.public_event), lambda w: w.ticket(w.members_event)],
    "events:ticket_cancel": [lambda w: w.ticket(w.public_event)],
    "events:offer": [lambda w: w.offer()],
    "membership:invitation": [lambda w: w.invitation()],
    "membership:application_status": [
        lambda w: w.application_status(MembershipApplication.Status.SUBMITTED),
        lambda w: w.application_status(MembershipApplication.Status.MORE_INFO),
    ],
    "membership:welcome": [lambda w: w.welcome()],
    "certificates:verify_code": [lambda w: w.certificate()],
    "payments:checkout": [lambda w: w.checkout(), lambda w: w.checkout(monthly=True)],
    "payments:checkout_done": [lambda w: w.checkout()],
    "payments:gift_cancel": [lambda w: w.gift_cancel()],
    # A partner's link with a fresh access code in it (a funded place from a hidden ticket type).
    "events:book_with_code": [lambda w: w.access_code()],
    # A supporter's approved fundraising page (its gift form) and its team.
    "fundraising:page": [lambda w: {"pk": w.fundraising_page().pk}],
    "fundraising:team": [lambda w: {"pk": w.fundraising_page().team_id}],
}

# What to type in a field that is neither an email address nor a name. None: leave it out
# (an unticked box). A field with a value in the page (hidden, preset, chosen) keeps it.
STRONG_PASSWORD = "Quiet-Harbour-Lantern-47"  # noqa: S105 (a test value)
FIELD_VALUES = {
    "website_url": "",  # the honeypot (core.forms.add_honeypot)
    # Signing in: a wrong password (the sign-up form above gives the address STRONG_PASSWORD).
    "password": "Not-The-Password-11",
    "password1": STRONG_PASSWORD,
    "password2": STRONG_PASSWORD,
    "new_password1": STRONG_PASSWORD,
    "new_password2": STRONG_PASSWORD,
    "remember": None,
    "contact_details": "",
    "note": "",
    "message": "Hello",
    "consent": "on",
    "other_amount": "",
    "amount": "",
    "donation": "",
    "anonymous": None,
    "gift_aid": "on",  # the names typed are for Gift Aid: declare it
    "title": "",
    "house_name_or_number": "12",
    "postcode": "SW1A 1AA",
    "anything_else_we_should_know": "",
    "reply": "Thank you",
    "pronouns": "",
    "preferred_language": "",
    "discreet_mode": None,
    "organisation": "A charity",
    "relationship": "Support worker",  # the public referral form (membership:refer)
    "how_would_you_like_to_work_with_us": "Training together",
    # A request for survivor expertise (voices:request_new): a valid one, above any minimum fee.
    "topic": "Survivor-informed practice",
    "description": "A talk for our frontline staff.",
    "start_date": (date.today() + timedelta(days=60)).isoformat(),
    "start_time": "18:00",
    "end_date": (date.today() + timedelta(days=60)).isoformat(),
    "end_time": "20:00",
    "audience_size": "30",
    "recorded": None,
    "public": None,
    "hours": "2",
    "fee_offered": "400",
    # "Keep me posted" (newsletters): ticked, so a known address's subscription is tried too.
    "keep_posted": "on",
    # Applying to volunteer (volunteers:apply, signed in).
    "phone": "",
    "about": "",
    "availability": "",
}


def _is_email(form: PostForm, name: str) -> bool:
    item = form.inputs[name]
    return item.kind == "email" or any(word in name.lower() for word in ("mail", "login", "username"))


def fill(form: PostForm, email: str, name: str) -> tuple[dict, list[str]]:
    """The POST data for one case, and the fields there is no rule for."""
    data, missing = {}, []
    person = form.person_inputs()
    for item in form.inputs.values():
        if item.name in person:
            data[item.name] = email if _is_email(form, item.name) else name
        elif (rule := item.name.split("-", 1)[-1]) in FIELD_VALUES:  # "wait-email": a prefixed form
            if FIELD_VALUES[rule] is not None:
                data[item.name] = FIELD_VALUES[rule]
        elif item.kind in ("radio", "select") or (item.kind == "checkbox" and item.options):
            # One choice (a group of boxes, such as newsletter lists: the first ticked).
            data[item.name] = item.value or next((option for option in item.options if option), "")
        elif item.kind == "hidden" or item.value:
            data[item.name] = item.value
        else:
            missing.append(f"{item.name} ({item.kind})")
    if form.buttons:
        data[form.buttons[0].name] = form.buttons[0].value
    return data, missing


class Visit:
    """Pages as one kind of visitor sees them: each case gets a new client (a new session, a
    new client address), signed in as a new member or as the partner when the page needs it."""

    addresses = (f"198.51.100.{n}" for n in itertools.count(1))

    def __init__(self, world: World, who: str):
        self.world, self.who = world, who

    def client(self) -> Client:
        """A new client; its `own` values (the signed-in account's address) differ from one case
        to the next and are taken out before answers are compared."""
        client = Client(REMOTE_ADDR=next(self.addresses))
        client.own = []
        if self.who == "member":
            user = self.world.visitor_member()
            client.force_login(user)
            client.own = [user.email]
        elif self.who == "partner":
            # A new organisation each time: its list of referrals starts empty for every case.
            contact = PartnerContactFactory(user=UserFactory(email=f"partner.{next(self.world.numbers)}@example.org"))
            client.force_login(contact.user)
            client.own = [contact.organisation.name]
        return client


def _get(client: Client, url: str):
    response = client.get(url)
    is_page = response.status_code == 200 and "html" in response.get("Content-Type", "")
    return response, is_page


def _url(name: str, built: dict | str) -> str:
    """A builder gives the route's arguments, or (for a page that takes a query) the whole URL."""
    return built if isinstance(built, str) else reverse(name, kwargs=built)


def public_pages(world: World):
    """(label, url maker, who or None) for every public page: routes without arguments, routes with built
    arguments, every live public Wagtail page. Fails on a route that has no rule."""
    pages, unruled = [], []
    for route in routes():
        key = route.name or route.pattern
        if route.pattern.startswith(NOT_PUBLIC) or key in NO_PAGE:
            continue
        if route.name == "wagtail_serve":
            for page in Page.objects.live().public().specific():
                url = page.get_url()
                if url:
                    pages.append((f"page {url}", lambda url=url: url, None))
        elif not route.takes_arguments:
            pages.append((route.name, lambda name=route.name: reverse(name), None))
        elif route.name in ROUTE_ARGUMENTS:
            for number, variant in enumerate(ROUTE_ARGUMENTS[route.name], start=1):
                build, who = variant if isinstance(variant, tuple) else (variant, None)
                maker = lambda name=route.name, build=build: _url(name, build(world))  # noqa: E731
                pages.append((f"{route.name} #{number}", maker, who))
        else:
            unruled.append(f"{route.pattern} ({route.name})")
    assert not unruled, (
        "These public routes take arguments and have no rule: add a builder to ROUTE_ARGUMENTS in "
        f"{__file__} (or, if they serve no page with a form, a reason to NO_PAGE): {unruled}"
    )
    return pages


# The addresses World's builders make for each case's own objects (a ticket's holder, an
# approved applicant's account): one per case, so they are taken out like what was typed.
BUILT_ADDRESS = re.compile(r"\b[a-z]+\.\d+@example\.org\b")


# A form that refused what was sent (the site's error summary, Django's and allauth's lists).
REFUSAL = re.compile(r'There is a problem|class="errorlist|aria-invalid="true"')
# Forms whose answer to an unknown address is a refusal: signing in (a wrong password). Every
# other form must accept the unknown address, so that the comparison is of real answers, not of
# one error page with another.
REFUSES_AN_UNKNOWN_ADDRESS = ("account_login", "wagtailcore_login")


def answer(client: Client, response, typed: list[str]) -> dict:
    """What a visitor learns from a POST's response: status, where it sends them, what they read
    (on the page, or on the page it redirects to)."""
    seen = {"status": response.status_code, "refused": bool(REFUSAL.search(response.content.decode()))}
    typed = typed + BUILT_ADDRESS.findall(response.content.decode())
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        seen["location"] = visible_text(location, typed)
        if not urlsplit(location).netloc:
            followed = client.get(location)
            typed = typed + BUILT_ADDRESS.findall(followed.content.decode())
            seen["then"] = (followed.status_code, visible_text(followed.content.decode(), typed))
    else:
        seen["text"] = visible_text(response.content.decode(), typed)
    return seen


def test_every_public_form_answers_the_same_whoever_the_address_or_name_belongs_to(demo_site, localstripe):
    world = World()
    pages = public_pages(world)
    checked: dict[str, list[str]] = {}
    unruled_fields = {}
    for label, make_url, forced in pages:
        url = make_url()
        for who in (forced,) if forced else ("visitor", "member", "partner"):
            response, is_page = _get(Visit(world, who).client(), url)
            if is_page:
                break
        if not is_page:
            continue  # staff only, POST only or gone: not a page anyone outside staff fills in
        for form in post_forms(response.content.decode()):
            if not form.person_inputs():
                continue
            key = f"{label}: {form.signature}"
            answers = []
            for case, email, name in world.cases():
                # allauth limits emails per address (in the cache) whether or not the address
                # is known; the known addresses are used by every form, the unknown one once.
                cache.clear()
                client = Visit(world, who).client()
                page_url = make_url()
                page = client.get(page_url)
                same_form = [f for f in post_forms(page.content.decode()) if f.signature == form.signature]
                assert same_form, f"{key}: the form is not on the page again for the case '{case}'"
                data, missing = fill(same_form[0], email, name)
                if missing:
                    unruled_fields[key] = missing
                    break
                action = urljoin(page_url, same_form[0].action or page_url)
                posted = client.post(action, data)
                assert posted.status_code < 500, f"{key}: {case} answered {posted.status_code}"
                answers.append((case, answer(client, posted, [email, name, *client.own])))
            if label not in REFUSES_AN_UNKNOWN_ADDRESS and answers:
                assert not answers[0][1]["refused"], f"{key}: the unknown address was refused: {answers[0][1]}"
            for case, seen in answers[1:]:
                assert seen == answers[0][1], (
                    f"{key} answers '{case}' differently from an unknown address:\n{seen}\n---\n{answers[0][1]}"
                )
            checked[key] = [case for case, _seen in answers]
    assert not unruled_fields, (
        "These public forms have fields the test has no value for: add them to FIELD_VALUES in "
        f"{__file__}: {unruled_fields}"
    )
    # Nothing stored twice for the known addresses.
    assert MembershipApplication.objects.filter(email=world.applicant.email).count() == 1
    assert not MembershipApplication.objects.filter(email=world.member.email).exists()
    assert WaitingListEntry.objects.filter(event=world.full_event, email=world.applicant.email).count() == 1
    covered = " ".join(checked)
    for expected in (
        "membership:apply",
        "membership:refer",
        "events:book #1",  # booking
        "events:book #3",  # the waiting list of a sold-out event
        "events:ticket #1",  # passing a ticket on
        "certificates:verify_code",
        "partners:referral_new",
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_email",
        "page /donate/",
    ):
        assert expected in covered, f"{expected} was not found among the public forms: {sorted(checked)}"


def test_the_owner_of_a_known_address_is_told_by_email_and_nothing_is_stored_twice(
    demo_site, client, django_capture_on_commit_callbacks
):
    """The application, the most sensitive of the forms: counted rows and the owner's email."""
    world = World()
    chapter = MemberProfile.objects.filter(chapter__isnull=False).first().chapter
    before = MembershipApplication.objects.count()
    mail.outbox.clear()
    for number, email in enumerate([world.applicant.email, world.member.email, "nobody@example.net"], start=1):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("membership:apply"),
                {"display_name": "Someone", "email": email, "contact_method": "email", "chapter": chapter.pk},
                REMOTE_ADDR=f"203.0.113.{number}",
                follow=True,
            )
        assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert MembershipApplication.objects.count() == before + 1  # only the unknown address's
    assert MembershipApplication.objects.filter(email=world.applicant.email).count() == 1
    assert {message.to[0] for message in mail.outbox} >= {world.applicant.email, world.member.email}


def test_a_monthly_gift_answers_the_same_whoever_the_address_belongs_to(demo_site, localstripe):
    """The donation form's monthly choice (the test above sends its default, once)."""
    world = World()
    answers = []
    for number, (case, email, name) in enumerate(world.cases(), start=1):
        cache.clear()
        client = Client(REMOTE_ADDR=f"192.0.2.{number}")
        form = next(f for f in post_forms(client.get("/donate/").content.decode()) if f.person_inputs())
        data, missing = fill(form, email, name)
        assert not missing
        posted = client.post("/donate/", data | {"frequency": "monthly"})
        answers.append((case, answer(client, posted, [email, name])))
    assert not answers[0][1]["refused"] and "/payments/checkout/" in answers[0][1]["location"]
    for case, seen in answers[1:]:
        assert seen == answers[0][1], f"a monthly gift answers '{case}' differently: {seen}"


def test_repeated_wrong_passwords_are_refused_alike_for_a_members_address_and_an_unknown_one(demo_site):
    """allauth's failed-sign-in limit (per address and account, accounts.signin_limits) must
    not start only for addresses that have an account: that too would tell who is a member."""
    world = World()
    pages = {}
    for number, email in enumerate([world.member.email, "nobody.at.all@example.net"], start=1):
        client = Client(REMOTE_ADDR=f"192.0.2.{100 + number}")
        pages[email] = []
        for attempt in range(7):
            form = next(f for f in post_forms(client.get(reverse("account_login")).content.decode()) if f.inputs)
            data, _missing = fill(form, email, "")
            posted = client.post(reverse("account_login"), data | {"password": f"wrong-{attempt}"})
            pages[email].append((posted.status_code, visible_text(posted.content.decode(), [email])))
    known, unknown = pages.values()
    assert known == unknown
    assert "Too many failed login attempts" in known[-1][1]  # the limit did start, for both
