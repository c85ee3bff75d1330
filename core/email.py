"""The one way Thrive sends email.

Every message is rendered from `templates/emails/<name>.txt` (and `.html` when present)
and sent through Django's default mailer. Discreet mode is applied here, so no caller can
bypass it: when any recipient is a member in discreet mode, or the caller says the message
is always discreet (referral invitations, which may reach a shared inbox), the sender name,
subject and preview text are neutral and the templates get `discreet=True`.
"""

from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from core.i18n import supported
from core.personal_data import is_erased_email

# The settings' neutral wording, in the catalogue so that each language has it.
gettext_noop("Notifications")
gettext_noop("You have a new message")


def neutral_sender() -> str:
    """ "Notifications <address>": the address is DISCREET_FROM_EMAIL's (a mailbox on a domain
    that does not name the network), else DEFAULT_FROM_EMAIL's."""
    _name, address = parseaddr(getattr(settings, "DISCREET_FROM_EMAIL", "") or settings.DEFAULT_FROM_EMAIL)
    return f"{gettext(settings.DISCREET_SENDER_NAME)} <{address}>"


def recipients_want_discretion(addresses: list[str]) -> bool:
    normalised = [address.strip().lower() for address in addresses]
    return get_user_model().objects.filter(email__in=normalised, member_profile__discreet_mode=True).exists()


def _recipients_preferences(addresses: list[str]) -> tuple[bool, str | None]:
    """(does any recipient want discretion, the first recipient's preferred language or None),
    in one query."""
    normalised = [address.strip().lower() for address in addresses]
    rows = (
        get_user_model()
        .objects.filter(email__in=normalised)
        .values_list("email", "member_profile__discreet_mode", "member_profile__preferred_language")
    )
    discreet, languages = False, {}
    for email, discreet_mode, language in rows:
        discreet = discreet or bool(discreet_mode)
        languages[email] = supported(language)
    return discreet, languages.get(normalised[0])


def user_wants_discretion(user) -> bool:
    """Has this account turned discreet mode on (neutral wording in emails and calendars)?"""
    return get_user_model().objects.filter(pk=user.pk, member_profile__discreet_mode=True).exists()


def email_send(
    *,
    to: list[str],
    subject: str,
    template: str,
    context: dict,
    always_discreet: bool = False,
    reply_to: list[str] | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
    language: str | None = None,
) -> None:
    """Render and send one email. Raises on delivery failure so a task can retry it.

    Erased addresses (`core.personal_data.erased_email`) are left out: a message with no
    other recipient is not sent (a task queued before an erasure, a reminder for an erased
    member's ticket), and the caller cannot tell; that is the point.

    Never put a venue, a course or an event name in `subject` for people who may be in
    discreet mode: the subject is replaced, the body is rendered with `discreet=True`.

    `language` is the language stored on the row the message is about (a guest's booking,
    order or application: the language they used then); it is used when the first recipient
    has no account that chose a language. The account's choice wins.
    """
    to = [address for address in to if not is_erased_email(address)]
    if not to:
        return
    wants_discretion, preferred = _recipients_preferences(to)
    discreet = always_discreet or wants_discretion
    # In the recipient's preferred language (the first recipient's: messages here go to one
    # person); else the language stored with what the message is about (`language`); else the
    # language active (the page's, or English in a task). `subject` may be lazy, so it is
    # translated here too.
    code = preferred or supported(language) or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(code):
        message = _render(to, subject, template, context, discreet, reply_to)
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    message.send()


def _render(to, subject, template, context, discreet, reply_to) -> EmailMultiAlternatives:
    context = context | {"discreet": discreet, "site_url": settings.SITE_URL}
    if discreet:
        subject = gettext(settings.DISCREET_SUBJECT)
        from_email = neutral_sender()
    else:
        from_email = settings.DEFAULT_FROM_EMAIL
    body = render_to_string(f"emails/{template}.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(str(subject).split()),
        body=body,
        from_email=from_email,
        to=to,
        reply_to=reply_to or [],
    )
    try:
        html = render_to_string(f"emails/{template}.html", context)
    except TemplateDoesNotExist:
        html = None
    if html:
        message.attach_alternative(html, "text/html")
    return message
