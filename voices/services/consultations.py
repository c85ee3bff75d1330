"""Consultations: a short questionnaire on a consultation opportunity, answered by the members
chosen for it (each one an engagement, paid like any other), and the aggregated results the
organisation receives.

Rules:
- questions are written by Membership staff, and only while nobody has answered (an answer must
  always mean what the question said when it was given);
- only the engagement's member answers, once their engagement is confirmed (or completed);
  every question must be answered, except free text, which may be left blank; answering again
  replaces the earlier answers until the engagement is completed, after which they are final;
- the organisation sees aggregates only (`consultation_results`), nothing at all under
  `MIN_PARTICIPANTS`, and the text of free-text answers only where the author allowed quoting,
  sorted by text so that no order links an answer to a person.

Lock order (as in engagements.py): the opportunity row, then the engagement row. Question
changes and answer submissions both take the opportunity's lock, so a question cannot change
while someone's answers are being saved against it.

No email is sent here; the audit log records ids and counts only, never an answer.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from core.audit import audit_record
from voices.models import ConsultationAnswer, ConsultationQuestion, Engagement, Kind, Opportunity

QuestionKind = ConsultationQuestion.QuestionKind

MIN_PARTICIPANTS = 3  # fewer, and one person's answers could be told apart
MIN_CHOICES = 2
MAX_CHOICES = 12
SCALE = range(1, 6)
YES, NO = "yes", "no"
TEXT_MAX_LENGTH = 2000
ANSWERABLE = (Engagement.Status.CONFIRMED, Engagement.Status.COMPLETED)


def field_name(question_id: int) -> str:
    """The form field (and error key) of a question's answer."""
    return f"question_{question_id}"


def quote_field_name(question_id: int) -> str:
    return f"quote_{question_id}"


# Questions (Membership staff).


def _lock_for_editing(opportunity: Opportunity) -> Opportunity:
    """The opportunity, locked; refuses one that is not a consultation or already answered."""
    opportunity = Opportunity.objects.select_for_update().select_related("request").get(pk=opportunity.pk)
    if opportunity.request.kind != Kind.CONSULTATION:
        raise ValidationError(_("Only a consultation has a questionnaire."), code="not_consultation")
    if ConsultationAnswer.objects.filter(question__opportunity=opportunity).exists():
        raise ValidationError(
            _("Someone has already answered, so the questions can no longer change."), code="answered"
        )
    return opportunity


def questions_locked(opportunity: Opportunity) -> bool:
    """True once anyone has answered: the questions can no longer change."""
    return ConsultationAnswer.objects.filter(question__opportunity=opportunity).exists()


def _cleaned_question(kind: str, text: str, choices: str) -> tuple[str, str, str]:
    """(kind, text, choices) ready to store, or a ValidationError keyed by field."""
    if kind not in QuestionKind.values:
        raise ValidationError({"kind": _("Choose the kind of question.")})
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the question.")})
    if kind != QuestionKind.CHOICE:
        return kind, text, ""
    lines, seen = [], set()
    for line in choices.splitlines():
        line = line.strip()
        if line and line.casefold() not in seen:  # "Yes" and "yes" are one choice
            seen.add(line.casefold())
            lines.append(line)
    if len(lines) < MIN_CHOICES:
        raise ValidationError({"choices": _("Write at least two different choices, one per line.")})
    if len(lines) > MAX_CHOICES:
        raise ValidationError({"choices": _("Keep to %(most)s choices at most.") % {"most": MAX_CHOICES}})
    if any(len(line) > 200 for line in lines):
        raise ValidationError({"choices": _("Keep each choice under 200 characters.")})
    return kind, text, "\n".join(lines)


@transaction.atomic
def question_add(*, opportunity: Opportunity, actor, kind: str, text: str, choices: str = "") -> ConsultationQuestion:
    """Add a question at the end of the questionnaire. Refuses a non-consultation, an answered
    questionnaire, an unknown kind, an empty question, a choice question with fewer than two
    choices. Sends no email."""
    opportunity = _lock_for_editing(opportunity)
    kind, text, choices = _cleaned_question(kind, text, choices)
    last = ConsultationQuestion.objects.filter(opportunity=opportunity).aggregate(last=Max("order"))["last"]
    question = ConsultationQuestion.objects.create(
        opportunity=opportunity, order=0 if last is None else last + 1, kind=kind, text=text, choices=choices
    )
    audit_record(actor=actor, action="voices.question_added", obj=question, kind=kind)
    return question


@transaction.atomic
def question_update(
    *, question: ConsultationQuestion, actor, kind: str, text: str, choices: str = ""
) -> ConsultationQuestion:
    """Change a question's kind, wording or choices, with the same refusals as `question_add`."""
    _lock_for_editing(question.opportunity)
    question = ConsultationQuestion.objects.get(pk=question.pk)
    question.kind, question.text, question.choices = _cleaned_question(kind, text, choices)
    question.save(update_fields=["kind", "text", "choices"])
    audit_record(actor=actor, action="voices.question_changed", obj=question, kind=question.kind)
    return question


@transaction.atomic
def question_delete(*, question: ConsultationQuestion, actor) -> None:
    """Remove a question (only while nobody has answered). Idempotent: a question already
    removed (a double click) is nothing to do."""
    _lock_for_editing(question.opportunity)
    current = ConsultationQuestion.objects.filter(pk=question.pk).first()
    if current is None:
        return
    audit_record(actor=actor, action="voices.question_removed", obj=current)
    current.delete()


@transaction.atomic
def question_move(*, question: ConsultationQuestion, actor, up: bool) -> None:
    """Swap a question with the one before (`up`) or after it; nothing at either end. Orders
    are renumbered 0, 1, 2… so that ties from older rows cannot stall a move."""
    opportunity = _lock_for_editing(question.opportunity)
    ordered = list(ConsultationQuestion.objects.filter(opportunity=opportunity).order_by("order", "pk"))
    index = next((i for i, row in enumerate(ordered) if row.pk == question.pk), None)
    if index is None:
        return
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, row in enumerate(ordered):
        row.order = position
    ConsultationQuestion.objects.bulk_update(ordered, ["order"])
    audit_record(actor=actor, action="voices.question_moved", obj=question)


# Answers (the engagement's member).


def _cleaned_value(question: ConsultationQuestion, value) -> str:
    """The value to store for `question`, or a ValidationError saying what is wrong."""
    value = "" if value is None else str(value).strip()
    if question.kind == QuestionKind.TEXT:
        if len(value) > TEXT_MAX_LENGTH:
            raise ValidationError(
                _("Keep this answer under %(most)s characters.") % {"most": TEXT_MAX_LENGTH}, code="too_long"
            )
        return value
    if not value:
        raise ValidationError(_("Answer this question."), code="required")
    if question.kind == QuestionKind.CHOICE and value in question.choice_list:
        return value
    if question.kind == QuestionKind.SCALE and value in {str(point) for point in SCALE}:
        return value
    if question.kind == QuestionKind.YES_NO and value in (YES, NO):
        return value
    raise ValidationError(_("Choose one of the answers offered."), code="invalid_choice")


@transaction.atomic
def answers_submit(
    *, member, engagement: Engagement, answers: dict[int, str], may_quote: dict[int, bool] | None = None
) -> list[ConsultationAnswer]:
    """Save `member`'s answers to their consultation (`answers` by question id; `may_quote` by
    question id, for free-text answers only: True lets the organisation read the text, never
    with a name).

    Refuses anyone but the engagement's member, an engagement that is not a consultation's, one
    not confirmed (or completed), an answer to a question of another questionnaire, a missing
    answer (free text may be blank), and a value that is not one offered (a choice from the
    list, 1 to 5, yes or no). Errors are keyed by `field_name(question id)`.

    Answering again before the engagement is completed replaces every earlier answer; after,
    answers are final. A double click saves the same answers twice: the same result. Sends no
    email; the audit log records only how many questions were answered."""
    opportunity = Opportunity.objects.select_for_update().select_related("request").get(pk=engagement.opportunity_id)
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.member_id != member.pk:
        raise ValidationError(_("This is not your engagement."), code="not_yours")
    if opportunity.request.kind != Kind.CONSULTATION:
        raise ValidationError(_("This engagement has no questionnaire."), code="not_consultation")
    if engagement.status not in ANSWERABLE:
        raise ValidationError(_("You can answer once you have confirmed that you are taking part."), code="not_open")
    already = ConsultationAnswer.objects.filter(engagement=engagement)
    if engagement.status == Engagement.Status.COMPLETED and already.exists():
        raise ValidationError(_("This consultation is finished; your answers have been kept."), code="final")
    questions = list(ConsultationQuestion.objects.filter(opportunity=opportunity))
    if not questions:
        raise ValidationError(_("There are no questions to answer yet."), code="no_questions")
    known = {question.pk for question in questions}
    answers = {int(key): value for key, value in answers.items()}
    may_quote = {int(key): bool(value) for key, value in (may_quote or {}).items()}
    if set(answers) - known or set(may_quote) - known:
        raise ValidationError(_("These answers are for another questionnaire."), code="unknown_question")
    errors, rows = {}, []
    for question in questions:
        try:
            value = _cleaned_value(question, answers.get(question.pk))
        except ValidationError as error:
            errors[field_name(question.pk)] = error
            continue
        quotable = question.kind == QuestionKind.TEXT and bool(value) and may_quote.get(question.pk, False)
        rows.append(ConsultationAnswer(engagement=engagement, question=question, value=value, may_quote=quotable))
    if errors:
        raise ValidationError(errors)
    replaced = already.exists()
    already.delete()
    saved = ConsultationAnswer.objects.bulk_create(rows)
    audit_record(
        actor=member, action="voices.consultation_answered", obj=engagement, questions=len(rows), replaced=replaced
    )
    return saved


def answers_of(engagement: Engagement) -> dict[int, ConsultationAnswer]:
    """The engagement's own answers by question id (for its member's form only)."""
    return {answer.question_id: answer for answer in ConsultationAnswer.objects.filter(engagement=engagement)}


# Results (the organisation, and staff).


@dataclass(frozen=True)
class QuestionResult:
    question: ConsultationQuestion
    answered: int  # how many participants answered (free text: how many wrote something)
    counts: list[tuple[str, int]] = field(default_factory=list)  # choice or yes/no label, count
    distribution: list[tuple[int, int]] = field(default_factory=list)  # scale point, count
    mean: Decimal | None = None
    quotes: list[str] = field(default_factory=list)  # only those allowed, sorted by text


@dataclass(frozen=True)
class ConsultationResults:
    participants: int
    shown: bool  # False below MIN_PARTICIPANTS: nothing else is filled in
    questions: list[QuestionResult] = field(default_factory=list)
    minimum: int = MIN_PARTICIPANTS


def consultation_results(opportunity: Opportunity) -> ConsultationResults:
    """What the organisation may read: how many took part; per question the count of each
    choice (or yes and no), the scale's distribution and mean, and the free-text answers whose
    author allowed quoting, sorted by their text (never by time or id). Nothing at all while
    fewer than `MIN_PARTICIPANTS` have answered. Never who said what: no answer here carries
    its engagement or member. Only engagements still confirmed or completed count (a member who
    withdrew is left out). Four queries."""
    included = ConsultationAnswer.objects.filter(question__opportunity=opportunity, engagement__status__in=ANSWERABLE)
    participants = included.values("engagement_id").distinct().count()
    if participants < MIN_PARTICIPANTS:
        return ConsultationResults(participants=participants, shown=False)
    questions = list(ConsultationQuestion.objects.filter(opportunity=opportunity))
    tallies: dict[int, dict[str, int]] = {}
    for row in (
        included.exclude(question__kind=QuestionKind.TEXT)
        .values("question_id", "value")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        tallies.setdefault(row["question_id"], {})[row["value"]] = row["count"]
    written: dict[int, int] = {}
    quotes: dict[int, list[str]] = {}
    for question_id, value, may_quote in (
        included.filter(question__kind=QuestionKind.TEXT)
        .exclude(value="")
        .values_list("question_id", "value", "may_quote")
    ):
        written[question_id] = written.get(question_id, 0) + 1
        if may_quote:
            quotes.setdefault(question_id, []).append(value)
    return ConsultationResults(
        participants=participants,
        shown=True,
        questions=[_question_result(question, tallies.get(question.pk, {}), written, quotes) for question in questions],
    )


def _question_result(question, tally: dict[str, int], written: dict[int, int], quotes: dict[int, list[str]]):
    if question.kind == QuestionKind.TEXT:
        return QuestionResult(
            question=question,
            answered=written.get(question.pk, 0),
            quotes=sorted(quotes.get(question.pk, []), key=lambda text: (text.casefold(), text)),
        )
    answered = sum(tally.values())
    if question.kind == QuestionKind.SCALE:
        distribution = [(point, tally.get(str(point), 0)) for point in SCALE]
        total = sum(point * count for point, count in distribution)
        mean = (Decimal(total) / answered).quantize(Decimal("0.1"), ROUND_HALF_UP) if answered else None
        return QuestionResult(question=question, answered=answered, distribution=distribution, mean=mean)
    if question.kind == QuestionKind.YES_NO:
        counts = [(_("Yes"), tally.get(YES, 0)), (_("No"), tally.get(NO, 0))]
    else:
        counts = [(choice, tally.get(choice, 0)) for choice in question.choice_list]
    return QuestionResult(question=question, answered=answered, counts=counts)
