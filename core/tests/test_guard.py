"""The public-form guard (core.guard): honeypot first and uncounted, then the limit from settings."""

import pytest
from django import forms
from django.test import RequestFactory

from core.forms import HONEYPOT_FIELD, add_honeypot
from core.guard import Verdict, guard_public_post, paused_message

pytestmark = pytest.mark.django_db


class _NoteForm(forms.Form):
    note = forms.CharField()


NoteForm = add_honeypot(_NoteForm)


def _post(data, address="203.0.113.7"):
    return RequestFactory().post("/", data, REMOTE_ADDR=address)


def test_a_filled_honeypot_is_a_robot_and_is_never_counted_against_people(settings):
    settings.FORM_RATE_LIMIT = 1
    for _ in range(3):
        request = _post({"note": "hi", HONEYPOT_FIELD: "http://spam.example"})
        assert guard_public_post(request, NoteForm(request.POST), scope="t") is Verdict.ROBOT
    request = _post({"note": "hi"})
    assert guard_public_post(request, NoteForm(request.POST), scope="t") is Verdict.ALLOWED


def test_past_the_limit_the_form_is_paused_with_one_message_saying_how_long(settings):
    settings.FORM_RATE_LIMIT = 2
    settings.FORM_RATE_WINDOW_SECONDS = 300
    verdicts = []
    for _ in range(3):
        request = _post({"note": "kept"})
        form = NoteForm(request.POST)
        verdicts.append(guard_public_post(request, form, scope="t2", what="notes"))
    assert verdicts == [Verdict.ALLOWED, Verdict.ALLOWED, Verdict.PAUSED]
    assert form.non_field_errors() == [paused_message("notes")]
    assert "several notes from you" in paused_message("notes")
    assert "please try again in 5 minutes" in paused_message("notes")
    assert form.data["note"] == "kept"


def test_another_limit_setting_can_be_named_and_forms_without_a_honeypot_are_counted(settings):
    settings.DONATION_RATE_LIMIT = 1
    first, second = _post({"note": "a"}), _post({"note": "a"})
    assert guard_public_post(first, _NoteForm(first.POST), scope="t3", limit_setting="DONATION_RATE_LIMIT") is (
        Verdict.ALLOWED
    )
    assert guard_public_post(second, _NoteForm(second.POST), scope="t3", limit_setting="DONATION_RATE_LIMIT") is (
        Verdict.PAUSED
    )


def test_a_one_minute_window_says_one_minute(settings):
    settings.FORM_RATE_WINDOW_SECONDS = 60
    assert "please try again in 1 minute." in paused_message()
