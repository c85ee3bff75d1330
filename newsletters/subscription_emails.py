"""The emails of subscribing: the double opt-in confirmation and "you are already subscribed".
Both go only to the address that was typed, through core.email.email_send (discreet mode:
neutral sender and subject, and the body names no list), in the language the form was used
in unless the address's account chose one."""

from django.utils.translation import gettext_lazy as _

from core.email import email_send
from core.i18n import language_of
from newsletters.models import Subscription
from newsletters.services import subscriptions  # a module: it imports this one's tasks
from newsletters.tokens import CONFIRM_MAX_AGE, confirm_url, unsubscribe_url


def subscription_confirm_send(*, subscription_id: int) -> None:
    """The link that confirms the lists of one request (see services.subscriptions.request_batch).
    Nothing when they are no longer waiting (confirmed meanwhile, unsubscribed, erased)."""
    subscription = Subscription.objects.filter(pk=subscription_id, status=Subscription.Status.PENDING).first()
    if subscription is None:
        return
    names = [row.mailing_list.name for row in subscriptions.request_batch(subscription)]
    with language_of(subscription.email, subscription.language):
        link = confirm_url(subscription)
    email_send(
        to=[subscription.email],
        subject=_("Please confirm your subscription"),
        template="newsletter_confirm",
        context={"confirm_url": link, "lists": names, "days": CONFIRM_MAX_AGE // (24 * 3600)},
        language=subscription.language,
    )


def subscription_already_send(*, subscription_id: int) -> None:
    """Someone asked again for lists this address is already on: tell its owner, with the
    list's unsubscribe link. Nothing once it is no longer confirmed."""
    subscription = Subscription.objects.filter(pk=subscription_id, status=Subscription.Status.CONFIRMED).first()
    if subscription is None:
        return
    with language_of(subscription.email, subscription.language):
        link = unsubscribe_url(subscription)
    email_send(
        to=[subscription.email],
        subject=_("You are already subscribed"),
        template="newsletter_already_subscribed",
        context={"unsubscribe_url": link, "list_name": subscription.mailing_list.name},
        language=subscription.language,
    )
