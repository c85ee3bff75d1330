"""Writing a newsletter in the Wagtail admin: the email as it will be sent (HTML and plain
text) and "send me a test", for the page's latest saved version (a draft included).

Who: anyone who may edit the newsletter page (Wagtail's page permissions), checked in each
view. The test copy goes to the signed-in editor's own address only, never to a list; an
editor in discreet mode gets it with the neutral sender and subject, as every email to them.
"""

import logging
import smtplib

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.email import neutral_sender, user_wants_discretion
from core.personal_data import is_erased_email
from newsletters.models import NewsletterPage
from newsletters.rendering import email_preview_csp, newsletter_render

logger = logging.getLogger(__name__)


def _draft_for(request, page_id: int) -> tuple[NewsletterPage, NewsletterPage]:
    """(the page, its latest saved version) if the signed-in user may edit it; 403 otherwise."""
    page = get_object_or_404(NewsletterPage, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return page, page.get_latest_revision_as_object()


def compose(request, page_id: int):
    """The newsletter's email: subject, list, warnings, previews, and the test button."""
    page, draft = _draft_for(request, page_id)
    subject, _html, _text = newsletter_render(draft)
    return render(
        request,
        "newsletters/admin/compose.html",
        {
            "page": page,
            "draft": draft,
            "subject": subject,
            "mismatch": draft.list_language_mismatch(),
            "discreet": user_wants_discretion(request.user),
            "has_draft": page.has_unpublished_changes,
        },
    )


def email_preview(request, page_id: int):
    """The HTML email itself (a placeholder unsubscribe link), under a policy that lets its
    inline styles apply and nothing run."""
    _page, draft = _draft_for(request, page_id)
    _subject, html, _text = newsletter_render(draft)
    response = HttpResponse(html)
    response._csp_config = email_preview_csp()
    return response


def email_preview_text(request, page_id: int):
    _page, draft = _draft_for(request, page_id)
    _subject, _html, text = newsletter_render(draft)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@require_POST
def send_test(request, page_id: int):
    """Email the latest saved version to the signed-in editor, and no one else. Sends email."""
    page, draft = _draft_for(request, page_id)
    address = request.user.email
    if not address or is_erased_email(address):
        messages.error(request, _("Your account has no email address to send the test to."))
        return redirect("newsletters_compose:test", page.pk)
    discreet = user_wants_discretion(request.user)
    subject, html, text = newsletter_render(draft, discreet=discreet)
    message = EmailMultiAlternatives(
        subject=subject if discreet else _("Test: %(subject)s") % {"subject": subject},
        body=text,
        from_email=neutral_sender() if discreet else settings.DEFAULT_FROM_EMAIL,
        to=[address],
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("newsletter test copy of page %s not sent (%s)", page.pk, type(error).__name__)
        messages.error(request, _("The test could not be sent just now. Try again in a few minutes."))
    else:
        messages.success(request, _("A test copy is on its way to %(address)s.") % {"address": address})
    return redirect("newsletters_compose:test", page.pk)
