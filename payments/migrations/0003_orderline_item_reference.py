"""Order lines name their ticket by the selling app's reference instead of a foreign key.

`OrderLine.registration` (a ForeignKey to events.Registration) becomes
`OrderLine.item_reference`, a plain string such as "registration:12" that events makes and
reads, so payments no longer depends on events (DESIGN: payments never imports events).
Every existing ticket line keeps its registration, as "registration:<id>"; the check that a
ticket line names its ticket stays, on the new field. Reversible: going back copies the
ids into the foreign key again.

The order matters for going back: the old check is dropped first and added back last, once
the foreign key is filled in again.
"""

from django.db import migrations, models
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat

PREFIX = "registration:"


def registration_to_reference(apps, schema_editor):
    OrderLine = apps.get_model("payments", "OrderLine")
    OrderLine.objects.filter(registration__isnull=False).update(
        item_reference=Concat(Value(PREFIX), Cast("registration_id", output_field=CharField()))
    )


def reference_to_registration(apps, schema_editor):
    OrderLine = apps.get_model("payments", "OrderLine")
    for line in OrderLine.objects.filter(item_reference__startswith=PREFIX).only("pk", "item_reference"):
        line.registration_id = int(line.item_reference.removeprefix(PREFIX))
        line.save(update_fields=["registration"])


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_sponsored_places"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="orderline", name="payments_ticket_has_registration"),
        migrations.AddField(
            model_name="orderline",
            name="item_reference",
            field=models.CharField(
                blank=True, db_index=True, default="", max_length=64, verbose_name="item reference"
            ),
        ),
        migrations.RunPython(registration_to_reference, reference_to_registration),
        migrations.RemoveField(model_name="orderline", name="registration"),
        migrations.AddConstraint(
            model_name="orderline",
            constraint=models.CheckConstraint(
                condition=Q(kind="donation") | ~Q(item_reference=""), name="payments_ticket_has_item_reference"
            ),
        ),
    ]
