"""Sending a newsletter (issue 18, item 3) through Django's SMTP backend to a real SMTP server
on this machine (item 5, conftest's `smtp_server`): one copy per confirmed subscriber with
the list headers, the split-phase send, unsubscribing and pausing mid-send, refusals,
recovery of claims left by a dead worker, and no tracking."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page

from accounts.tests.factories import MemberProfileFactory, UserFactory
from core.email import neutral_sender
from newsletters.consent import SIGN_UP_VERSION
from newsletters.models import Delivery, Mailing, MailingList, NewsletterIndexPage, NewsletterPage, Subscription
from newsletters.services import sending
from newsletters.services.subscriptions import subscription_unsubscribe
from newsletters.smtp import SplitSender
from newsletters.tokens import read_unsubscribe_token

pytestmark = pytest.mark.postgres

Status = Delivery.Status
NO_QUEUE = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def wagtail_root() -> Page:
    """Wagtail's locale and root page (an earlier transactional test's flush removes them)."""
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(
            instance=Page(title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page))
        )
    return root


@pytest.fixture
def tree(db):
    return wagtail_root()


@pytest.fixture
def smtp(smtp_server, settings):
    smtp_server.reset()
    settings.MAILERS = smtp_server.mailers()
    return smtp_server


def make_issue(mailing_list: MailingList, title: str = "Spring news") -> NewsletterPage:
    root = Page.get_first_root_node()
    archive = NewsletterIndexPage(title="Newsletters", slug=f"newsletters-{mailing_list.slug}")
    root.add_child(instance=archive)
    issue = NewsletterPage(
        title=title,
        slug="spring",
        intro="What we did this spring.",
        mailing_list=mailing_list,
        body=[("paragraph", '<p>Read <a href="https://example.org/report">the report</a>.</p>')],
    )
    archive.add_child(instance=issue)
    return issue


def subscribe(mailing_list: MailingList, email: str, status=Subscription.Status.CONFIRMED, **fields) -> Subscription:
    return Subscription.objects.create(
        mailing_list=mailing_list,
        email=email,
        status=status,
        method=Subscription.Method.SIGN_UP_FORM,
        consent_wording="Send me the newsletters I have ticked.",
        consent_version=SIGN_UP_VERSION,
        **fields,
    )


def started_mailing(mailing_list: MailingList, issue: NewsletterPage | None = None) -> Mailing:
    """Started, its first batch not run (the test runs the batches)."""
    issue = issue or make_issue(mailing_list)
    mailing = Mailing.objects.create(newsletter=issue, mailing_list=mailing_list, send_at=timezone.now())
    with override_settings(TASKS=NO_QUEUE):
        sending.mailing_start(mailing_id=mailing.pk)
    mailing.refresh_from_db()
    return mailing


def send_all(mailing: Mailing, *, most: int = 100) -> list[sending.BatchOutcome]:
    outcomes = []
    for _ in range(most):
        outcomes.append(sending.mailing_send_batch(mailing_id=mailing.pk))
        if outcomes[-1].again != "now":
            return outcomes
    raise AssertionError("the batches never ended")


def statuses(mailing: Mailing) -> dict[str, int]:
    return {
        status: Delivery.objects.filter(mailing=mailing, status=status).count()
        for status in Status.values
        if Delivery.objects.filter(mailing=mailing, status=status).exists()
    }


@pytest.fixture
def supporters(tree):
    return MailingList.objects.create(name="Supporters’ news", slug="supporters", language="en-gb")


# One copy each, with the list headers --------------------------------------------------------


@pytest.mark.django_db
def test_each_confirmed_subscriber_receives_one_copy_through_the_smtp_server_and_no_one_else(smtp, supporters):
    for n in range(120):  # more than two batches
        subscribe(supporters, f"reader{n}@example.org")
    subscribe(supporters, "waiting@example.org", status=Subscription.Status.PENDING)
    subscribe(supporters, "left@example.org", status=Subscription.Status.UNSUBSCRIBED)
    other_list = MailingList.objects.create(name="Partners", slug="partners")
    subscribe(other_list, "partner@example.org")

    mailing = started_mailing(supporters)
    outcomes = send_all(mailing)

    copies = smtp.copies_per_recipient()
    assert set(copies) == {f"reader{n}@example.org" for n in range(120)}
    assert set(copies.values()) == {1}
    assert statuses(mailing) == {Status.SENT: 120}
    assert sum(outcome.sent for outcome in outcomes) == 120
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT and mailing.finished_at is not None


@pytest.mark.django_db
def test_every_copy_carries_its_own_one_click_unsubscribe_link_the_list_id_and_a_message_id(smtp, supporters):
    sam = subscribe(supporters, "sam@example.org")
    mailing = started_mailing(supporters)
    send_all(mailing)

    (received,) = smtp.messages()
    headers = received.message
    link = re.fullmatch(r"<(https?://[^>]+)>", headers["List-Unsubscribe"]).group(1)
    assert link.startswith(settings.SITE_URL)
    token = re.fullmatch(r"/newsletters/unsubscribe/([^/]+)/", urlsplit(link).path).group(1)
    assert read_unsubscribe_token(token) == (sam.pk, "sam@example.org")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # On the wire as RFC 2369 wants it: the URL in angle brackets, not an encoded word.
    assert f"\r\nList-Unsubscribe: <{link}>\r\n".encode() in received.raw
    assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in received.raw
    assert "Supporters’ news" in headers["List-Id"] and f"<list-{supporters.pk}." in headers["List-Id"]
    delivery = Delivery.objects.get(mailing=mailing)
    assert headers["Message-ID"].startswith(f"<m{mailing.pk}.d{delivery.pk}@")
    assert headers["Subject"] == "Spring news"
    assert received.mail_from == "hello@thrive.example"
    text = headers.get_body(("plain",)).get_content()
    html = headers.get_body(("html",)).get_content()
    assert link in text and link in html  # the footer's link is the same one
    assert "{{UNSUBSCRIBE_URL}}" not in text + html


@pytest.mark.django_db
def test_the_copies_are_the_frozen_message_with_no_tracking_image_and_no_rewritten_link(smtp, supporters):
    subscribe(supporters, "sam@example.org")
    mailing = started_mailing(supporters)
    issue = NewsletterPage.objects.get(pk=mailing.newsletter_id)
    issue.title = "Edited after the start"
    issue.save()
    send_all(mailing)

    message = smtp.messages()[0].message
    html = message.get_body(("html",)).get_content()
    assert message["Subject"] == "Spring news"  # frozen when sending started
    assert '<a href="https://example.org/report"' in html  # the editor's link, as written
    for source in re.findall(r'<img[^>]+src="([^"]+)"', html):
        assert source.startswith(settings.SITE_URL) and "?" not in source
    links = set(re.findall(r'href="([^"]+)"', html))
    frozen = set(re.findall(r'href="([^"]+)"', mailing.html))
    assert links - frozen <= {message["List-Unsubscribe"].strip("<>")}  # only the unsubscribe link filled in


@pytest.mark.django_db
def test_a_discreet_members_copy_has_the_neutral_sender_and_subject_and_no_list_name(smtp, supporters):
    member = UserFactory(email="quiet@example.org")
    MemberProfileFactory(user=member, discreet_mode=True)
    subscribe(supporters, "quiet@example.org", user=member)
    subscribe(supporters, "open@example.org")
    mailing = started_mailing(supporters)
    send_all(mailing)

    by_recipient = {received.recipient: received.message for received in smtp.messages()}
    quiet, open_copy = by_recipient["quiet@example.org"], by_recipient["open@example.org"]
    assert quiet["From"] == neutral_sender()
    assert quiet["Subject"] == settings.DISCREET_SUBJECT
    assert "Supporters" not in quiet["List-Id"]
    assert "Spring news" not in quiet.get_body(("html",)).get_content().split("<body", 1)[0]
    assert quiet["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert open_copy["Subject"] == "Spring news" and open_copy["From"] == settings.DEFAULT_FROM_EMAIL


@pytest.mark.django_db
@pytest.mark.parametrize("discreet", [False, True])
@pytest.mark.parametrize("body", ["Plain words.", "Ünïcode — “quoted” words.", "A long line " * 200])
def test_a_copy_made_the_fast_way_is_the_copy_the_email_package_makes(supporters, discreet, body):
    """The batch's Composer fills one built copy per kind with each recipient's address, link
    and Message-ID: the same message as delivery_message's, header by header and part by part
    (Date and the MIME boundary aside). A part the email package encodes (a line too long for
    8bit) is built the slow way."""
    from email import message_from_bytes
    from email.policy import default

    from newsletters.services.delivering import Composer, delivery_message
    from newsletters.smtp import WIRE_POLICY

    issue = make_issue(supporters, title="Nouvelles — printemps “été”")
    issue.body = [("paragraph", f"<p>{body}</p>")]
    issue.save_revision().publish()
    for n in range(3):
        subscribe(supporters, f"reader.{n}@example.org")
    mailing = started_mailing(supporters, issue)
    composer = Composer(mailing, "en-gb")
    rows = list(Delivery.objects.filter(mailing=mailing).select_related("subscription").order_by("pk"))
    fast = [composer.message(row, discreet=discreet) for row in rows]
    assert all(hasattr(message, "wire") for message in fast) == (len(body) < 900)
    for row, message in zip(rows, fast, strict=True):
        slow = delivery_message(mailing, row, discreet=discreet, language="en-gb").message(policy=WIRE_POLICY)
        made = getattr(message, "wire", None) or message.message(policy=WIRE_POLICY).as_bytes()
        # As the SMTP server reads them: CRLF to LF, a doubled leading dot undone (RFC 5321 4.5.2).
        made = message_from_bytes(made.replace(b"\r\n", b"\n").replace(b"\n..", b"\n."), policy=default)
        # The signed token holds the second it was made: the two copies' may differ by one.
        link, slow_link = made["List-Unsubscribe"].strip("<>").encode(), slow["List-Unsubscribe"].strip("<>").encode()
        slow = message_from_bytes(slow.as_bytes().replace(b"\r\n", b"\n").replace(slow_link, link), policy=default)
        differ = {"Date", "Content-Type"}
        assert [(k, v) for k, v in made.items() if k not in differ] == [
            (k, v) for k, v in slow.items() if k not in differ
        ]
        assert made.get_content_type() == slow.get_content_type() == "multipart/alternative"
        assert [(p.get_content_type(), p.get_content()) for p in made.iter_parts()] == [
            (p.get_content_type(), p.get_content()) for p in slow.iter_parts()
        ]
        assert made["To"] == row.subscription.email and f".d{row.pk}@" in made["Message-ID"]
        assert read_unsubscribe_token(made["List-Unsubscribe"].strip("<>").rstrip("/").rsplit("/", 1)[-1])[0] == (
            row.subscription_id
        )


# Starting -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_starting_twice_queues_nobody_twice_and_a_mailing_not_yet_due_does_not_start(supporters):
    for n in range(3):
        subscribe(supporters, f"reader{n}@example.org")
    mailing = started_mailing(supporters)
    Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.SCHEDULED)
    sending.mailing_start(mailing_id=mailing.pk)
    assert Delivery.objects.filter(mailing=mailing).count() == 3

    later = Mailing.objects.create(
        newsletter=mailing.newsletter, mailing_list=supporters, send_at=timezone.now() + timedelta(hours=1)
    )
    assert sending.mailing_start(mailing_id=later.pk) == 0
    later.refresh_from_db()
    assert later.status == Mailing.Status.SCHEDULED and not later.deliveries.exists()
    assert sending.mailings_due_start() == []
    Mailing.objects.filter(pk=later.pk).update(send_at=timezone.now() - timedelta(seconds=1))  # its time comes
    assert sending.mailings_due_start() == [later.pk]
    assert later.deliveries.count() == 3


@pytest.mark.django_db
def test_a_mailing_scheduled_for_later_puts_its_start_in_the_queue_for_that_time(
    supporters, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    later = timezone.now() + timedelta(days=1)
    database_queue = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=database_queue), django_capture_on_commit_callbacks(execute=True):
        mailing = sending.mailing_schedule(
            newsletter=make_issue(supporters), mailing_list=supporters, send_at=later, actor=UserFactory()
        )
    start = DBTaskResult.objects.get(task_path="newsletters.tasks.mailing_start")
    assert start.run_after == later and start.args_kwargs["kwargs"] == {"mailing_id": mailing.pk}
    assert mailing.status == Mailing.Status.SCHEDULED


@pytest.mark.django_db(transaction=True)
def test_scheduling_for_now_sends_through_the_task_queue_and_records_who_scheduled_it(smtp, wagtail_tree):
    from core.models import AuditEvent

    supporters = MailingList.objects.create(name="Supporters", slug="supporters")
    for n in range(60):
        subscribe(supporters, f"reader{n}@example.org")
    staff = UserFactory()
    with transaction.atomic():
        mailing = sending.mailing_schedule(
            newsletter=make_issue(supporters), mailing_list=supporters, send_at=timezone.now(), actor=staff
        )
    assert len(smtp.copies_per_recipient()) == 60
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    assert AuditEvent.objects.filter(action="newsletters.mailing_schedule", object_id=str(mailing.pk)).exists()


# The split-phase send -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_message_dropped_before_its_final_dot_is_not_delivered_and_one_finished_is(smtp, supporters):
    from django.core.mail import EmailMessage

    sender = SplitSender()
    sender.begin(EmailMessage("Hello", "Body", "hello@thrive.example", ["dropped@example.org"]))
    sender.abandon()
    sender.begin(EmailMessage("Hello", ".\n.. a line with dots\n", "hello@thrive.example", ["kept@example.org"]))
    assert smtp.count() == 0  # all its content sent, but not the "."
    sender.finish()
    sender.close()
    (received,) = smtp.messages()
    assert received.rcpt_tos == ("kept@example.org",)
    assert received.message.get_content().replace("\r\n", "\n") == ".\n.. a line with dots\n"


# Unsubscribing, pausing, cancelling mid-send -------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_someone_who_unsubscribes_while_the_mailing_is_being_sent_gets_nothing(smtp, wagtail_tree):
    supporters = MailingList.objects.create(name="Supporters", slug="supporters")
    people = [subscribe(supporters, f"reader{n:03}@example.org") for n in range(80)]
    late_leaver, early_leaver = people[30], people[70]
    mailing = started_mailing(supporters)

    def unsubscribe_on_reaching(address):
        if address == "reader010@example.org":  # while the first batch is being sent
            subscription_unsubscribe(subscription=Subscription.objects.get(pk=early_leaver.pk))
        if address == late_leaver.email:  # their own message under way: dropped before its "."
            subscription_unsubscribe(subscription=Subscription.objects.get(pk=late_leaver.pk))

    smtp.on_rcpt = unsubscribe_on_reaching
    send_all(mailing)

    copies = smtp.copies_per_recipient()
    assert late_leaver.email not in copies and early_leaver.email not in copies
    assert len(copies) == 78 and set(copies.values()) == {1}
    assert Delivery.objects.get(mailing=mailing, subscription=late_leaver).status == Status.SKIPPED
    assert Delivery.objects.get(mailing=mailing, subscription=early_leaver).status == Status.SKIPPED


@pytest.mark.django_db(transaction=True)
def test_a_paused_mailing_stops_sending_and_resuming_sends_the_rest_once(smtp, wagtail_tree):
    supporters = MailingList.objects.create(name="Supporters", slug="supporters")
    for n in range(150):
        subscribe(supporters, f"reader{n:03}@example.org")
    staff = UserFactory()
    mailing = started_mailing(supporters)

    def pause_at_the_twentieth(received):
        if len(smtp.messages()) == 20:
            sending.mailing_pause(mailing=mailing, actor=staff)

    smtp.on_message = pause_at_the_twentieth
    outcomes = send_all(mailing)
    assert outcomes[-1].again == "never"
    assert sending.mailing_send_batch(mailing_id=mailing.pk).again == "never"  # a batch queued earlier
    paused_count = smtp.count()
    assert 20 <= paused_count <= 21
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.PAUSED
    assert statuses(mailing) == {Status.SENT: paused_count, Status.QUEUED: 150 - paused_count}

    smtp.on_message = None
    sending.mailing_resume(mailing=mailing, actor=staff)  # queues a batch; the immediate backend runs it
    send_all(mailing)
    copies = smtp.copies_per_recipient()
    assert len(copies) == 150 and set(copies.values()) == {1}
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT


@pytest.mark.django_db
def test_a_cancelled_mailing_sends_nothing_more_and_cannot_be_resumed(smtp, supporters):
    for n in range(5):
        subscribe(supporters, f"reader{n}@example.org")
    staff = UserFactory()
    mailing = started_mailing(supporters)
    sending.mailing_cancel(mailing=mailing, actor=staff)
    assert sending.mailing_send_batch(mailing_id=mailing.pk).again == "never"
    assert smtp.count() == 0
    with pytest.raises(sending.MailingStateError):
        sending.mailing_resume(mailing=mailing, actor=staff)
    with pytest.raises(sending.MailingStateError):
        sending.mailing_pause(mailing=mailing, actor=staff)


# Refusals -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_address_the_server_refuses_is_failed_with_its_code_only_and_the_others_are_sent(smtp, supporters):
    for address in ("gone@example.org", "full@example.org", "later@example.org", "fine@example.org"):
        subscribe(supporters, address)
    smtp.refuse_at_rcpt["gone@example.org"] = "550 5.1.1 gone@example.org: no such user"
    smtp.refuse_after_data["full@example.org"] = "552 5.2.2 full@example.org: mailbox full"
    smtp.refuse_at_rcpt["later@example.org"] = "451 4.3.0 try again later"
    mailing = started_mailing(supporters)
    send_all(mailing)

    rows = {
        row.subscription.email: row for row in Delivery.objects.filter(mailing=mailing).select_related("subscription")
    }
    assert (rows["gone@example.org"].status, rows["gone@example.org"].error) == (Status.FAILED, "550 5.1.1")
    assert (rows["full@example.org"].status, rows["full@example.org"].error) == (Status.FAILED, "552 5.2.2")
    assert rows["later@example.org"].status == Status.FAILED  # temporary, but refused on every attempt
    assert rows["later@example.org"].attempts == sending.MAX_ATTEMPTS
    assert rows["fine@example.org"].status == Status.SENT
    assert smtp.copies_per_recipient() == {"fine@example.org": 1}


@pytest.mark.django_db
def test_when_the_mail_server_is_unreachable_the_batch_gives_its_rows_back_and_waits(settings, supporters):
    for n in range(3):
        subscribe(supporters, f"reader{n}@example.org")
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    mailing = started_mailing(supporters)
    outcome = sending.mailing_send_batch(mailing_id=mailing.pk)
    assert outcome.again == "later" and outcome.later_at > timezone.now()
    assert statuses(mailing) == {Status.QUEUED: 3}
    assert set(Delivery.objects.filter(mailing=mailing).values_list("attempts", flat=True)) == {0}


# Recovery and the claim's fencing ------------------------------------------------------------


@pytest.mark.django_db
def test_claims_left_by_a_dead_worker_are_queued_again_after_the_lease_and_failed_after_the_last_attempt(
    smtp, supporters
):
    for n in range(3):
        subscribe(supporters, f"reader{n}@example.org")
    mailing = started_mailing(supporters)
    rows = list(Delivery.objects.filter(mailing=mailing).order_by("pk"))
    long_ago = timezone.now() - sending.claim_lease() - timedelta(seconds=1)
    Delivery.objects.filter(pk=rows[0].pk).update(status=Status.SENDING, claimed_at=long_ago, attempts=1)
    Delivery.objects.filter(pk=rows[1].pk).update(status=Status.SENDING, claimed_at=timezone.now(), attempts=1)
    Delivery.objects.filter(pk=rows[2].pk).update(
        status=Status.SENDING, claimed_at=long_ago, attempts=sending.MAX_ATTEMPTS
    )

    assert sending.mailing_recover() == 1
    states = dict(Delivery.objects.filter(mailing=mailing).values_list("pk", "status"))
    assert states == {rows[0].pk: Status.QUEUED, rows[1].pk: Status.SENDING, rows[2].pk: Status.FAILED}
    outcome = sending.mailing_send_batch(mailing_id=mailing.pk)
    assert outcome.sent == 1
    # The row still claimed (its worker may be alive): the chain waits for its lease, then takes it.
    outcome = sending.mailing_send_batch(mailing_id=mailing.pk)
    assert outcome.again == "later" and outcome.later_at > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_a_batch_whose_row_was_taken_back_and_claimed_again_drops_its_copy_instead_of_sending_a_second(
    smtp, wagtail_tree
):
    supporters = MailingList.objects.create(name="Supporters", slug="supporters")
    subscribe(supporters, "sam@example.org")
    subscribe(supporters, "kim@example.org")
    mailing = started_mailing(supporters)

    def another_worker_takes_sams_row(address):
        if address == "sam@example.org":  # as if this batch had stalled past its lease
            Delivery.objects.filter(mailing=mailing, subscription__email=address).update(
                status=Status.SENDING, attempts=2
            )

    smtp.on_rcpt = another_worker_takes_sams_row
    outcome = sending.mailing_send_batch(mailing_id=mailing.pk)
    assert smtp.copies_per_recipient() == {"kim@example.org": 1}
    assert outcome.sent == 1
    assert Delivery.objects.get(mailing=mailing, subscription__email="sam@example.org").status == Status.SENDING


@pytest.mark.django_db(transaction=True)
def test_a_mailing_whose_chain_of_batches_ended_is_revived_and_finished_by_the_minutely_recovery(smtp, wagtail_tree):
    from newsletters.tasks import mailing_recover

    supporters = MailingList.objects.create(name="Supporters", slug="supporters")
    for n in range(4):
        subscribe(supporters, f"reader{n}@example.org")
    issue = make_issue(supporters)
    long_ago = timezone.now() - sending.claim_lease() - timedelta(minutes=1)
    mailing = Mailing.objects.create(newsletter=issue, mailing_list=supporters, send_at=long_ago)
    with override_settings(TASKS=NO_QUEUE):  # a queue that loses the first batch
        sending.mailing_start(mailing_id=mailing.pk)
    Mailing.objects.filter(pk=mailing.pk).update(started_at=long_ago)
    assert smtp.count() == 0

    result = mailing_recover.enqueue()
    assert result.return_value["revived"] == 1
    assert len(smtp.copies_per_recipient()) == 4
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
