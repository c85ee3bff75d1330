"""The content locales (issue 16): English (the source, made by Wagtail's own migration),
Albanian, Vietnamese and Arabic, and the right to translate pages for the Editors group."""

from django.db import migrations

LANGUAGE_CODES = ["en-gb", "sq", "vi", "ar"]


def create_locales(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    for code in LANGUAGE_CODES:
        Locale.objects.get_or_create(language_code=code)
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _created = ContentType.objects.get_or_create(app_label="simple_translation", model="simpletranslation")
    permission, _created = Permission.objects.get_or_create(
        content_type=content_type, codename="submit_translation", defaults={"name": "Can submit translations"}
    )
    for group in Group.objects.filter(name="Editors"):
        group.permissions.add(permission)


def remove_locales(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    used = set(Page.objects.values_list("locale_id", flat=True))
    Locale.objects.filter(language_code__in=["sq", "vi", "ar"]).exclude(pk__in=used).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("wagtailcore", "0098_apitoken"),
        ("simple_translation", "0001_initial"),
        ("accounts", "0002_staff_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_locales, remove_locales)]
