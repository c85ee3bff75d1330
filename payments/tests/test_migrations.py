"""Migration 0003: ticket lines keep their registration when the foreign key into events
becomes a plain reference, and going back restores the foreign key."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from events.tests.factories import RegistrationFactory, make_event

BEFORE = [("payments", "0002_sponsored_places")]
AFTER = [("payments", "0003_orderline_item_reference")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_migration_0003_keeps_each_ticket_lines_registration_as_its_reference_and_back(wagtail_tree):
    registration = RegistrationFactory(event=make_event())
    try:
        apps = _migrate(BEFORE)
        Order, OrderLine = apps.get_model("payments", "Order"), apps.get_model("payments", "OrderLine")
        order = Order.objects.create(email="b@example.org", total_minor=1700, currency="gbp")
        ticket = OrderLine.objects.create(
            order=order, kind="ticket", registration_id=registration.pk, amount_minor=1200, description="Supper"
        )
        donation = OrderLine.objects.create(order=order, kind="donation", amount_minor=500, description="Donation")

        OrderLine = _migrate(AFTER).get_model("payments", "OrderLine")
        assert dict(OrderLine.objects.values_list("pk", "item_reference")) == {
            ticket.pk: f"registration:{registration.pk}",
            donation.pk: "",
        }

        OrderLine = _migrate(BEFORE).get_model("payments", "OrderLine")
        assert dict(OrderLine.objects.values_list("pk", "registration_id")) == {
            ticket.pk: registration.pk,
            donation.pk: None,
        }
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
