"""Event staff may add, change and publish pages under every existing events index (new
indexes get the same from events.page_permissions' receiver)."""

from django.db import migrations

from events.page_permissions import grant_event_staff


def grant(apps, schema_editor):
    for index in apps.get_model("events", "EventIndexPage").objects.all():
        grant_event_staff(
            index,
            group_model=apps.get_model("auth", "Group"),
            permission_model=apps.get_model("auth", "Permission"),
            page_permission_model=apps.get_model("wagtailcore", "GroupPagePermission"),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_money_in_major_units"),
        ("accounts", "0002_staff_groups"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
