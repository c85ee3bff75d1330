"""The fundraiser is emailed when Communications approve their page (it is live, with its
link) or hide it (hidden from the public; contact the team), once per change, through the
task queue after commit; never naming who decided; neutral in discreet mode."""

import pytest
from django.conf import settings
from django.core import mail

from accounts.tests.factories import MemberProfileFactory, UserFactory, sign_in_with_second_factor
from fundraising import emails
from fundraising.models import FundraisingPage
from fundraising.services import page_approve, page_hide, page_update
from fundraising.tests.factories import make_page

pytestmark = pytest.mark.django_db

LIVE = "Your fundraising page is live"
HIDDEN = "Your fundraising page is hidden"


def _told(page) -> list:
    return [message for message in mail.outbox if message.to == [page.owner.email]]


def test_communications_approving_in_the_admin_emails_the_fundraiser_the_link_once(
    client, django_capture_on_commit_callbacks
):
    page = make_page(approved=False, title="Swim for safety")
    staff = UserFactory(groups=["Communications"], first_name="Casey", last_name="Moderator")
    sign_in_with_second_factor(client, staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/fundraising/pages/{page.pk}/", {"action": "approve"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/fundraising/pages/{page.pk}/", {"action": "approve"})  # again: no change
    (message,) = _told(page)
    assert message.subject == LIVE
    assert '"Swim for safety" and it is now live' in message.body
    assert f"{settings.SITE_URL}/fundraising/{page.pk}/" in message.body
    for secret in ("Casey", "Moderator", staff.email):
        assert secret not in message.body


def test_hiding_emails_the_fundraiser_to_contact_the_team_once_without_staff_names_or_note(
    client, django_capture_on_commit_callbacks
):
    page = make_page(title="Cycle for homes")  # approved outside the capture: no email yet
    staff = UserFactory(groups=["Communications"], first_name="Casey", last_name="Moderator")
    sign_in_with_second_factor(client, staff)
    for _twice in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                f"/admin/fundraising/pages/{page.pk}/", {"action": "hide", "note": "Casey: it names a survivor"}
            )
    (message,) = _told(page)
    assert message.subject == HIDDEN
    assert '"Cycle for homes" from the public' in message.body
    assert "reply to this email and our team will look at it with you" in message.body
    assert f"{settings.SITE_URL}/fundraising/{page.pk}/" in message.body
    for secret in ("Casey", "Moderator", staff.email, "names a survivor"):
        assert secret not in message.body


def test_approved_hidden_and_approved_again_is_three_changes_and_three_emails(django_capture_on_commit_callbacks):
    page = make_page(approved=False)
    for review in (page_approve, page_hide, page_approve):
        with django_capture_on_commit_callbacks(execute=True):
            page = review(page=page, actor=None)
    assert [message.subject for message in _told(page)] == [LIVE, HIDDEN, LIVE]


def test_the_task_run_twice_sends_one_email(django_capture_on_commit_callbacks):
    page = make_page(approved=False)
    with django_capture_on_commit_callbacks(execute=True):
        page_approve(page=page, actor=None)
    emails.page_review_send(page_id=page.pk)
    assert len(_told(page)) == 1
    assert FundraisingPage.objects.get(pk=page.pk).owner_told_at is not None


def test_an_approval_overtaken_by_a_hide_before_the_queue_ran_tells_only_of_the_hide(
    django_capture_on_commit_callbacks,
):
    page = make_page(approved=False)
    with django_capture_on_commit_callbacks(execute=True):
        page_approve(page=page, actor=None)
        page_hide(page=page, actor=None)
    assert [message.subject for message in _told(page)] == [HIDDEN]


def test_a_page_its_owner_sent_back_for_approval_before_the_queue_ran_is_not_called_live(
    django_capture_on_commit_callbacks,
):
    page = make_page(approved=False)
    with django_capture_on_commit_callbacks(execute=True):
        page = page_approve(page=page, actor=None)
        page_update(page=page, actor=page.owner, story="A new story")
    assert _told(page) == []


def test_a_fundraiser_in_discreet_mode_gets_neutral_wording(django_capture_on_commit_callbacks):
    owner = MemberProfileFactory(discreet_mode=True).user
    page = make_page(owner=owner, approved=False, title="Walk for safe homes")
    for review in (page_approve, page_hide):
        with django_capture_on_commit_callbacks(execute=True):
            page = review(page=page, actor=None)
    told = _told(page)
    assert [message.subject for message in told] == [settings.DISCREET_SUBJECT] * 2
    for message in told:
        assert "Walk for safe homes" not in message.body
        assert "fundraising" not in message.subject.lower()
        assert "There is an update for you in your account" in message.body


def test_no_email_for_a_page_whose_owner_is_gone(django_capture_on_commit_callbacks):
    page = make_page(approved=False)
    FundraisingPage.objects.filter(pk=page.pk).update(owner=None)
    with django_capture_on_commit_callbacks(execute=True):
        page_approve(page=FundraisingPage.objects.get(pk=page.pk), actor=None)
    assert mail.outbox == []
