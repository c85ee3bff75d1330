"""Mailings in the Wagtail admin (issue 18, item 3): schedule a newsletter to a list, follow its
sending on a progress bar, pause, resume, cancel.

Who: Communications (and superusers), checked in every view (accounts.roles), not only by
hiding the menu item. The screens show counts, never an address."""

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.roles import COMMUNICATIONS, role_required
from core.listing import listing_page
from newsletters.models import Delivery, Mailing, MailingList, NewsletterPage
from newsletters.services import sending

ACTIVE = (Mailing.Status.SCHEDULED, Mailing.Status.SENDING, Mailing.Status.PAUSED, Mailing.Status.SENT)


class MailingScheduleForm(forms.Form):
    newsletter = forms.ModelChoiceField(
        label=gettext_lazy("Newsletter"),
        queryset=NewsletterPage.objects.live().order_by("-first_published_at", "-pk"),
        help_text=gettext_lazy("Published newsletters only: the email is the published version."),
    )
    mailing_list = forms.ModelChoiceField(label=gettext_lazy("List"), queryset=MailingList.objects.order_by("name"))
    send_at = forms.DateTimeField(
        label=gettext_lazy("Send at"),
        help_text=gettext_lazy("Leave as it is to send now. The newsletter’s text is taken when sending starts."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean(self):
        cleaned = super().clean()
        newsletter, mailing_list = cleaned.get("newsletter"), cleaned.get("mailing_list")
        if newsletter is None or mailing_list is None:
            return cleaned
        if mailing_list.language != newsletter.locale.language_code:
            self.add_error(
                "mailing_list",
                _("This list is for readers of another language. Choose the list of the newsletter’s language."),
            )
        elif Mailing.objects.filter(newsletter=newsletter, mailing_list=mailing_list, status__in=ACTIVE).exists():
            self.add_error(
                "mailing_list",
                _("This newsletter is already scheduled or sent to this list. Cancel that mailing first to change it."),
            )
        return cleaned


@role_required(COMMUNICATIONS)
def mailings(request):
    """Every mailing, newest first, with its progress."""
    rows = (
        Mailing.objects.select_related("newsletter", "mailing_list")
        .annotate(
            recipients=Count("deliveries"),
            sent=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
        )
        .order_by("-send_at", "-pk")
    )
    page = listing_page(request, rows)
    return render(request, "newsletters_admin/mailings.html", {"mailings": page, "page": page})


@role_required(COMMUNICATIONS)
def mailing_new(request):
    """Schedule a newsletter (`?page=<id>` chooses it) to a list, now or later."""
    if request.method == "POST":
        form = MailingScheduleForm(request.POST)
        if form.is_valid():
            mailing = sending.mailing_schedule(
                newsletter=form.cleaned_data["newsletter"],
                mailing_list=form.cleaned_data["mailing_list"],
                send_at=form.cleaned_data["send_at"],
                actor=request.user,
            )
            messages.success(request, _("Mailing scheduled."))
            return redirect("newsletters_admin:mailing_detail", pk=mailing.pk)
    else:
        initial = {"send_at": timezone.localtime().replace(second=0, microsecond=0)}
        page_id = request.GET.get("page", "")
        chosen = NewsletterPage.objects.live().filter(pk=page_id).first() if page_id.isdigit() else None
        if chosen is not None:
            initial |= {"newsletter": chosen, "mailing_list": chosen.mailing_list}
        form = MailingScheduleForm(initial=initial)
    return render(request, "newsletters_admin/mailing_new.html", {"form": form})


def _mailing(pk: int) -> Mailing:
    return get_object_or_404(Mailing.objects.select_related("newsletter", "mailing_list"), pk=pk)


@role_required(COMMUNICATIONS)
def mailing_detail(request, pk: int):
    """One mailing: its state, a progress bar (updated while it sends), and the buttons that
    apply to its state."""
    mailing = _mailing(pk)
    return render(
        request,
        "newsletters_admin/mailing_detail.html",
        {
            "mailing": mailing,
            "progress": sending.mailing_progress(mailing),
            "live": mailing.status in (Mailing.Status.SCHEDULED, Mailing.Status.SENDING),
            "status_url": reverse("newsletters_admin:mailing_status", args=[mailing.pk]),
        },
    )


@role_required(COMMUNICATIONS)
def mailing_status(request, pk: int):
    """The progress as JSON, for static/js/bulk-progress.js (its "done" stops the polling)."""
    mailing = _mailing(pk)
    progress = sending.mailing_progress(mailing)
    live = mailing.status in (Mailing.Status.SCHEDULED, Mailing.Status.SENDING)
    return JsonResponse(
        {
            "status": mailing.status if live else "done",
            "label": mailing.get_status_display(),
            "done": progress.done,
            "total": progress.total,
            "percent": progress.percent,
        }
    )


def _change(request, pk: int, change, done_message: str):
    mailing = _mailing(pk)
    try:
        change(mailing=mailing, actor=request.user)
    except sending.MailingStateError:
        messages.error(request, _("The mailing has moved on since this page was shown: nothing was changed."))
    else:
        messages.success(request, done_message)
    return redirect("newsletters_admin:mailing_detail", pk=mailing.pk)


@require_POST
@role_required(COMMUNICATIONS)
def mailing_pause(request, pk: int):
    return _change(request, pk, sending.mailing_pause, _("Paused. Nobody else gets it until you resume."))


@require_POST
@role_required(COMMUNICATIONS)
def mailing_resume(request, pk: int):
    return _change(request, pk, sending.mailing_resume, _("Resumed. Nobody already sent gets it twice."))


@require_POST
@role_required(COMMUNICATIONS)
def mailing_cancel(request, pk: int):
    return _change(request, pk, sending.mailing_cancel, _("Cancelled. Nobody else gets it."))
