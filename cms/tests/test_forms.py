import pytest
from django.core import mail
from wagtail.contrib.forms.models import FormSubmission

VALID_CONTACT = {"your_name": "Ada", "email": "ada@example.org", "message": "Hello there"}


@pytest.mark.django_db
def test_a_valid_submission_is_stored_and_emailed_to_staff(client, demo_site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/contact/", VALID_CONTACT)
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    submission = FormSubmission.objects.get()
    assert submission.get_data()["message"] == "Hello there"
    assert "website_url" not in submission.form_data
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["staff@thrive.example"]
    assert "Hello there" in mail.outbox[0].body


@pytest.mark.django_db
def test_errors_show_next_to_the_fields_and_keep_what_was_typed(client, demo_site):
    response = client.post("/contact/", {"your_name": "Ada", "email": "not-an-email", "message": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Ada"' in html
    assert 'value="not-an-email"' in html
    assert 'id="id_email_error"' in html
    assert 'aria-describedby="id_email_error"' in html or 'aria-describedby="id_email_helptext id_email_error"' in html
    assert 'aria-invalid="true"' in html
    assert "There is a problem" in html
    assert FormSubmission.objects.count() == 0


@pytest.mark.django_db
def test_a_burst_of_submissions_is_refused_politely_and_keeps_the_text(client, demo_site, settings):
    statuses = [client.post("/contact/", VALID_CONTACT).status_code for _ in range(settings.FORM_RATE_LIMIT + 3)]
    assert statuses[: settings.FORM_RATE_LIMIT] == [200] * settings.FORM_RATE_LIMIT
    assert statuses[settings.FORM_RATE_LIMIT :] == [429, 429, 429]
    response = client.post("/contact/", VALID_CONTACT)
    html = response.content.decode()
    assert "please try again in 10 minutes" in html
    assert "Hello there" in html
    assert FormSubmission.objects.count() == settings.FORM_RATE_LIMIT


@pytest.mark.django_db
def test_the_honeypot_stores_nothing_but_looks_like_success(client, demo_site):
    response = client.post("/contact/", VALID_CONTACT | {"website_url": "http://spam.example"})
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert FormSubmission.objects.count() == 0
    assert len(mail.outbox) == 0
