"""Migration 0006: donations claimed before claims were kept become claims in the history,
one per moment they were claimed, so their schedules can be downloaded again."""

from datetime import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("payments", "0005_currency_iso")]
AFTER = [("payments", "0006_gift_aid_claims")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_migration_0006_makes_a_claim_of_each_earlier_download():
    try:
        apps = _migrate(BEFORE)
        Declaration, Donation = apps.get_model("payments", "GiftAidDeclaration"), apps.get_model("payments", "Donation")
        declaration = Declaration.objects.create(
            first_name="Ada",
            last_name="Byron",
            house_name_or_number="3",
            postcode="N1 9GU",
            declaration_text="I want to Gift Aid",
            declaration_version="2026-01",
            declared_at=timezone.now(),
        )
        first_download = timezone.make_aware(datetime(2026, 4, 10, 9, 0))
        second_download = timezone.make_aware(datetime(2026, 7, 10, 9, 0))
        given = [
            (datetime(2026, 3, 2, 12), 1000, first_download),
            (datetime(2026, 3, 30, 12), 2000, first_download),
            (datetime(2026, 6, 1, 12), 500, second_download),
            (datetime(2026, 6, 2, 12), 700, None),  # never claimed
        ]
        for number, (day, amount, claimed_at) in enumerate(given):
            Donation.objects.create(
                amount_minor=amount,
                currency="GBP",
                email="d@example.org",
                gift_aid_declaration=declaration,
                stripe_invoice_id=f"in_{number}",
                donated_at=timezone.make_aware(day),
                claimed_at=claimed_at,
            )

        Claim = _migrate(AFTER).get_model("payments", "GiftAidClaim")
        claims = [
            (c.starts_on.isoformat(), c.ends_on.isoformat(), c.created_at, c.donation_count, c.total_minor)
            for c in Claim.objects.order_by("created_at")
        ]
        assert claims == [
            ("2026-03-02", "2026-03-30", first_download, 2, 3000),
            ("2026-06-01", "2026-06-01", second_download, 1, 500),
        ]
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
