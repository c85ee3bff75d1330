"""`manage.py seed_scale` refuses what it cannot seed (a network on an empty site, a negative
size) and leaves the database as it was."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User


@pytest.mark.django_db
def test_seed_scale_asks_for_the_demo_content_first():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_scale", members=10, events=1, registrations=1, donations=1, stdout=io.StringIO())
    assert not User.objects.exists()


@pytest.mark.django_db
def test_seed_scale_refuses_a_negative_size(demo_site):
    users = User.objects.count()
    with pytest.raises(CommandError, match="0 or more"):
        call_command("seed_scale", members=-1, stdout=io.StringIO())
    assert User.objects.count() == users
