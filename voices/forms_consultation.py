"""Forms of consultations: a question (staff) and the questionnaire (the engagement's member).
The rules live in voices.services.consultations; these forms only shape the input (the
service checks every value again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from voices.models import ConsultationQuestion
from voices.services.consultations import (
    NO,
    SCALE,
    TEXT_MAX_LENGTH,
    YES,
    QuestionKind,
    field_name,
    quote_field_name,
)


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of question"), choices=QuestionKind.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("Question"), max_length=300)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only for a choice question: at least two, one per line."),
    )

    @classmethod
    def for_question(cls, question: ConsultationQuestion, data=None, prefix: str | None = None) -> "QuestionForm":
        initial = {"kind": question.kind, "text": question.text, "choices": question.choices}
        return cls(data, initial=initial, prefix=prefix)


def _scale_choices():
    labels = {SCALE[0]: _("1 (lowest)"), SCALE[-1]: _("5 (highest)")}
    return [(str(point), labels.get(point, str(point))) for point in SCALE]


class QuestionnaireForm(forms.Form):
    """One field per question, in the questionnaire's order; after each free-text answer, the
    member's tick allowing it to be quoted without their name (never ticked for them)."""

    def __init__(self, questions: list[ConsultationQuestion], *args, answers: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        answers = answers or {}
        for question in questions:
            previous = answers.get(question.pk)
            name = field_name(question.pk)
            self.fields[name] = self._field_for(question)
            if previous is not None:
                self.initial[name] = previous.value
            if question.kind == QuestionKind.TEXT:
                self.fields[quote_field_name(question.pk)] = forms.BooleanField(
                    label=_("You may quote this answer without my name"),
                    required=False,
                    help_text=_("Leave this empty and the organisation never reads what you wrote here."),
                )
                if previous is not None:
                    self.initial[quote_field_name(question.pk)] = previous.may_quote

    @staticmethod
    def _field_for(question: ConsultationQuestion) -> forms.Field:
        label = question.text
        if question.kind == QuestionKind.TEXT:
            return forms.CharField(
                label=label,
                required=False,
                max_length=TEXT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("You may leave this blank."),
            )
        if question.kind == QuestionKind.SCALE:
            choices = _scale_choices()
        elif question.kind == QuestionKind.YES_NO:
            choices = [(YES, _("Yes")), (NO, _("No"))]
        else:
            choices = [(choice, choice) for choice in question.choice_list]
        return forms.ChoiceField(
            label=label,
            choices=choices,
            widget=forms.RadioSelect,
            error_messages={"required": _("Answer this question.")},
        )

    def answers(self) -> dict[int, str]:
        return {question.pk: self.cleaned_data.get(field_name(question.pk), "") for question in self.questions}

    def may_quote(self) -> dict[int, bool]:
        return {
            question.pk: bool(self.cleaned_data.get(quote_field_name(question.pk)))
            for question in self.questions
            if question.kind == QuestionKind.TEXT
        }
