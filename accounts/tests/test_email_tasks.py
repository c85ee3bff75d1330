"""Accounts' emails are queued as tasks that take primary keys only: no token, no address."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from accounts.services import application_approve, application_submit, erasure_request, referral_create
from accounts.tests.factories import ChapterFactory, PartnerContactFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_account_email_is_a_queued_task_whose_arguments_are_ids(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    staff = UserFactory(is_staff=True)
    with transaction.atomic():
        application = application_submit(
            display_name="Kit",
            email="kit@example.org",
            contact_method="email",
            contact_details="",
            chapter=ChapterFactory(),
        )
    again = {"display_name": "Kit", "contact_method": "email", "contact_details": "", "chapter": ChapterFactory()}
    with transaction.atomic():
        application_submit(email="kit@example.org", **again)  # still waiting: its owner is told
    with transaction.atomic():
        application_approve(application=application, actor=staff)
    with transaction.atomic():
        application_submit(email="kit@example.org", **again)  # a member now: told how to sign in
    with transaction.atomic():
        referral_create(contact=PartnerContactFactory(), email="invitee@example.org", note="")
    with transaction.atomic():
        erasure_request(user=UserFactory(), revoke_certificates=False)
    rows = DBTaskResult.objects.filter(task_path__startswith="accounts.tasks.")
    queued = {row.task_path.rsplit(".", 1)[1]: row.args_kwargs for row in rows}
    assert set(queued) >= {
        "application_received_send",
        "application_waiting_notify",
        "application_approved_send",
        "application_already_waiting_send",
        "application_member_exists_send",
        "referral_invitation_send",
        "erasure_request_notify",
    }
    for name, arguments in queued.items():
        assert arguments["args"] == [], name
        assert all(key.endswith("_id") and isinstance(value, int) for key, value in arguments["kwargs"].items()), (
            name,
            arguments,
        )
