"""The "Communications" staff role (a Wagtail group): writes and sends newsletters, and is the
only role that sees subscriber lists (checked in newsletters' admin views)."""

from django.db import migrations

NAME = "Communications"


def create_group(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    group, _created = Group.objects.get_or_create(name=NAME)
    access_admin = Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin").first()
    if access_admin is not None:
        group.permissions.add(access_admin)


def remove_group(apps, schema_editor):
    apps.get_model("auth.Group").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("newsletters", "0001_initial"),
        ("accounts", "0002_staff_groups"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
