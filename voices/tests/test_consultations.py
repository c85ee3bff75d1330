"""Consultations: questions of four kinds, answers checked against them, questions frozen once
answered, and results the organisation reads only as totals and permitted quotes, never who
said what, and nothing at all under three participants."""

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import PartnerContactFactory, UserFactory, sign_in_with_second_factor
from voices.models import ConsultationAnswer, ConsultationQuestion, Engagement, Kind
from voices.services.consultations import (
    answers_submit,
    consultation_results,
    field_name,
    question_add,
    question_delete,
    question_move,
    question_update,
    quote_field_name,
)
from voices.tests.factories import make_engagement, make_member, make_opportunity, make_request

pytestmark = pytest.mark.django_db

TOKEN = "a-consultation-status-link-token"


@pytest.fixture
def officer():
    return UserFactory(groups=["Membership"])


@pytest.fixture
def consultation():
    return make_opportunity(request=make_request(kind=Kind.CONSULTATION, token=TOKEN, places=5))


@pytest.fixture
def questions(consultation, officer):
    """A choice, a scale, a yes/no and a free-text question, in that order."""
    add = lambda **fields: question_add(opportunity=consultation, actor=officer, **fields)  # noqa: E731
    return {
        "choice": add(kind="choice", text="Which format suits survivors best?", choices="Online\nIn person\nBoth"),
        "scale": add(kind="scale", text="How safe did the process feel?"),
        "yes_no": add(kind="yes_no", text="Would you take part again?"),
        "text": add(kind="text", text="What should we change?"),
    }


def member_named(name: str, email: str):
    return make_member(display_name=name, user__email=email)


def answer(engagement, questions, *, choice="Online", scale="4", yes_no="yes", text="", may_quote=False):
    return answers_submit(
        member=engagement.member,
        engagement=engagement,
        answers={
            questions["choice"].pk: choice,
            questions["scale"].pk: scale,
            questions["yes_no"].pk: yes_no,
            questions["text"].pk: text,
        },
        may_quote={questions["text"].pk: may_quote},
    )


# Questions.


def test_a_choice_question_needs_at_least_two_different_choices(consultation, officer):
    for choices in ("", "Only one", "Same\nsame \n Same"):
        with pytest.raises(ValidationError) as refusal:
            question_add(opportunity=consultation, actor=officer, kind="choice", text="Pick", choices=choices)
        assert "choices" in refusal.value.error_dict
    question = question_add(opportunity=consultation, actor=officer, kind="choice", text="Pick", choices=" A \n\nB\nA")
    assert question.choice_list == ["A", "B"]


def test_an_unknown_kind_or_an_empty_question_is_refused(consultation, officer):
    with pytest.raises(ValidationError) as refusal:
        question_add(opportunity=consultation, actor=officer, kind="essay", text="Tell us")
    assert "kind" in refusal.value.error_dict
    with pytest.raises(ValidationError) as refusal:
        question_add(opportunity=consultation, actor=officer, kind="text", text="   ")
    assert "text" in refusal.value.error_dict
    assert not ConsultationQuestion.objects.exists()


def test_choices_typed_for_a_scale_question_are_not_kept(consultation, officer):
    question = question_add(opportunity=consultation, actor=officer, kind="scale", text="How much?", choices="A\nB")
    assert question.choices == ""


def test_only_a_consultation_has_questions(officer):
    talk = make_opportunity(request=make_request(kind=Kind.TALK))
    with pytest.raises(ValidationError):
        question_add(opportunity=talk, actor=officer, kind="text", text="Anything?")


def test_questions_are_added_in_order_and_can_be_moved(consultation, questions, officer):
    question_move(question=questions["text"], actor=officer, up=True)
    order = list(ConsultationQuestion.objects.filter(opportunity=consultation).values_list("kind", flat=True))
    assert order == ["choice", "scale", "text", "yes_no"]
    question_move(question=questions["choice"], actor=officer, up=True)  # already first: nothing
    assert ConsultationQuestion.objects.filter(opportunity=consultation).first().kind == "choice"


def test_questions_are_locked_once_anyone_has_answered(consultation, questions, officer):
    answer(make_engagement(consultation), questions)
    attempts = [
        lambda: question_add(opportunity=consultation, actor=officer, kind="text", text="One more?"),
        lambda: question_update(question=questions["scale"], actor=officer, kind="yes_no", text="Safe?"),
        lambda: question_delete(question=questions["text"], actor=officer),
        lambda: question_move(question=questions["text"], actor=officer, up=True),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as refusal:
            attempt()
        assert refusal.value.code == "answered"
    assert ConsultationQuestion.objects.filter(opportunity=consultation).count() == 4
    assert ConsultationQuestion.objects.get(pk=questions["scale"].pk).kind == "scale"


# Answers.


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("choice", "Sometimes"),
        ("choice", ""),
        ("scale", "0"),
        ("scale", "6"),
        ("scale", "four"),
        ("scale", ""),
        ("yes_no", "maybe"),
        ("yes_no", ""),
    ],
)
def test_an_answer_not_offered_by_its_question_is_refused_and_nothing_is_stored(consultation, questions, kind, value):
    engagement = make_engagement(consultation)
    with pytest.raises(ValidationError) as refusal:
        answer(engagement, questions, **{kind: value})
    assert list(refusal.value.error_dict) == [field_name(questions[kind].pk)]
    assert not ConsultationAnswer.objects.exists()


def test_a_free_text_answer_may_be_blank_and_is_then_never_quotable(consultation, questions):
    engagement = make_engagement(consultation)
    answer(engagement, questions, text="  ", may_quote=True)
    stored = ConsultationAnswer.objects.get(engagement=engagement, question=questions["text"])
    assert stored.value == "" and stored.may_quote is False
    assert ConsultationAnswer.objects.filter(engagement=engagement).count() == 4


def test_only_the_engagements_member_answers(consultation, questions):
    engagement = make_engagement(consultation)
    with pytest.raises(ValidationError) as refusal:
        answers_submit(member=make_member(), engagement=engagement, answers={}, may_quote={})
    assert refusal.value.code == "not_yours"


@pytest.mark.parametrize(
    "status", [Engagement.Status.OFFERED, Engagement.Status.WITHDRAWN, Engagement.Status.CANCELLED]
)
def test_only_a_confirmed_or_completed_engagement_answers(consultation, questions, status):
    engagement = make_engagement(consultation, status=status)
    with pytest.raises(ValidationError) as refusal:
        answer(engagement, questions)
    assert refusal.value.code == "not_open"


def test_an_answer_to_another_questionnaires_question_is_refused(consultation, questions, officer):
    other = make_opportunity(request=make_request(kind=Kind.CONSULTATION))
    foreign = question_add(opportunity=other, actor=officer, kind="yes_no", text="Elsewhere?")
    engagement = make_engagement(consultation)
    with pytest.raises(ValidationError) as refusal:
        answers_submit(member=engagement.member, engagement=engagement, answers={foreign.pk: "yes"})
    assert refusal.value.code == "unknown_question"


def test_answering_again_replaces_the_answers_until_the_engagement_is_completed(consultation, questions):
    engagement = make_engagement(consultation)
    answer(engagement, questions, choice="Online", text="First thought")
    answer(engagement, questions, choice="Both", text="Second thought", may_quote=True)
    answer(engagement, questions, choice="Both", text="Second thought", may_quote=True)  # a double click
    rows = {row.question_id: row for row in ConsultationAnswer.objects.filter(engagement=engagement)}
    assert len(rows) == 4
    assert rows[questions["choice"].pk].value == "Both"
    assert (rows[questions["text"].pk].value, rows[questions["text"].pk].may_quote) == ("Second thought", True)
    Engagement.objects.filter(pk=engagement.pk).update(status=Engagement.Status.COMPLETED)
    with pytest.raises(ValidationError) as refusal:
        answer(engagement, questions, choice="Online")
    assert refusal.value.code == "final"
    assert ConsultationAnswer.objects.get(engagement=engagement, question=questions["choice"]).value == "Both"


def test_a_completed_engagement_that_never_answered_may_still_answer_once(consultation, questions):
    engagement = make_engagement(consultation, status=Engagement.Status.COMPLETED)
    answer(engagement, questions)
    assert ConsultationAnswer.objects.filter(engagement=engagement).count() == 4


# Results.


def three_answers(consultation, questions):
    """Three participants: their answers, with one text allowed to be quoted and one not."""
    answer(make_engagement(consultation), questions, choice="Online", scale="5", yes_no="yes", text="zebra crossing")
    answer(
        make_engagement(consultation),
        questions,
        choice="Both",
        scale="4",
        yes_no="yes",
        text="A quiet room helped",
        may_quote=True,
    )
    answer(
        make_engagement(consultation),
        questions,
        choice="Online",
        scale="2",
        yes_no="no",
        text="Pay on the day",
        may_quote=True,
    )


def test_results_are_totals_per_choice_and_the_scale_with_its_mean(consultation, questions):
    three_answers(consultation, questions)
    results = consultation_results(consultation)
    assert results.shown and results.participants == 3
    by_kind = {row.question.kind: row for row in results.questions}
    assert by_kind["choice"].counts == [("Online", 2), ("In person", 0), ("Both", 1)]
    assert [count for _label, count in by_kind["yes_no"].counts] == [2, 1]
    assert by_kind["scale"].distribution == [(1, 0), (2, 1), (3, 0), (4, 1), (5, 1)]
    assert str(by_kind["scale"].mean) == "3.7"


def test_results_quote_only_allowed_text_sorted_by_text_not_by_who_or_when(consultation, questions):
    three_answers(consultation, questions)
    text = next(row for row in consultation_results(consultation).questions if row.question.kind == "text")
    assert text.answered == 3
    assert text.quotes == ["A quiet room helped", "Pay on the day"]  # alphabetical, not answer order
    assert "zebra crossing" not in text.quotes


def test_nothing_is_shown_while_fewer_than_three_people_have_answered(consultation, questions):
    for _ in range(2):
        answer(make_engagement(consultation), questions, text="Visible?", may_quote=True)
    results = consultation_results(consultation)
    assert results.participants == 2 and not results.shown and results.questions == []


def test_a_member_who_withdrew_is_left_out_of_the_results(consultation, questions):
    three_answers(consultation, questions)
    Engagement.objects.filter(pk=consultation.engagements.first().pk).update(status=Engagement.Status.WITHDRAWN)
    assert not consultation_results(consultation).shown


# Pages.


def test_the_organisation_sees_counts_and_allowed_quotes_and_never_a_member(client, consultation, questions):
    people = [
        member_named("Amani Quietname", "amani.quiet@example.org"),
        member_named("Bo Hiddenperson", "bo.hidden@example.org"),
        member_named("Chen Unseen", "chen.unseen@example.org"),
    ]
    texts = [("I will say this once", False), ("Name the fee early", True), ("Offer a debrief", True)]
    for person, (text, may_quote) in zip(people, texts, strict=True):
        answer(make_engagement(consultation, person), questions, text=text, may_quote=may_quote)
    response = client.get(f"/voices/requests/{TOKEN}/results/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Name the fee early" in html and "Offer a debrief" in html
    assert "I will say this once" not in html
    assert "3 people answered" in html
    for person in people:
        for secret in (person.member_profile.display_name, person.email, person.email.split("@")[0]):
            assert html.count(secret) == 0
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"] and 'content="noindex' in html


def test_the_organisation_page_says_results_wait_for_three_people(client, consultation, questions):
    person = member_named("Dana Onlyone", "dana.onlyone@example.org")
    answer(make_engagement(consultation, person), questions, text="Only me", may_quote=True)
    html = client.get(f"/voices/requests/{TOKEN}/results/").content.decode()
    assert "Results appear once at least 3 people have answered" in html
    assert "Only me" not in html and "Dana Onlyone" not in html and "Online" not in html


def test_results_by_an_unknown_link_or_for_a_request_that_is_not_a_consultation_are_404(client):
    make_opportunity(request=make_request(kind=Kind.TALK, token="a-talk-token"))
    assert client.get("/voices/requests/not-a-real-token/results/").status_code == 404
    assert client.get("/voices/requests/a-talk-token/results/").status_code == 404


def test_a_partner_contact_without_the_link_cannot_read_results(client, consultation, questions):
    client.force_login(PartnerContactFactory().user)
    assert client.get("/voices/requests/guess/results/").status_code == 404


def test_the_member_answers_on_the_questionnaire_page(client, consultation, questions):
    engagement = make_engagement(consultation)
    client.force_login(engagement.member)
    url = f"/voices/engagements/{engagement.pk}/questionnaire/"
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "You may quote this answer without my name" in html
    assert 'type="radio"' in html and 'name="{}"'.format(field_name(questions["text"].pk)) in html
    response = client.post(
        url,
        {
            field_name(questions["choice"].pk): "In person",
            field_name(questions["scale"].pk): "3",
            field_name(questions["yes_no"].pk): "no",
            field_name(questions["text"].pk): "Clear briefs",
            quote_field_name(questions["text"].pk): "on",
        },
    )
    assert response.status_code == 302
    stored = {row.question_id: row for row in ConsultationAnswer.objects.filter(engagement=engagement)}
    assert stored[questions["scale"].pk].value == "3"
    assert stored[questions["text"].pk].may_quote is True


def test_a_missing_answer_on_the_page_is_shown_against_its_question_and_nothing_is_saved(
    client, consultation, questions
):
    engagement = make_engagement(consultation)
    client.force_login(engagement.member)
    response = client.post(
        f"/voices/engagements/{engagement.pk}/questionnaire/", {field_name(questions["scale"].pk): "9"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert field_name(questions["choice"].pk) in form.errors and field_name(questions["scale"].pk) in form.errors
    assert not ConsultationAnswer.objects.exists()


def test_another_member_and_a_visitor_cannot_open_someones_questionnaire(client, consultation, questions):
    engagement = make_engagement(consultation)
    url = f"/voices/engagements/{engagement.pk}/questionnaire/"
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(make_member())
    assert client.get(url).status_code == 404
    assert client.post(url, {field_name(questions["yes_no"].pk): "yes"}).status_code == 404


def test_membership_staff_write_the_questions_on_the_admin_page(client, consultation, officer):
    sign_in_with_second_factor(client, officer)
    url = f"/admin/voices/opportunities/{consultation.pk}/questions/"
    refused = client.post(url, {"action": "add", "new-kind": "choice", "new-text": "Pick one", "new-choices": "A"})
    assert refused.status_code == 200 and "new-choices" in refused.content.decode()
    assert refused.context["add_form"].errors
    added = client.post(url, {"action": "add", "new-kind": "choice", "new-text": "Pick one", "new-choices": "A\nB"})
    assert added.status_code == 302
    question = ConsultationQuestion.objects.get(opportunity=consultation)
    editing = client.get(url, {"edit": question.pk}).content.decode()
    assert 'value="update"' in editing and "Pick one" in editing
    client.post(url, {"action": "update", "question": question.pk, "edit-kind": "yes_no", "edit-text": "Agree?"})
    assert ConsultationQuestion.objects.get(pk=question.pk).kind == "yes_no"
    client.post(url, {"action": "remove", "question": question.pk})
    assert not ConsultationQuestion.objects.filter(opportunity=consultation).exists()


def test_the_admin_page_offers_no_changes_once_answered(client, consultation, questions, officer):
    answer(make_engagement(consultation), questions)
    sign_in_with_second_factor(client, officer)
    url = f"/admin/voices/opportunities/{consultation.pk}/questions/"
    html = client.get(url).content.decode()
    assert 'value="add"' not in html and 'value="remove"' not in html
    client.post(url, {"action": "remove", "question": questions["text"].pk})
    assert ConsultationQuestion.objects.filter(pk=questions["text"].pk).exists()


def test_staff_without_the_membership_role_are_refused_the_questions_page(client, consultation):
    sign_in_with_second_factor(client, UserFactory(groups=["Finance"], is_staff=True))
    url = f"/admin/voices/opportunities/{consultation.pk}/questions/"
    for response in (client.get(url), client.post(url, {"action": "add", "new-kind": "text", "new-text": "Hi?"})):
        # Wagtail turns the 403 into a redirect to the admin home with "no permission".
        assert response.status_code == 403 or response["Location"] == "/admin/"
    assert not ConsultationQuestion.objects.exists()


def test_the_questions_page_of_an_opportunity_that_is_not_a_consultation_is_404(client, officer):
    talk = make_opportunity(request=make_request(kind=Kind.TALK))
    sign_in_with_second_factor(client, officer)
    assert client.get(f"/admin/voices/opportunities/{talk.pk}/questions/").status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_answers_sent_twice_at_once_are_stored_once():
    import threading  # noqa: PLC0415

    from django.db import connection  # noqa: PLC0415

    officer = UserFactory()
    opportunity = make_opportunity(request=make_request(kind=Kind.CONSULTATION))
    question = question_add(opportunity=opportunity, actor=officer, kind="yes_no", text="Again?")
    engagement = make_engagement(opportunity)
    barrier, outcomes = threading.Barrier(2), []

    def send():
        try:
            barrier.wait()
            outcomes.append(
                answers_submit(member=engagement.member, engagement=engagement, answers={question.pk: "yes"})
            )
        except Exception as error:  # noqa: BLE001 - any failure is the test's answer
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(outcome, list) for outcome in outcomes), outcomes
    assert list(ConsultationAnswer.objects.filter(engagement=engagement).values_list("value", flat=True)) == ["yes"]


def test_a_contact_of_the_requests_partner_reads_the_results_and_another_partner_gets_404(rf):
    from django.http import Http404  # noqa: PLC0415

    from voices.views_consultation import partner_results  # noqa: PLC0415 - not routed yet

    contact = PartnerContactFactory()
    opportunity = make_opportunity(request=make_request(kind=Kind.CONSULTATION, partner=contact.organisation))
    question = question_add(opportunity=opportunity, actor=UserFactory(), kind="yes_no", text="Worth it?")
    for _ in range(3):
        engagement = make_engagement(opportunity)
        answers_submit(member=engagement.member, engagement=engagement, answers={question.pk: "yes"})
    request = rf.get("/")
    request.user = contact.user
    response = partner_results(request, opportunity.request_id)
    assert response.status_code == 200 and "Worth it?" in response.content.decode()
    request.user = PartnerContactFactory().user
    with pytest.raises(Http404):
        partner_results(request, opportunity.request_id)
