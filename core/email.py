"""The one way Thrive sends email.

Every message is rendered from `templates/emails/<name>.txt` (and `.html` when present)
and sent through Django's default mailer. Later features (discreet mode) add their rules
here, so no caller can bypass them.
"""

import contextlib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string


def email_send(*, to: list[str], subject: str, template: str, context: dict, reply_to: list[str] | None = None) -> None:
    """Render and send one email. Raises on delivery failure so a task can retry it."""
    body = render_to_string(f"emails/{template}.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to or [],
    )
    with contextlib.suppress(TemplateDoesNotExist):
        message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    message.send()
