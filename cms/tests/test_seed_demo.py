import io
import json

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command

SNAPSHOT_APPS = {"cms", "accounts", "wagtailcore", "wagtailforms", "auth"}
VOLATILE = {"last_login", "latest_revision_created_at", "last_published_at", "first_published_at", "created_at"}


def snapshot() -> dict[str, list[dict]]:
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label not in SNAPSHOT_APPS or model._meta.proxy:
            continue
        serialised = json.loads(serializers.serialize("json", model.objects.order_by("pk")))
        rows[model._meta.label] = [
            {"pk": row["pk"], **{k: v for k, v in row["fields"].items() if k not in VOLATILE}} for row in serialised
        ]
    return rows


@pytest.mark.django_db
def test_seed_demo_run_twice_leaves_the_same_rows():
    call_command("seed_demo", stdout=io.StringIO())
    first = snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    second = snapshot()
    assert first == second
    assert len(first["cms.StandardPage"]) >= 3
    assert len(first["cms.FormPage"]) == 3
    assert len(first["cms.PartnerOrganisation"]) == 3


@pytest.mark.django_db
def test_seed_demo_prints_the_staff_login_that_works(client, settings):
    settings.MFA_EXEMPT_EMAILS = ["staff@thrive.example"]  # as development settings do
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith("Demo staff login:"))
    email, password = line.removeprefix("Demo staff login: ").split(" / ")
    assert client.login(email=email, password=password)
    assert client.get("/admin/").status_code == 200
