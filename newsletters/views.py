"""Newsletters' public pages: sign up, confirm (double opt-in), unsubscribe (RFC 8058 one-click),
and a member's own choices. Every page answers the same whether or not an address is known."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from core.guard import Verdict, guard_public_post
from core.i18n import active_language
from newsletters.forms import MemberListsForm, SubscribeForm
from newsletters.models import MailingList, Subscription
from newsletters.services import subscriptions as service
from newsletters.tokens import BadLink, read_confirm_token, read_unsubscribe_token

SUBSCRIBE_TEMPLATE = "newsletters/subscribe.html"


@never_cache
def subscribe(request):
    """GET: the lists offered in this page's language (members' and partners' lists only to
    them). POST: guarded (honeypot, rate limit: 429 with what was typed kept), then always the
    same "check your email" page, whether the address was new, waiting or already subscribed."""
    language = active_language()
    offered = service.offered_lists(language=language, user=request.user)
    if request.method != "POST":
        initial = {"email": request.user.email} if request.user.is_authenticated else {}
        form = SubscribeForm(offered=offered, initial=initial)
        return render(request, SUBSCRIBE_TEMPLATE, {"form": form, "has_lists": offered.exists()})
    form = SubscribeForm(request.POST, offered=offered)
    verdict = guard_public_post(request, form, scope="newsletter-subscribe", what="requests")
    if verdict is Verdict.ROBOT:
        return redirect("newsletters:subscribe_sent")
    if verdict is Verdict.PAUSED:
        return render(request, SUBSCRIBE_TEMPLATE, {"form": form, "has_lists": True}, status=429)
    if not form.is_valid():
        return render(request, SUBSCRIBE_TEMPLATE, {"form": form, "has_lists": offered.exists()})
    service.subscription_request(
        email=form.cleaned_data["email"],
        lists=form.cleaned_data["lists"],
        language=language,
        method=Subscription.Method.SIGN_UP_FORM,
        user=request.user,
    )
    # Post/redirect/get: a reload sends nothing again; the page is the same for every address.
    return redirect("newsletters:subscribe_sent")


@never_cache
def subscribe_sent(request):
    return render(request, "newsletters/subscribe_sent.html")


def _bad_link(request, template: str):
    return render(request, template, status=400)


@never_cache
def confirm(request, token: str):
    """GET shows what the link confirms and one button; only the POST confirms (mail scanners
    open links). A changed, foreign or week-old link: a plain message, 400, nothing changed."""
    try:
        subscription_id, email = read_confirm_token(token)
    except BadLink:
        return _bad_link(request, "newsletters/confirm_invalid.html")
    subscription = service.subscription_for_link(subscription_id, email)
    if subscription is None:
        return _bad_link(request, "newsletters/confirm_invalid.html")
    if request.method == "POST":
        confirmed = service.subscription_confirm(subscription=subscription, list_ids=_ids(request.POST.getlist("list")))
        if confirmed:
            return render(request, "newsletters/confirm_done.html", {"confirmed": confirmed})
    batch = list(service.request_batch(subscription))
    if not batch:
        subscription.refresh_from_db()
        return render(request, "newsletters/confirm_nothing.html", {"subscription": subscription})
    return render(request, "newsletters/confirm.html", {"batch": batch})


def _ids(values) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


@csrf_exempt  # RFC 8058: mailbox providers POST "List-Unsubscribe=One-Click" with no cookie
@never_cache
def unsubscribe(request, token: str):
    """POST (the one-click body, or this page's button) unsubscribes from the link's list at
    once and answers 200; GET shows one button. No sign-in, no CSRF token: the signed link is
    the authority. A changed link: a plain message, 400, nothing changed."""
    try:
        subscription_id, email = read_unsubscribe_token(token)
    except BadLink:
        return _bad_link(request, "newsletters/unsubscribe_invalid.html")
    subscription = service.subscription_for_link(subscription_id, email)
    if request.method == "POST":
        if subscription is not None:
            service.subscription_unsubscribe(subscription=subscription)
        return render(request, "newsletters/unsubscribe_done.html", {"subscription": subscription})
    if subscription is None or subscription.status == Subscription.Status.UNSUBSCRIBED:
        return render(request, "newsletters/unsubscribe_done.html", {"subscription": subscription})
    return render(request, "newsletters/unsubscribe.html", {"subscription": subscription})


@login_required
def account(request):
    """A member's own newsletters: the lists offered to them in this language and any they
    are on. Their verified sign-in address needs no email: a choice here is confirmed at once
    (services.subscriptions.member_choices_save)."""
    language = active_language()
    mine = service.member_subscriptions(request.user).exclude(status=Subscription.Status.UNSUBSCRIBED)
    offered = MailingList.objects.filter(
        pk__in=[*service.offered_lists(language=language, user=request.user).values_list("pk", flat=True)]
        + [*mine.values_list("mailing_list_id", flat=True)]
    )
    data = request.POST if request.method == "POST" else None  # an empty POST (nothing ticked) is a choice
    form = MemberListsForm(data, offered=offered, initial={"lists": [row.mailing_list_id for row in mine]})
    if request.method == "POST" and form.is_valid():
        waiting = service.member_choices_save(
            user=request.user, chosen=form.cleaned_data["lists"], offered=list(offered), language=language
        )
        if waiting:
            messages.success(request, _("Your choices are saved. Please confirm with the link we have emailed to you."))
        else:
            messages.success(request, _("Your choices are saved."))
        return redirect("newsletters:account")
    pending = [row for row in mine if row.status == Subscription.Status.PENDING]
    return render(request, "newsletters/account.html", {"form": form, "pending": pending, "subscriptions": mine})
