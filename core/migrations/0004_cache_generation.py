from django.db import migrations, models


def first_generation(apps, schema_editor):
    apps.get_model("core", "CacheGeneration").objects.get_or_create(name="pages", defaults={"value": 0})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_verbose_names"),
    ]

    operations = [
        migrations.CreateModel(
            name="CacheGeneration",
            fields=[
                ("name", models.CharField(max_length=50, primary_key=True, serialize=False, verbose_name="name")),
                ("value", models.BigIntegerField(default=0, verbose_name="generation")),
            ],
            options={
                "verbose_name": "cache generation",
            },
        ),
        migrations.RunPython(first_generation, migrations.RunPython.noop),
    ]
