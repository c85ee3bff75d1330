"""Consultations: staff write the questionnaire (admin), the engagement's member answers it, the
organisation reads the aggregated results by its request's private link.

Who sees what: the questionnaire and a member's own answers, only that member (404 for anyone
else, as if the engagement did not exist); the results, only aggregates and the quotes their
authors allowed, never who said what (voices.services.consultations.consultation_results)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.models import PartnerContact
from accounts.roles import MEMBERSHIP, role_required
from accounts.tokens import token_hash
from voices.forms_consultation import QuestionForm, QuestionnaireForm
from voices.models import ConsultationQuestion, Engagement, Kind, Opportunity, VoiceRequest
from voices.services.consultations import (
    ANSWERABLE,
    MIN_PARTICIPANTS,
    answers_of,
    answers_submit,
    consultation_results,
    question_add,
    question_delete,
    question_move,
    question_update,
    questions_locked,
)


def _add_service_error(form, error: ValidationError) -> None:
    """Put a service's error on the form: on its fields when the form has them all, else on top
    (the questions changed between showing the form and saving it)."""
    if hasattr(error, "error_dict") and not set(error.error_dict) <= set(form.fields):
        form.add_error(None, _("The questions have just changed. Check your answers and send them again."))
    else:
        form.add_error(None, error)


# Staff: the questionnaire of a consultation.


@role_required(MEMBERSHIP)
@require_http_methods(["GET", "HEAD", "POST"])
def questions(request, pk: int):
    """List, add, edit, reorder and remove the questions of a consultation; read-only once
    anyone has answered. A 404 for an opportunity that is not a consultation."""
    opportunity = get_object_or_404(
        Opportunity.objects.select_related("request"), pk=pk, request__kind=Kind.CONSULTATION
    )
    add_form = QuestionForm(prefix="new")
    edit_form, editing = None, None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add":
            add_form = QuestionForm(request.POST, prefix="new")
            if add_form.is_valid():
                try:
                    question_add(opportunity=opportunity, actor=request.user, **add_form.cleaned_data)
                except ValidationError as error:
                    add_form.add_error(None, error)
                else:
                    messages.success(request, _("Question added."))
                    return redirect(request.path)
        else:
            question = ConsultationQuestion.objects.filter(
                opportunity=opportunity, pk=request.POST.get("question") or 0
            ).first()
            if question is None and action != "remove":
                raise Http404
            try:
                if action == "update":
                    edit_form, editing = QuestionForm(request.POST, prefix="edit"), question
                    if edit_form.is_valid():
                        question_update(question=question, actor=request.user, **edit_form.cleaned_data)
                        messages.success(request, _("Question saved."))
                        return redirect(request.path)
                elif action == "remove":
                    if question is not None:
                        question_delete(question=question, actor=request.user)
                    messages.success(request, _("Question removed."))
                    return redirect(request.path)
                elif action in ("up", "down"):
                    question_move(question=question, actor=request.user, up=action == "up")
                    return redirect(request.path)
                else:
                    raise Http404
            except ValidationError as error:
                if edit_form is not None:
                    edit_form.add_error(None, error)
                else:
                    messages.error(request, " ".join(error.messages))
                    return redirect(request.path)
    elif request.GET.get("edit", "").isdigit():
        editing = ConsultationQuestion.objects.filter(opportunity=opportunity, pk=request.GET["edit"]).first()
        if editing is not None:
            edit_form = QuestionForm.for_question(editing, prefix="edit")
    return render(
        request,
        "voices_admin/questions.html",
        {
            "opportunity": opportunity,
            "questions": ConsultationQuestion.objects.filter(opportunity=opportunity),
            "locked": questions_locked(opportunity),
            "add_form": add_form,
            "edit_form": edit_form,
            "editing": editing,
            "results": consultation_results(opportunity),
        },
    )


# The member: their questionnaire.


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def questionnaire(request, pk: int):
    """The engagement's member answers (or changes their answers until the consultation is
    finished). 404 for anyone else and for an engagement that is not a consultation's."""
    engagement = get_object_or_404(
        Engagement.objects.select_related("opportunity__request"),
        pk=pk,
        member=request.user,
        opportunity__request__kind=Kind.CONSULTATION,
    )
    questions = list(ConsultationQuestion.objects.filter(opportunity_id=engagement.opportunity_id))
    answers = answers_of(engagement)
    can_answer = bool(questions) and (
        engagement.status == Engagement.Status.CONFIRMED or (engagement.status in ANSWERABLE and not answers)
    )
    form = None
    if can_answer:
        form = QuestionnaireForm(questions, request.POST or None, answers=answers)
        if request.method == "POST" and form.is_valid():
            try:
                answers_submit(
                    member=request.user, engagement=engagement, answers=form.answers(), may_quote=form.may_quote()
                )
            except ValidationError as error:
                _add_service_error(form, error)
            else:
                messages.success(request, _("Thank you. Your answers are saved."))
                return redirect(request.path)
    response = render(
        request,
        "voices/questionnaire.html",
        {
            "engagement": engagement,
            "opportunity": engagement.opportunity,
            "form": form,
            "questions": questions,
            "own_answers": [(question, answers[question.pk]) for question in questions if question.pk in answers],
            "answered": bool(answers),
            "minimum": MIN_PARTICIPANTS,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


# The organisation: aggregated results by the request's private link, or signed in as a
# contact of the request's partner organisation.


def _results_response(request, voice_request: VoiceRequest, back_url: str):
    if voice_request.kind != Kind.CONSULTATION:
        raise Http404
    opportunity = Opportunity.objects.filter(request=voice_request).first()
    if opportunity is None:  # not published yet: nobody has been asked
        raise Http404
    response = render(
        request,
        "voices/consultation_results.html",
        {
            "voice_request": voice_request,
            "opportunity": opportunity,
            "results": consultation_results(opportunity),
            "back_url": back_url,
        },
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
def results(request, token: str):
    """Aggregated answers for whoever holds the request's status link. 404 for an unknown
    link, a request that is not a consultation, or one not yet published."""
    voice_request = get_object_or_404(VoiceRequest, token_hash=token_hash(token))
    return _results_response(request, voice_request, reverse("voices:request_status", args=[token]))


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def partner_results(request, pk: int):
    """The same results for a signed-in contact of the request's partner organisation (404 for
    anyone else, as for an unknown request)."""
    contact = PartnerContact.objects.filter(user=request.user).first()
    if contact is None:
        raise Http404
    voice_request = get_object_or_404(VoiceRequest, pk=pk, partner_id=contact.organisation_id)
    return _results_response(request, voice_request, reverse("voices:partner_request", args=[pk]))
