"""One private calendar secret per person serves My learning and My bookings; one page in the
account makes, replaces and turns it off (the old pages in training and events redirect to
it); the feeds only read. The model moved from training to accounts with its table's rows, so
addresses given out before keep working."""

from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from accounts.calendar import calendar_feed_replace, calendar_feed_user
from accounts.models import CalendarFeed
from accounts.tests.factories import UserFactory
from accounts.tokens import new_token

pytestmark = pytest.mark.django_db


def _addresses(client) -> dict[str, str]:
    client.post("/account/calendar/", {"action": "create"})
    page = client.get("/account/calendar/")
    return {address["key"]: urlsplit(address["url"]).path for address in page.context["addresses"]}


def test_the_calendar_page_needs_sign_in(client):
    response = client.get("/account/calendar/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post("/account/calendar/", {"action": "create"}).status_code == 302
    assert not CalendarFeed.objects.exists()


def test_one_secret_opens_both_feeds_is_shown_once_and_replacing_it_closes_the_old_addresses(client):
    user = UserFactory()
    client.force_login(user)
    assert "You have no calendar addresses yet" in client.get("/account/calendar/").content.decode()
    first = _addresses(client)
    assert set(first) == {"learning", "bookings"}
    assert first["learning"].startswith("/training/feed/") and first["bookings"].startswith("/events/my-bookings/")
    assert first["learning"].removeprefix("/training/feed/") == first["bookings"].removeprefix("/events/my-bookings/")
    again = client.get("/account/calendar/")
    assert again.context["addresses"] == [] and "You have calendar addresses" in again.content.decode()
    for path in first.values():
        assert client.get(path).status_code == 200

    second = _addresses(client)
    assert CalendarFeed.objects.filter(user=user).count() == 1
    for old, new in zip(first.values(), second.values(), strict=True):
        assert client.get(old).status_code == 404
        assert client.get(new).status_code == 200

    client.post("/account/calendar/", {"action": "revoke"})
    assert not CalendarFeed.objects.exists()
    for path in second.values():
        assert client.get(path).status_code == 404


def test_the_feeds_write_nothing(client):
    user = UserFactory()
    client.force_login(user)
    paths = _addresses(client)
    client.logout()
    for path in paths.values():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
        assert writes == [], path


def test_a_closed_account_s_secret_opens_nothing():
    user = UserFactory()
    token = calendar_feed_replace(user=user)
    assert calendar_feed_user(token=token) == user
    user.is_active = False
    user.save()
    assert calendar_feed_user(token=token) is None


def test_the_old_manage_addresses_lead_to_the_calendar_page(client):
    client.force_login(UserFactory())
    for old in ("/learning/calendar/", "/events/my-bookings/calendar/"):
        for method in (client.get, client.post):
            response = method(old)
            assert response.status_code == 302 and response["Location"] == "/account/calendar/", old
    for page in ("/learning/", "/events/my-bookings/", "/account/"):
        assert 'href="/account/calendar/"' in client.get(page).content.decode(), page


MOVE_BEFORE = [("accounts", "0005_approved_members_addresses_verified"), ("training", "0004_editors_edit_snippets")]


def _migrate(targets):
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_an_address_given_out_before_the_model_moved_still_serves_after_migrating(client):
    """training.CalendarFeed (table training_calendarfeed) becomes accounts.CalendarFeed (table
    accounts_calendarfeed) with its rows: the address made before the move still answers."""
    user = UserFactory()
    token, digest = new_token()
    try:
        apps = _migrate(MOVE_BEFORE)
        OldFeed = apps.get_model("training", "CalendarFeed")
        assert OldFeed._meta.db_table == "training_calendarfeed"
        OldFeed.objects.create(user_id=user.pk, token_hash=digest)

        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        assert "training_calendarfeed" not in connection.introspection.table_names()
        assert CalendarFeed.objects.get().user == user
        response = client.get(f"/training/feed/{token}.ics")
        assert response.status_code == 200 and response.content.startswith(b"BEGIN:VCALENDAR")
        assert client.get(f"/events/my-bookings/{token}.ics").status_code == 200

        apps = _migrate(MOVE_BEFORE)  # and back: the row returns to training's table
        assert apps.get_model("training", "CalendarFeed").objects.get().token_hash == digest
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
