"""Event staff publish events in the page explorer: the "Event staff" group holds add,
change and publish page permissions on every events index (events.page_permissions)."""

from html.parser import HTMLParser

import pytest
from wagtail.models import GroupPagePermission

from accounts.tests.factories import UserFactory, sign_in_with_second_factor
from events.models import EventIndexPage, EventPage
from events.tests.factories import event_index

pytestmark = pytest.mark.django_db


class FormFields(HTMLParser):
    """The fields a browser would send from the page editor's form, with their defaults."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            if "multiple" not in attrs:
                self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def test_a_new_events_index_grants_event_staff_add_change_and_publish():
    index = event_index()
    codenames = set(
        GroupPagePermission.objects.filter(page=index, group__name="Event staff").values_list(
            "permission__codename", flat=True
        )
    )
    assert codenames == {"add_page", "change_page", "publish_page"}


def test_event_staff_open_the_events_index_and_publish_an_event_with_a_priced_ticket(client):
    index = event_index()
    staff = UserFactory(groups=["Event staff"])
    sign_in_with_second_factor(client, staff)
    assert client.get(f"/admin/pages/{index.pk}/").status_code == 200
    add_url = f"/admin/pages/add/events/eventpage/{index.pk}/"
    page = client.get(add_url)
    assert page.status_code == 200
    fields = FormFields()
    fields.feed(page.content.decode())
    data = {name: value for name, value in fields.data.items() if not name.startswith("ticket_types-__prefix__")}
    data |= {
        "title": "Staff gala",
        "slug": "staff-gala",
        "summary": "An evening",
        "starts_at": "2027-03-06 18:00",
        "ends_at": "2027-03-06 21:00",
        "venue": "Community Hall",
        "capacity": "50",
        "body-count": "0",
        "ticket_types-TOTAL_FORMS": "1",
        "ticket_types-INITIAL_FORMS": "0",
        "ticket_types-MIN_NUM_FORMS": "0",
        "ticket_types-MAX_NUM_FORMS": "1000",
        "ticket_types-0-id": "",
        "ticket_types-0-name": "Standard",
        "ticket_types-0-quantity": "50",
        "ticket_types-0-price_minor": "15.50",
        "ticket_types-0-minimum_minor": "0",
        "ticket_types-0-ORDER": "1",
        "action-publish": "action-publish",
    }
    response = client.post(add_url, data)
    form = response.context["form"] if response.status_code == 200 else None
    assert response.status_code == 302, (form.errors, {k: f.errors for k, f in form.formsets.items()})
    event = EventPage.objects.get(slug="staff-gala")
    assert event.live and event.get_parent().pk == index.pk
    assert [(t.name, t.price_minor) for t in event.ticket_types.all()] == [("Standard", 1550)]


def test_the_events_index_stays_closed_to_other_staff(client):
    index = event_index()
    finance = UserFactory(groups=["Finance"])
    sign_in_with_second_factor(client, finance)
    assert client.get(f"/admin/pages/add/events/eventpage/{index.pk}/").status_code != 200
    assert EventIndexPage.objects.count() == 1
