"""The staff roles, as Wagtail groups. What each may see is checked in views, by role.

Editors: publish pages, courses and events (Wagtail's own Editors group, reused).
Trainers: their own cohorts and attendance. Event staff: check-in and event dashboards.
Finance: payments, refunds, Gift Aid. Membership: applications, members, data requests.
"""

from django.db import migrations

STAFF_GROUPS = ["Editors", "Trainers", "Event staff", "Finance", "Membership"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    for name in STAFF_GROUPS:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Group.objects.filter(name__in=["Trainers", "Event staff", "Finance", "Membership"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
