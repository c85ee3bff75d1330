"""Currency codes spelt as ISO 4217 does ("GBP", not "gbp") in every payments table and in
the saved revisions of donate and campaign pages (so publishing an old draft cannot bring a
lower-case code back); the campaign target is typed in major units (same integer column)."""

from django.db import migrations, models
from django.db.models.functions import Lower, Upper

import core.money_fields

TABLES = ("Order", "Payment", "Donation", "RecurringGift", "DonatePage", "CampaignPage")
PAGE_MODELS = ("donatepage", "campaignpage")


def _respell(apps, case, text_case):
    for name in TABLES:
        apps.get_model("payments", name).objects.update(currency=case("currency"))
    Revision = apps.get_model("wagtailcore", "Revision")
    revisions = Revision.objects.filter(content_type__app_label="payments", content_type__model__in=PAGE_MODELS)
    for revision in revisions.iterator():
        currency = revision.content.get("currency") if isinstance(revision.content, dict) else None
        if isinstance(currency, str) and currency != text_case(currency):
            revision.content["currency"] = text_case(currency)
            revision.save(update_fields=["content"])


def to_iso(apps, schema_editor):
    _respell(apps, Upper, str.upper)


def to_lower(apps, schema_editor):
    _respell(apps, Lower, str.lower)


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0004_order_attention_from_reason'),
        ('wagtailcore', '0098_apitoken'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterField(
            model_name='campaignpage',
            name='currency',
            field=models.CharField(choices=[('GBP', 'GBP (£)'), ('EUR', 'EUR (€)'), ('USD', 'USD ($)')], default='GBP', max_length=3, verbose_name='currency'),
        ),
        migrations.AlterField(
            model_name='campaignpage',
            name='target_minor',
            field=core.money_fields.MinorAmountField(currency_attr='currency', max_minor=1000000000, verbose_name='target'),
        ),
        migrations.AlterField(
            model_name='donatepage',
            name='currency',
            field=models.CharField(choices=[('GBP', 'GBP (£)'), ('EUR', 'EUR (€)'), ('USD', 'USD ($)')], default='GBP', max_length=3, verbose_name='currency'),
        ),
        migrations.AlterField(
            model_name='donation',
            name='currency',
            field=models.CharField(choices=[('GBP', 'GBP (£)'), ('EUR', 'EUR (€)'), ('USD', 'USD ($)')], max_length=3, verbose_name='currency'),
        ),
        migrations.AlterField(
            model_name='order',
            name='currency',
            field=models.CharField(choices=[('GBP', 'GBP (£)'), ('EUR', 'EUR (€)'), ('USD', 'USD ($)')], default='GBP', max_length=3, verbose_name='currency'),
        ),
        migrations.AlterField(
            model_name='payment',
            name='currency',
            field=models.CharField(choices=[('GBP', 'GBP (£)'), ('EUR', 'EUR (€)'), ('USD', 'USD ($)')], max_length=3, verbose_name='currency'),
        ),
        migrations.AlterField(
            model_name='recurringgift',
            name='currency',
            field=models.CharField(choices=[('GBP', 'GBP (£)'), ('EUR', 'EUR (€)'), ('USD', 'USD ($)')], default='GBP', max_length=3, verbose_name='currency'),
        ),
        migrations.RunPython(to_iso, to_lower),
    ]
