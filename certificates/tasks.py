"""Certificate tasks: each runs the service of the same name (`certificates.delivery`), takes
primary keys and is idempotent."""

from django.tasks import task

from certificates import delivery


@task
def certificate_render(*, certificate_id: int, send_email: bool = True, attempt: int = 0) -> str:
    """`certificate_render`: render and store the PDF, then email it to the holder once."""
    return delivery.certificate_render(certificate_id=certificate_id, send_email=send_email, attempt=attempt)


@task
def certificate_render_batch(*, certificate_ids: list[int]) -> dict[str, int]:
    """`certificate_render_batch`: `certificate_render` for several certificates of a bulk issue."""
    return delivery.certificate_render_batch(certificate_ids=certificate_ids)


@task
def certificate_revoked_send(*, certificate_id: int) -> str:
    """`certificate_revoked_send`: tell the holder their certificate was revoked. Sends one email."""
    return delivery.certificate_revoked_send(certificate_id=certificate_id)


@task
def certificate_bulk_issue(*, job_id: int) -> int:
    """`certificate_bulk_issue`: issue to everyone who qualifies for the job's source."""
    return delivery.certificate_bulk_issue(job_id=job_id)
