"""The partner's listing on its own site (issue 19): the origins allowed to frame it, and the
unguessable key in its address. Existing partners get a key each (a callable default gives
every existing row the same value, so the key is added empty, filled, then made unique)."""

import secrets

from django.db import migrations, models

import cms.models


def give_each_partner_a_key(apps, schema_editor):
    PartnerOrganisation = apps.get_model("cms", "PartnerOrganisation")
    for partner in PartnerOrganisation.objects.filter(embed_key="").only("pk"):
        partner.embed_key = secrets.token_urlsafe(16)
        partner.save(update_fields=["embed_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0004_chapter_pages_and_organisers"),
    ]

    operations = [
        migrations.AddField(
            model_name="partnerorganisation",
            name="embed_origins",
            field=models.TextField(
                blank=True,
                help_text=(
                    "One address per line, such as https://www.example.org: the partner's own sites that may show "
                    "our events and courses listing in a frame. Nothing here: no site may show it."
                ),
                verbose_name="sites that may show our events listing",
            ),
        ),
        migrations.AddField(
            model_name="partnerorganisation",
            name="embed_key",
            field=models.CharField(default="", max_length=32, verbose_name="listing address key"),
            preserve_default=False,
        ),
        migrations.RunPython(give_each_partner_a_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="partnerorganisation",
            name="embed_key",
            field=models.CharField(
                default=cms.models.new_embed_key,
                help_text="The address of the partner's listing on this site is /embed/ followed by this key.",
                max_length=32,
                unique=True,
                verbose_name="listing address key",
            ),
        ),
    ]
