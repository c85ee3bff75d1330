"""Subscribing and unsubscribing (issue 18): double opt-in with a consent record, the same
answer for every address, signed links that refuse tampering, RFC 8058 one-click unsubscribe,
the rate limit, the "keep me posted" box on the donation and booking forms, the members' own
choices, who sees subscribers, and the member's export and erasure."""

import re
import secrets
import time
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.export import member_export
from accounts.roles import COMMUNICATIONS, EDITORS, EVENT_STAFF, FINANCE, MEMBERSHIP, TRAINERS
from accounts.tests.factories import (
    MemberProfileFactory,
    PartnerContactFactory,
    UserFactory,
    sign_in_with_second_factor,
)
from core.personal_data import Member, member_erase
from newsletters.consent import KEEP_POSTED_VERSION, SIGN_UP_VERSION
from newsletters.models import MailingList, Subscription
from newsletters.tokens import confirm_token, unsubscribe_token

pytestmark = pytest.mark.django_db

Status = Subscription.Status
SUBSCRIBE = "/newsletters/subscribe/"


@pytest.fixture
def supporters(db):
    return MailingList.objects.create(name="Supporters’ news", slug="supporters", language="en-gb")


def sign_up(client, email, *lists, **extra):
    return client.post(SUBSCRIBE, {"email": email, "lists": [ml.pk for ml in lists]} | extra)


def link_in(message, kind: str) -> str:
    return re.search(rf"https?://\S+(/newsletters/{kind}/[^/\s]+/)", message.body).group(1)


def confirmed(email="sam@example.org", mailing_list=None, **fields) -> Subscription:
    return Subscription.objects.create(
        mailing_list=mailing_list,
        email=email,
        status=Status.CONFIRMED,
        confirmed_at=timezone.now(),
        method=Subscription.Method.SIGN_UP_FORM,
        consent_wording="Send me the newsletters I have ticked.",
        consent_version=SIGN_UP_VERSION,
        **fields,
    )


# Double opt-in ------------------------------------------------------------------------------


def test_signing_up_emails_a_link_whose_page_confirms_only_when_its_button_is_pressed(
    client, supporters, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, "Sam@Example.org", supporters)
    assert response.status_code == 302 and response.url == "/newsletters/subscribe/check-your-email/"
    subscription = Subscription.objects.get()
    assert subscription.email == "sam@example.org" and subscription.status == Status.PENDING
    [message] = mail.outbox
    assert message.to == ["sam@example.org"] and "Supporters’ news" in message.body
    url = link_in(message, "confirm")

    page = client.get(url)  # what a mail scanner does: nothing changes
    assert page.status_code == 200 and "Yes, subscribe me" in page.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Status.PENDING

    done = client.post(url, {"list": [supporters.pk]})
    assert done.status_code == 200 and "You are subscribed" in done.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Status.CONFIRMED and subscription.confirmed_at is not None
    assert subscription.method == Subscription.Method.SIGN_UP_FORM and subscription.consent_version == SIGN_UP_VERSION
    assert "unsubscribe at any time" in subscription.consent_wording
    assert subscription.requested_at <= subscription.confirmed_at and subscription.language == "en-gb"


def test_the_page_answers_the_same_for_a_new_a_waiting_and_an_already_subscribed_address(
    client, supporters, django_capture_on_commit_callbacks
):
    confirmed("known@example.org", supporters)
    Subscription.objects.create(
        mailing_list=supporters, email="waiting@example.org", method="form", consent_wording="x", consent_version="v"
    )
    answers = []
    for email in ("new@example.org", "waiting@example.org", "known@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = sign_up(client, email, supporters)
        followed = client.get(response.url)
        answers.append((response.status_code, response.url, followed.status_code, followed.content))
    assert answers[0] == answers[1] == answers[2]
    # One email each; the subscribed address's owner is told, and nothing of theirs changed.
    assert [m.to for m in mail.outbox] == [["new@example.org"], ["waiting@example.org"], ["known@example.org"]]
    assert "already subscribed" in mail.outbox[2].body and "/newsletters/unsubscribe/" in mail.outbox[2].body
    known = Subscription.objects.get(email="known@example.org")
    assert known.status == Status.CONFIRMED and known.consent_wording == "Send me the newsletters I have ticked."


def test_a_link_confirms_only_the_lists_its_page_showed_not_one_asked_for_later(client, supporters):
    other = MailingList.objects.create(name="Events news", slug="events-news")
    sign_up(client, "sam@example.org", supporters)
    first = Subscription.objects.get()
    response = client.post(f"/newsletters/confirm/{confirm_token(first)}/", {"list": [supporters.pk, other.pk]})
    assert response.status_code == 200
    assert Subscription.objects.get(mailing_list=supporters).status == Status.CONFIRMED
    assert not Subscription.objects.filter(mailing_list=other).exists()


# Bad links ----------------------------------------------------------------------------------


def test_a_tampered_or_expired_confirmation_link_says_so_with_400_and_changes_nothing(client, supporters):
    sign_up(client, "sam@example.org", supporters)
    subscription = Subscription.objects.get()
    token = confirm_token(subscription)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for url in (f"/newsletters/confirm/{tampered}/", "/newsletters/confirm/not-a-token/"):
        for response in (client.get(url), client.post(url, {"list": [supporters.pk]})):
            assert response.status_code == 400
            assert "This confirmation link is not complete, was changed" in response.content.decode()
    eight_days_later = time.time() + 8 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=eight_days_later):
        response = client.post(f"/newsletters/confirm/{token}/", {"list": [supporters.pk]})
    assert response.status_code == 400 and "more than a week old" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Status.PENDING and subscription.confirmed_at is None


def test_a_tampered_unsubscribe_link_says_so_with_400_and_changes_nothing(client, supporters):
    subscription = confirmed(mailing_list=supporters)
    token = unsubscribe_token(subscription)
    confirm_link = confirm_token(subscription)  # signed, but for another purpose
    for bad in (token[:-2] + "xx", confirm_link, "nothing"):
        response = client.post(f"/newsletters/unsubscribe/{bad}/", {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 400 and "Nothing has been changed" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Status.CONFIRMED


# Unsubscribing ------------------------------------------------------------------------------


def test_one_click_post_unsubscribes_at_once_without_sign_in_or_csrf_token(supporters):
    subscription = confirmed(mailing_list=supporters)
    provider = Client(enforce_csrf_checks=True)  # a mailbox provider: no cookie, no token
    response = provider.post(
        f"/newsletters/unsubscribe/{unsubscribe_token(subscription)}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == Status.UNSUBSCRIBED and subscription.unsubscribed_at is not None
    again = provider.post(
        f"/newsletters/unsubscribe/{unsubscribe_token(subscription)}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert again.status_code == 200  # twice is harmless


def test_the_unsubscribe_page_shows_one_button_and_a_get_changes_nothing(client, supporters):
    subscription = confirmed(mailing_list=supporters)
    response = client.get(f"/newsletters/unsubscribe/{unsubscribe_token(subscription)}/")
    body = response.content.decode()
    assert response.status_code == 200 and body.count('type="submit"') == 1 and 'method="post"' in body
    assert 'name="List-Unsubscribe" value="One-Click"' in body
    subscription.refresh_from_db()
    assert subscription.status == Status.CONFIRMED


# Bad input and the rate limit ---------------------------------------------------------------


@pytest.mark.parametrize("typed", ["not-an-address", "sam@", "a" * 250 + "@example.org"])
def test_an_invalid_address_is_refused_in_words_and_nothing_is_stored_or_sent(client, supporters, typed):
    response = sign_up(client, typed, supporters)
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "This does not look like an email address" in body or "This email address is too long" in body
    assert not Subscription.objects.exists() and mail.outbox == []


def test_many_sign_ups_from_one_visitor_are_paused_with_429_and_what_was_typed_kept(client, supporters, settings):
    for number in range(settings.FORM_RATE_LIMIT):
        assert sign_up(client, f"reader{number}@example.org", supporters).status_code == 302
    stored = Subscription.objects.count()
    response = sign_up(client, "one-too-many@example.org", supporters)
    body = response.content.decode()
    assert response.status_code == 429
    assert "so we paused this form" in body and 'value="one-too-many@example.org"' in body
    assert re.search(rf'value="{supporters.pk}"[^>]*checked', body)
    assert Subscription.objects.count() == stored


def test_a_robot_filling_the_hidden_field_is_answered_as_a_person_and_nothing_is_kept(client, supporters):
    response = sign_up(client, "bot@example.org", supporters, website_url="http://spam.example")
    assert response.status_code == 302 and not Subscription.objects.exists() and mail.outbox == []


# Which lists are offered --------------------------------------------------------------------


def test_the_form_offers_public_lists_of_the_page_language_members_and_partners_lists_only_to_them(client):
    MailingList.objects.create(name="Public news", slug="public")
    MailingList.objects.create(name="Nouvelles", slug="fr-news", language="vi")
    MailingList.objects.create(name="Members’ letter", slug="members", audience="members")
    MailingList.objects.create(name="Partners’ briefing", slug="partners", audience="partners")
    MailingList.objects.create(name="Hidden list", slug="hidden", offered_on_forms=False)

    def offered():
        body = client.get(SUBSCRIBE).content.decode()
        return {name for name in ("Public news", "Nouvelles", "Members", "Partners", "Hidden list") if name in body}

    assert offered() == {"Public news"}
    client.force_login(MemberProfileFactory().user)
    assert offered() == {"Public news", "Members"}
    client.force_login(PartnerContactFactory().user)
    assert offered() == {"Public news", "Partners"}
    members = MailingList.objects.get(slug="members")
    response = sign_up(client, "partner@example.org", members)  # a list not offered to them
    assert response.status_code == 200 and not Subscription.objects.exists()


def test_no_newsletter_is_ticked_for_the_visitor_even_when_only_one_is_offered(client, supporters):
    body = client.get(SUBSCRIBE).content.decode()
    [box] = re.findall(r'<input[^>]*name="lists"[^>]*>', body)
    assert f'value="{supporters.pk}"' in box and "checked" not in box


# "Keep me posted" on the donation and booking forms -------------------------------------------


@pytest.fixture
def donate_page(db):
    from wagtail.models import Page

    from payments.models import DonatePage

    root = Page.get_first_root_node()
    home = root.get_children().first() or root
    return home.add_child(instance=DonatePage(title="Donate", slug="donate-test", suggested_amounts="10, 25"))


def donation(**fields):
    return {"preset": "1000", "frequency": "once", "email": "giver@example.org"} | fields


def test_the_donation_form_keep_me_posted_box_is_unticked_and_asks_to_confirm_only_when_ticked(
    client, localstripe, donate_page, supporters, django_capture_on_commit_callbacks
):
    page = client.get(donate_page.url).content.decode()
    box = re.search(r'<input[^>]*name="keep_posted"[^>]*>', page).group(0)
    assert 'type="checkbox"' in box and "checked" not in box
    assert client.post(donate_page.url, donation()).status_code == 302
    assert not Subscription.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(donate_page.url, donation(email="keen@example.org", keep_posted="on"))
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.mailing_list, subscription.status) == (
        "keen@example.org",
        supporters,
        Status.PENDING,
    )
    assert subscription.method == Subscription.Method.DONATION and subscription.consent_version == KEEP_POSTED_VERSION
    assert any(m.to == ["keen@example.org"] and "/newsletters/confirm/" in m.body for m in mail.outbox)


def test_a_discreet_member_is_never_added_by_a_form_they_did_not_tick_and_gets_neutral_mail_when_they_do(
    client, localstripe, donate_page, supporters, django_capture_on_commit_callbacks
):
    member = MemberProfileFactory(discreet_mode=True).user
    client.force_login(member)
    client.post(donate_page.url, donation(email=member.email))
    assert not Subscription.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(donate_page.url, donation(email=member.email, keep_posted="on"))
    assert Subscription.objects.get().user == member
    [message] = [m for m in mail.outbox if "/newsletters/confirm/" in m.body]
    assert "Supporters" not in message.subject + message.body  # neutral (conftest checks sender and subject)


def test_the_booking_form_keep_me_posted_box_asks_to_confirm_only_when_ticked(
    client, supporters, django_capture_on_commit_callbacks
):
    from events.tests.factories import make_event

    event = make_event(title="Spring gathering")
    url = f"/events/{event.pk}/book/"
    box = re.search(r'<input[^>]*name="keep_posted"[^>]*>', client.get(url).content.decode()).group(0)
    assert "checked" not in box

    def book(email, **extra):
        data = {"ticket_type": event.ticket_types.first().pk, "email": email, "nonce": secrets.token_hex(8)}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data | extra)

    assert book("quiet@example.org").status_code == 302
    assert book("keen@example.org", keep_posted="on").status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.email == "keen@example.org" and subscription.method == Subscription.Method.BOOKING
    assert subscription.status == Status.PENDING


# Members' own choices -----------------------------------------------------------------------


def test_a_member_with_a_verified_address_subscribes_from_their_account_at_once_and_can_stop(
    client, supporters, django_capture_on_commit_callbacks
):
    member = MemberProfileFactory().user
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/newsletters/account/", {"lists": [supporters.pk]})
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.status == Status.CONFIRMED and subscription.method == Subscription.Method.ACCOUNT
    assert subscription.user == member and mail.outbox == []
    client.post("/newsletters/account/", {})
    subscription.refresh_from_db()
    assert subscription.status == Status.UNSUBSCRIBED


def test_a_member_whose_address_is_not_verified_confirms_by_email_like_anyone(
    client, supporters, django_capture_on_commit_callbacks
):
    member = MemberProfileFactory().user
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/newsletters/account/", {"lists": [supporters.pk]})
    assert Subscription.objects.get().status == Status.PENDING
    [message] = mail.outbox
    assert message.to == [member.email]


# Who sees subscribers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        (COMMUNICATIONS, True),
        ("superuser", True),
        (MEMBERSHIP, False),
        (FINANCE, False),
        (EDITORS, False),
        (EVENT_STAFF, False),
        (TRAINERS, False),
    ],
)
def test_subscriber_lists_are_shown_only_to_communications_and_superusers(client, supporters, role, seen):
    confirmed("listed@example.org", supporters)
    user = UserFactory(is_superuser=True, is_staff=True) if role == "superuser" else UserFactory(groups=[role])
    sign_in_with_second_factor(client, user)
    for url in (
        "/admin/newsletters/lists/",
        f"/admin/newsletters/lists/{supporters.pk}/subscribers/",
        "/admin/newsletters/lists/new/",
        f"/admin/newsletters/lists/{supporters.pk}/edit/",
    ):
        response = client.get(url)
        # Refused: 403, or Wagtail's redirect to the admin home saying so (as accounts' access matrix).
        refused = response.status_code == 403 or (response.status_code == 302 and response.url == "/admin/")
        assert (response.status_code == 200) is seen and refused is not seen, url
    body = client.get(f"/admin/newsletters/lists/{supporters.pk}/subscribers/").content.decode()
    assert ("listed@example.org" in body) is seen
    if seen:
        assert SIGN_UP_VERSION in body and "Send me the newsletters I have ticked." in body


def test_subscriber_lists_send_anonymous_visitors_to_sign_in(client, supporters):
    response = client.get(f"/admin/newsletters/lists/{supporters.pk}/subscribers/")
    assert response.status_code == 302 and "login" in response.url


def test_communications_adds_a_list_offered_on_forms(client):
    sign_in_with_second_factor(client, UserFactory(groups=[COMMUNICATIONS]))
    response = client.post(
        "/admin/newsletters/lists/new/",
        {
            "name": "Chapter news",
            "slug": "chapter-news",
            "audience": "public",
            "language": "en-gb",
            "offered_on_forms": "on",
        },
    )
    assert response.status_code == 302
    assert MailingList.objects.get(slug="chapter-news").offered_on_forms


# Export and erasure -------------------------------------------------------------------------


def test_the_members_export_holds_their_subscriptions_with_the_consent_records(supporters):
    member = MemberProfileFactory().user
    confirmed(member.email, supporters)  # by address: subscribed before the account linked it
    other = MailingList.objects.create(name="Events news", slug="events-news")
    confirmed("someone-else@example.org", other)
    export = member_export(member)
    [row] = export["newsletters.Subscription"]
    assert row["email"] == member.email and row["status"] == "confirmed" and row["method"] == "form"
    assert row["consent_wording"] == "Send me the newsletters I have ticked."
    assert row["consent_version"] == SIGN_UP_VERSION and row["requested_at"] and row["confirmed_at"]


def test_erasure_anonymises_subscriptions_and_they_are_never_sent_to_again(supporters):
    member = MemberProfileFactory().user
    subscription = confirmed(member.email, supporters, user=member)
    member_erase(Member(user_id=member.pk, email=member.email))
    subscription.refresh_from_db()
    assert subscription.email == f"erased-subscription-{subscription.pk}@erased.invalid"
    assert subscription.user is None and subscription.status == Status.UNSUBSCRIBED
    assert subscription.consent_version == SIGN_UP_VERSION  # our words stay: they are not the member's
    member_erase(Member(user_id=member.pk, email=member.email))  # twice changes nothing more
