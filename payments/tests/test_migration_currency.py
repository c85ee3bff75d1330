"""Migration 0005: currency codes become ISO 4217 capitals in every payments table and in the
saved revisions of donate and campaign pages (a draft published later must not bring "gbp"
back); going back restores the old lower case."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from payments.models import CampaignPage

BEFORE = [("payments", "0004_order_attention_from_reason")]
AFTER = [("payments", "0005_currency_iso")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_migration_0005_spells_every_currency_in_capitals_rows_and_page_revisions_and_back(wagtail_tree):
    campaign = wagtail_tree.add_child(instance=CampaignPage(title="Spring", slug="spring", target_minor=100000))
    campaign.currency = "EUR"
    revision = campaign.save_revision()
    try:
        apps = _migrate(BEFORE)
        assert apps.get_model("payments", "CampaignPage").objects.get(pk=campaign.pk).currency == "gbp"
        Revision = apps.get_model("wagtailcore", "Revision")
        assert Revision.objects.get(pk=revision.pk).content["currency"] == "eur"
        Order = apps.get_model("payments", "Order")
        order = Order.objects.create(email="b@example.org", total_minor=1700, currency="usd")

        apps = _migrate(AFTER)
        assert apps.get_model("payments", "Order").objects.get(pk=order.pk).currency == "USD"
        assert apps.get_model("payments", "CampaignPage").objects.get(pk=campaign.pk).currency == "GBP"
        assert apps.get_model("wagtailcore", "Revision").objects.get(pk=revision.pk).content["currency"] == "EUR"
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
