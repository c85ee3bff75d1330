"""Issue 22: a member's erasure reaches every table. A member with distinctive names, address and
phone goes through everything that stores them (application, approval, profile, bookings as a
member and as a guest, a ticket passed on, a waiting list, an enrolment with attendance and a
sign-off, a certificate, a donation with Gift Aid, a form submission, an admin log entry, queued
emails, survivor voices' interest, engagement, expense, consultation answer, thanks reason and a
request sent as an organisation's contact); Membership confirms the erasure through the same
service the admin's "erase" uses; then every text, char, email and JSON column of every table of
the installed models (auto-created many-to-many tables and the task queue included) is read, and
none holds any of those strings, except the one kind the README lists as kept. Erasing again
changes nothing and raises nothing; the emails queued for the member are never sent. The data
export made before the erasure holds every row the erasure changed."""

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.contrib.forms.models import FormSubmission
from wagtail.log_actions import log

from accounts.erasure import erase_member
from accounts.export import member_export, rows_referring_to
from accounts.services import (
    application_approve,
    application_submit,
    erasure_confirm,
    erasure_request,
    profile_update,
)
from accounts.tests.factories import ChapterFactory, UserFactory
from certificates.models import Certificate
from core.personal_data import ERASED_EMAIL_DOMAIN, declared_fields, stored_models, text_fields
from events.models import Registration, WaitingListEntry
from events.services import booking_place, registration_transfer, waiting_list_join
from events.services.housekeeping import confirmations_catch_up
from events.tasks import registration_confirmation_send
from events.tests.factories import RegistrationFactory, make_event
from payments.models import Donation
from payments.services import DonationChoice, gift_aid_declaration_create, order_create, order_pay
from payments.tests.helpers import set_up_card
from training.models import SessionAttendance
from training.services import attendance_mark, completion_sign_off, enrolment_create
from training.tests.factories import make_cohort, make_course, make_trainer
from voices.models import ConsultationAnswer, ConsultationQuestion, ExpenseClaim, Interest, Kind
from voices.services.engagements import thanks_preference_set
from voices.tests.factories import make_engagement, make_opportunity, make_request

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
NAME = "Quillon Vextrabury"
LEGAL_FIRST, LEGAL_LAST = "Ottoline", "Marchbanks-Vey"
CERTIFICATE_NAME = "Q. Vextrabury-Stone"
EMAIL = "quillon.vextrabury@example.org"
PHONE = "07700 900456"
# What must be gone: each name part, the address (and its local part, in case it is stored
# apart) and the phone number.
NEEDLES = ("Quillon", "Vextrabury", "Ottoline", "Marchbanks", EMAIL, "quillon.vextrabury", PHONE)

# The kinds of row the README lists as kept after erasure, in which a needle may remain. Only
# one: a Gift Aid declaration behind a donation already claimed from HMRC is kept whole (HMRC
# can audit the claim for six years and needs the donor's name and home address); it is no
# longer linked to the account. The audit log and the consent history are kept too, but they
# hold ids and choices only, so they are scanned like everything else.
KEPT = {
    "payments.GiftAidDeclaration.first_name": "claimed from HMRC: kept whole for HMRC's audit",
    "payments.GiftAidDeclaration.last_name": "claimed from HMRC: kept whole for HMRC's audit",
}


def columns_holding(needles=NEEDLES) -> dict[str, list[str]]:
    """{"app.Model.field": [needles found]} over every text column of every table."""
    quote = connection.ops.quote_name
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for model in stored_models():
            for field in text_fields(model):
                column = f"LOWER(CAST({quote(field.column)} AS TEXT))"
                for needle in needles:
                    cursor.execute(
                        f"SELECT 1 FROM {quote(model._meta.db_table)} WHERE {column} LIKE %s LIMIT 1",  # noqa: S608
                        [f"%{needle.lower()}%"],
                    )
                    if cursor.fetchone():
                        found.setdefault(f"{model._meta.label}.{field.name}", []).append(needle)
    return found


def personal_values() -> dict[tuple[str, object], tuple]:
    """{(model label, pk): values of its declared personal fields}, for every row of every
    model with declared personal fields."""
    personal, _not_personal = declared_fields()
    by_model: dict[str, list[str]] = {}
    for name in personal:
        label, _, field = name.rpartition(".")
        by_model.setdefault(label, []).append(field)
    values = {}
    models = {model._meta.label: model for model in stored_models()}
    for label, fields in by_model.items():
        for pk, *row in models[label]._base_manager.values_list("pk", *fields):
            values[(label, pk)] = tuple(row)
    return values


def run_queued_tasks() -> list[tuple[str, dict]]:
    """What a task worker does with the queue: run every READY task (in order) and record its
    result. Returns (path, keyword arguments) of the tasks run."""
    ran = []
    for row in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        arguments = row.args_kwargs
        returned = row.task.call(*arguments["args"], **arguments["kwargs"])
        DBTaskResult.objects.filter(pk=row.pk).update(
            status="SUCCESSFUL", finished_at=timezone.now(), return_value=returned
        )
        ran.append((row.task_path, arguments["kwargs"]))
    return ran


def sent_to(address_part: str) -> list:
    return [message for message in mail.outbox if any(address_part in to.lower() for to in message.to)]


@pytest.fixture
def member_everywhere(settings, localstripe, django_capture_on_commit_callbacks):
    """The member, spread over every app. Every email is a queued task (the database queue,
    as in production); none has run."""
    settings.TASKS = DATABASE_QUEUE
    officer = UserFactory(groups=["Membership"])
    application = application_submit(
        display_name=NAME, email=EMAIL, contact_method="phone", contact_details=PHONE, chapter=ChapterFactory()
    )
    profile = application_approve(application=application, actor=officer)
    user = profile.user
    profile_update(
        profile=profile,
        actor=user,
        certificate_name=CERTIFICATE_NAME,
        legal_name=f"{LEGAL_FIRST} {LEGAL_LAST}",
        pronouns="she/her",
        access_needs=f"Hearing loop; ask for {NAME}",
    )
    log(instance=user, action="wagtail.edit", user=officer)  # staff edited the account in the admin

    event = make_event(capacity=10)
    free = event.ticket_types.first()
    as_member = booking_place(event=event, ticket_type=free, email=EMAIL, user=user, attendee_name=NAME).first
    as_guest = booking_place(event=event, ticket_type=free, email=EMAIL.title(), attendee_name=f"{NAME} (guest)").first
    passed_on = booking_place(event=event, ticket_type=free, email=EMAIL, user=user, attendee_name=NAME).first
    registration_transfer(registration=passed_on, email="a.friend@example.org", attendee_name="A friend")
    full = make_event(capacity=1)
    RegistrationFactory(event=full)
    entry = waiting_list_join(event=full, ticket_type=full.ticket_types.first(), email=EMAIL, user=user)

    trainer = make_trainer()
    cohort = make_cohort(make_course(modules=2), sessions=1, trainers=[trainer])
    enrolment = enrolment_create(user=user, cohort=cohort)
    attendance_mark(
        session=cohort.sessions.first(),
        marks={enrolment.pk: "present"},
        actor=trainer,
        notes={enrolment.pk: f"{NAME} joined late"},
    )
    completion_sign_off(enrolment=enrolment, actor=trainer, reason=f"{NAME} did the modules on paper")

    declaration = gift_aid_declaration_create(
        first_name=LEGAL_FIRST, last_name=LEGAL_LAST, house_name_or_number="12", postcode="N1 9GU", user=user
    )
    order = order_create(
        email=EMAIL,
        user=user,
        donation=DonationChoice(amount_minor=1500, message=f"From {NAME}", gift_aid_declaration=declaration),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert order_pay(order=order, setup_intent_id=set_up_card(order)).status == "succeeded"
    Donation.objects.filter(gift_aid_declaration=declaration).update(claimed_at=timezone.now())
    FormSubmission.objects.create(page=event, form_data={"name": NAME, "email": EMAIL, "phone": PHONE})

    # Survivor voices: a paid consultation with the member's pseudonym, feedback, an expense and a
    # free-text answer; the reason for their thanks choice; a request they sent as a contact.
    consultation = make_opportunity(request=make_request(kind=Kind.CONSULTATION))
    question = ConsultationQuestion.objects.create(opportunity=consultation, kind="text", text="What would help?")
    engagement = make_engagement(
        consultation,
        user,
        status="completed",
        shown_as=NAME,
        feedback=f"{NAME} was asked about the past",
        payment="paid",
        payment_reference=f"{LEGAL_LAST} payout",
        paid_at=timezone.now(),
    )
    Interest.objects.filter(pk=engagement.interest_id).update(pseudonym=NAME, availability=f"Call {PHONE}")
    ExpenseClaim.objects.create(
        engagement=engagement,
        description=f"Taxi for {NAME}",
        amount_minor=1200,
        currency=engagement.currency,
        receipt=ContentFile(b"%PDF-1.4", name="receipt.pdf"),
        receipt_type="application/pdf",
    )
    ConsultationAnswer.objects.create(engagement=engagement, question=question, value=f"{NAME}: more time")
    thanks_preference_set(member=user, choice="nothing", reason=f"{LEGAL_FIRST}'s claim is pending")
    make_request(contact_name=NAME, contact_email=EMAIL, submitted_by=user)

    # Volunteering (#20): their name, chosen name, phone and what they wrote; a check recorded.
    from volunteers.models import Volunteer
    from volunteers.tests.factories import make_volunteer

    volunteer = make_volunteer(user=user, name=NAME, name_shown="chosen", chosen_name=LEGAL_FIRST, check="dbs_basic")
    Volunteer.objects.filter(pk=volunteer.pk).update(phone=PHONE, about=f"{NAME} likes people")
    # Supporter fundraising (#20): the member's own page (their story, the name they show, a
    # photo), and a gift through another supporter's page under their full name, with a message.
    from fundraising.tests.factories import give, make_page, photo_upload

    make_page(owner=user, title=f"{NAME} runs", story=f"{NAME}'s story", fundraiser_name=NAME, photo=photo_upload())
    with django_capture_on_commit_callbacks(execute=True):
        give(make_page(title="A friend's page"), email=EMAIL, donor_name=NAME, message=f"Go! {NAME}")

    # The notice to the ticket's earlier holder has gone out (its finished task row keeps the
    # address); the booking confirmations are still queued.
    assert "events.tasks.registration_transferred_send" in run_queued_tasks_of("registration_transferred_send")
    confirmations = DBTaskResult.objects.filter(task_path="events.tasks.registration_confirmation_send", status="READY")
    assert {row.args_kwargs["kwargs"]["registration_id"] for row in confirmations} >= {as_member.pk, as_guest.pk}
    return {
        "user": user,
        "officer": officer,
        "registrations": [as_member, as_guest],
        "entry": entry,
        "certificate": Certificate.objects.get(recipient=user),
    }


def run_queued_tasks_of(name: str) -> list[str]:
    ran = []
    for row in DBTaskResult.objects.filter(status="READY", task_path__endswith=f".{name}"):
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        DBTaskResult.objects.filter(pk=row.pk).update(status="SUCCESSFUL", finished_at=timezone.now())
        ran.append(row.task_path)
    return ran


def confirm_erasure(user, officer):
    request = erasure_request(user=user, revoke_certificates=False)
    erasure_confirm(request=request, actor=officer)


def test_after_erasure_no_column_of_any_table_holds_the_member_and_nothing_queued_reaches_them(member_everywhere):
    user, officer = member_everywhere["user"], member_everywhere["officer"]
    before = columns_holding()
    # The scan sees the member everywhere they were put: so an empty scan afterwards means something.
    for where in (
        "accounts.MemberProfile.legal_name",
        "accounts.MembershipApplication.contact_details",
        "events.Registration.attendee_name",
        "events.Registration.email",
        "events.WaitingListEntry.email",
        "training.SessionAttendance.trainer_note",
        "training.Enrolment.completion_note",
        "certificates.Certificate.name_printed",
        "payments.Donation.message",
        "payments.GiftAidDeclaration.last_name",
        "wagtailforms.FormSubmission.form_data",
        "django_tasks_database.DBTaskResult.args_kwargs",
        "voices.Interest.pseudonym",
        "voices.Interest.availability",
        "voices.Engagement.feedback",
        "voices.Engagement.payment_reference",
        "voices.ExpenseClaim.description",
        "voices.ConsultationAnswer.value",
        "voices.ThanksPreference.reason",
        "voices.VoiceRequest.contact_email",
        "volunteers.Volunteer.name",
        "volunteers.Volunteer.phone",
        "fundraising.FundraisingPage.story",
        "fundraising.FundraisingPage.fundraiser_name",
        "fundraising.Gift.donor_name",
        "fundraising.Gift.message",
    ):
        assert where in before, where
    mail.outbox.clear()

    confirm_erasure(user, officer)

    after = columns_holding()
    assert {where: needles for where, needles in after.items() if where not in KEPT} == {}
    assert set(after) == set(KEPT)  # the claimed declaration is indeed kept whole
    # Twice, by a new request and by running the erasure again with the old address: no
    # error, no trace.
    confirm_erasure(user, officer)
    with transaction.atomic():
        erase_member(user=user, old_email=EMAIL, revoke_certificates=False)
    assert {where: needles for where, needles in columns_holding().items() if where not in KEPT} == {}

    # The worker runs what is queued: the member's confirmations, offer and receipts are gone
    # from the queue; a confirmation a worker had already taken, and the housekeeping that
    # sends confirmations a lost task never sent, send nothing to anyone erased.
    ran = run_queued_tasks()
    member_tickets = {registration.pk for registration in member_everywhere["registrations"]}
    assert [kwargs for _path, kwargs in ran if kwargs.get("registration_id") in member_tickets] == []
    # The ticket passed on still gets its confirmation: it is the new holder's.
    assert "events.tasks.registration_confirmation_send" in {path for path, _kwargs in ran}
    assert sent_to("a.friend@example.org")
    for registration in member_everywhere["registrations"]:
        registration_confirmation_send.call(registration_id=registration.pk)
    confirmations_catch_up()
    assert sent_to("vextrabury") == [] and sent_to(ERASED_EMAIL_DOMAIN) == []

    for registration in Registration.objects.filter(pk__in=[r.pk for r in member_everywhere["registrations"]]):
        assert registration.email.endswith(ERASED_EMAIL_DOMAIN) and registration.attendee_name == ""
        assert registration.status == Registration.Status.CONFIRMED  # the place and its count stay
    entry = WaitingListEntry.objects.get(pk=member_everywhere["entry"].pk)
    assert entry.status == WaitingListEntry.Status.LEFT
    certificate = Certificate.objects.get(pk=member_everywhere["certificate"].pk)
    assert certificate.name_printed == "" and certificate.revoked_at is None  # the member's choice
    assert SessionAttendance.objects.get(enrolment__user=user).status == "present"
    assert FormSubmission.objects.filter(form_data__email=EMAIL).count() == 0


def test_the_export_before_erasure_holds_every_row_the_erasure_changes(member_everywhere):
    user, officer = member_everywhere["user"], member_everywhere["officer"]
    exported_rows = rows_referring_to(user)
    export = member_export(user)
    assert {row["attendee_name"] for row in export["events.Registration"]} >= {NAME, f"{NAME} (guest)"}
    before = personal_values()

    confirm_erasure(user, officer)

    after = personal_values()
    changed = {key for key, values in before.items() if after.get(key) != values}
    exported = {(label, pk) for label, pks in exported_rows.items() for pk in pks}
    assert changed - exported == set()
    changed_models = {label for label, _pk in changed}
    assert {
        "accounts.User",
        "accounts.MemberProfile",
        "accounts.MembershipApplication",
        "events.Registration",
        "events.WaitingListEntry",
        "training.Enrolment",
        "training.SessionAttendance",
        "certificates.Certificate",
        "payments.Order",
        "payments.Donation",
        "wagtailforms.FormSubmission",
        "wagtailcore.ModelLogEntry",
        "django_tasks_database.DBTaskResult",
        "voices.Interest",
        "voices.Engagement",
        "voices.ExpenseClaim",
        "voices.ConsultationAnswer",
        "voices.ThanksPreference",
        "voices.VoiceRequest",
        "volunteers.Volunteer",
        "fundraising.FundraisingPage",
        "fundraising.Gift",
    } <= changed_models
    # And the export lists each of them in full, as the member can download it.
    for label in changed_models:
        assert label in export, label


def test_an_erased_address_is_never_emailed():
    from core.email import email_send

    context = {"event_title": "A gathering", "dates": "today"}
    email_send(to=[f"erased-user-1{ERASED_EMAIL_DOMAIN}"], subject="x", template="event_transferred", context=context)
    assert mail.outbox == []
    email_send(
        to=[f"erased-user-1{ERASED_EMAIL_DOMAIN}", "someone@example.org"],
        subject="x",
        template="event_transferred",
        context=context,
    )
    assert [message.to for message in mail.outbox] == [["someone@example.org"]]


def test_the_export_lists_the_member_s_sessions_without_their_keys(client):
    user = UserFactory()
    client.force_login(user)
    key = client.session.session_key
    export = member_export(user)
    assert export["sessions.Session"] and all(row["id"] == "(hidden)" for row in export["sessions.Session"])
    assert key not in str(export)
    with transaction.atomic():
        erase_member(user=user, old_email=user.email, revoke_certificates=False)
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(pk=key).exists()
    assert client.get("/account/").status_code == 302  # signed out
