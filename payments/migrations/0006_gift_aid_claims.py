"""Gift Aid claims kept as a history. Donations claimed before this (marked claimed_at, one
download each) become one claim per moment they were claimed, dated by the donations in it,
made by nobody recorded, with small donations not added together (how each was downloaded
then was not kept)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def claims_from_earlier_downloads(apps, schema_editor):
    Donation = apps.get_model("payments", "Donation")
    GiftAidClaim = apps.get_model("payments", "GiftAidClaim")
    GiftAidClaimDonation = apps.get_model("payments", "GiftAidClaimDonation")
    from django.utils import timezone

    moments = Donation.objects.filter(claimed_at__isnull=False).values_list("claimed_at", flat=True).distinct()
    for claimed_at in sorted(set(moments)):
        donations = list(Donation.objects.filter(claimed_at=claimed_at).order_by("donated_at", "pk"))
        claim = GiftAidClaim.objects.create(
            starts_on=timezone.localdate(donations[0].donated_at),
            ends_on=timezone.localdate(donations[-1].donated_at),
            created_at=claimed_at,
            donation_count=len(donations),
            total_minor=sum(d.amount_minor for d in donations),
        )
        GiftAidClaimDonation.objects.bulk_create(
            [GiftAidClaimDonation(claim=claim, donation=donation) for donation in donations]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0005_currency_iso"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="GiftAidClaim",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("starts_on", models.DateField(verbose_name="donations given from")),
                ("ends_on", models.DateField(verbose_name="donations given to")),
                ("aggregate_small", models.BooleanField(default=False, verbose_name="small donations added together")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="made at")),
                ("donation_count", models.PositiveIntegerField(verbose_name="donations")),
                ("total_minor", models.PositiveBigIntegerField(verbose_name="donations total in minor units")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "Gift Aid claim",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="GiftAidClaimDonation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "claim",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="payments.giftaidclaim"
                    ),
                ),
                (
                    "donation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="gift_aid_claim_entry",
                        to="payments.donation",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="giftaidclaim",
            name="donations",
            field=models.ManyToManyField(
                related_name="gift_aid_claims", through="payments.GiftAidClaimDonation", to="payments.donation"
            ),
        ),
        migrations.RunPython(claims_from_earlier_downloads, migrations.RunPython.noop),
    ]
