"""The mailing screens of the Wagtail admin (issue 18, item 3): Communications schedules a
newsletter to a list, follows the progress bar, pauses, resumes and cancels; every other
role is refused in the views themselves."""

import json

import pytest
from django.utils import timezone

from accounts.roles import COMMUNICATIONS, EDITORS, FINANCE, MEMBERSHIP
from accounts.tests.factories import UserFactory, sign_in_with_second_factor
from newsletters.models import Delivery, Mailing, MailingList
from newsletters.tests.test_sending import make_issue, started_mailing, subscribe, wagtail_root

pytestmark = pytest.mark.django_db


def refused(response) -> bool:
    """403, or Wagtail's redirect to the admin home saying so (or, for an account Wagtail does
    not let into the admin at all, to the sign-in page)."""
    redirected = response.status_code == 302 and (
        response.url == "/admin/" or response.url.startswith("/accounts/login/")
    )
    return response.status_code == 403 or redirected


@pytest.fixture
def supporters(db):
    wagtail_root()
    return MailingList.objects.create(name="Supporters’ news", slug="supporters", language="en-gb")


@pytest.fixture
def communications(client):
    user = UserFactory(groups=[COMMUNICATIONS])
    sign_in_with_second_factor(client, user)
    return user


@pytest.mark.parametrize("role", [EDITORS, FINANCE, MEMBERSHIP, "staff without a role"])
def test_mailing_screens_and_actions_refuse_every_role_but_communications(client, supporters, role):
    user = UserFactory(is_staff=True) if role == "staff without a role" else UserFactory(groups=[role])
    sign_in_with_second_factor(client, user)
    subscribe(supporters, "reader@example.org")
    mailing = started_mailing(supporters)
    for url in (
        "/admin/newsletters/mailings/",
        "/admin/newsletters/mailings/new/",
        f"/admin/newsletters/mailings/{mailing.pk}/",
        f"/admin/newsletters/mailings/{mailing.pk}/status.json",
    ):
        assert refused(client.get(url)), url
    for action in ("pause", "cancel"):
        assert refused(client.post(f"/admin/newsletters/mailings/{mailing.pk}/{action}/")), action
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENDING


def test_anonymous_visitors_are_sent_to_sign_in(client, supporters):
    response = client.get("/admin/newsletters/mailings/")
    assert response.status_code == 302 and "login" in response.url


def test_communications_schedules_a_published_newsletter_to_its_list_and_sees_it_listed(
    client, communications, supporters
):
    issue = make_issue(supporters)
    issue.save_revision().publish()
    assert client.get("/admin/newsletters/mailings/new/?page=nonsense").status_code == 200
    form = client.get(f"/admin/newsletters/mailings/new/?page={issue.pk}").content.decode()
    assert f'<option value="{issue.pk}" selected>' in form and f'<option value="{supporters.pk}" selected>' in form
    later = timezone.localtime() + timezone.timedelta(days=2)
    response = client.post(
        "/admin/newsletters/mailings/new/",
        {"newsletter": issue.pk, "mailing_list": supporters.pk, "send_at": later.strftime("%Y-%m-%dT%H:%M")},
    )
    mailing = Mailing.objects.get()
    assert response.status_code == 302 and response.url == f"/admin/newsletters/mailings/{mailing.pk}/"
    assert (mailing.status, mailing.created_by) == (Mailing.Status.SCHEDULED, communications)
    assert abs((mailing.send_at - later).total_seconds()) < 60
    assert "Spring news" in client.get("/admin/newsletters/mailings/").content.decode()


def test_a_list_of_another_language_or_one_already_sent_to_is_refused_with_a_reason(client, communications, supporters):
    issue = make_issue(supporters)
    issue.save_revision().publish()
    french = MailingList.objects.create(name="Nouvelles", slug="nouvelles", language="fr")
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/admin/newsletters/mailings/new/", {"newsletter": issue.pk, "mailing_list": french.pk, "send_at": now}
    )
    assert response.status_code == 200 and "another language" in response.content.decode()
    started_mailing(supporters, issue)
    response = client.post(
        "/admin/newsletters/mailings/new/", {"newsletter": issue.pk, "mailing_list": supporters.pk, "send_at": now}
    )
    assert response.status_code == 200 and "already scheduled or sent" in response.content.decode()
    assert Mailing.objects.count() == 1


def test_the_mailing_page_shows_the_progress_and_its_json_feeds_the_bar(client, communications, supporters):
    for n in range(4):
        subscribe(supporters, f"reader{n}@example.org")
    mailing = started_mailing(supporters)
    Delivery.objects.filter(pk__in=Delivery.objects.filter(mailing=mailing).values("pk")[:1]).update(
        status=Delivery.Status.SENT
    )
    page = client.get(f"/admin/newsletters/mailings/{mailing.pk}/").content.decode()
    assert '<progress id="bulk-progress" max="100" value="25"' in page
    assert "js/bulk-progress.js" in page and "<script>" not in page
    status = json.loads(client.get(f"/admin/newsletters/mailings/{mailing.pk}/status.json").content)
    assert status == {"status": "sending", "label": "Sending", "done": 1, "total": 4, "percent": 25}
    assert "reader0@example.org" not in page


def test_communications_pauses_resumes_and_cancels_and_a_get_changes_nothing(client, communications, supporters):
    subscribe(supporters, "reader@example.org")
    mailing = started_mailing(supporters)
    assert client.get(f"/admin/newsletters/mailings/{mailing.pk}/pause/").status_code == 405
    client.post(f"/admin/newsletters/mailings/{mailing.pk}/pause/")
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.PAUSED
    page = client.get(f"/admin/newsletters/mailings/{mailing.pk}/").content.decode()
    assert "Resume" in page and "js/bulk-progress.js" not in page
    client.post(f"/admin/newsletters/mailings/{mailing.pk}/resume/")
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENDING
    client.post(f"/admin/newsletters/mailings/{mailing.pk}/cancel/")
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.CANCELLED
    response = client.post(f"/admin/newsletters/mailings/{mailing.pk}/resume/", follow=True)
    assert "nothing was changed" in response.content.decode()
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.CANCELLED
