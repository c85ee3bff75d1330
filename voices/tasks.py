"""Survivor voices' tasks: thin wrappers around `voices.emails`, taking primary keys only."""

from django.tasks import task

from voices import emails


@task
def voice_request_received_send(*, request_id: int) -> None:
    emails.voice_request_received_send(request_id=request_id)


@task
def engagement_offered_send(*, engagement_id: int) -> None:
    emails.engagement_offered_send(engagement_id=engagement_id)


@task
def engagement_briefs_send(*, engagement_id: int) -> None:
    emails.engagement_briefs_send(engagement_id=engagement_id)


@task
def engagement_withdrawn_send(*, engagement_id: int, tell_organisation: bool) -> None:
    emails.engagement_withdrawn_send(engagement_id=engagement_id, tell_organisation=tell_organisation)


@task
def engagement_feedback_send(*, engagement_id: int) -> None:
    emails.engagement_feedback_send(engagement_id=engagement_id)
