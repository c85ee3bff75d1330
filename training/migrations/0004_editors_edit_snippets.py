"""Editors add and change the snippets the site's content is built from: chapters, partner
organisations, cohorts (with their live sessions) and certificate templates. Not delete:
deleting a cohort deletes its enrolments and attendance, so only superusers may.

Permissions are made here if `post_migrate` has not made them yet (a fresh database)."""

from django.db import migrations

MODELS = [
    ("cms", "chapter"),
    ("cms", "partnerorganisation"),
    ("training", "cohort"),
    ("certificates", "certificatetemplate"),
]
ACTIONS = ["add", "change"]


def _permissions(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for app_label, model in MODELS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        name = apps.get_model(app_label, model)._meta.verbose_name
        for action in ACTIONS:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=f"{action}_{model}", defaults={"name": f"Can {action} {name}"}
            )
            yield permission


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    editors = Group.objects.filter(name="Editors").first()
    if editors:
        editors.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0003_money_in_major_units"),
        ("cms", "0002_chapter"),
        ("certificates", "0001_initial"),
        ("accounts", "0002_staff_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
