"""Newsletters in the Wagtail admin: subscriber lists and mailing lists (this part), and the
mailing screens (added by the sending work, in their own functions below).

Subscribers are personal data: only Communications (and superusers) see them, checked here in
every view (accounts.roles), not only by hiding the menu item."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.roles import COMMUNICATIONS, role_required
from core.listing import listing_page, search
from newsletters.forms import MailingListForm
from newsletters.models import MailingList, Subscription

# Subscribers and mailing lists -------------------------------------------------------------


def _counted(queryset):
    status = Subscription.Status
    return queryset.annotate(
        confirmed=Count("subscriptions", filter=Q(subscriptions__status=status.CONFIRMED)),
        pending=Count("subscriptions", filter=Q(subscriptions__status=status.PENDING)),
        unsubscribed=Count("subscriptions", filter=Q(subscriptions__status=status.UNSUBSCRIBED)),
    )


@role_required(COMMUNICATIONS)
def mailing_lists(request):
    """Every list with its counts (confirmed, waiting, unsubscribed)."""
    rows = _counted(MailingList.objects.select_related("chapter")).order_by("name", "pk")
    return render(request, "newsletters_admin/lists.html", {"lists": rows})


@role_required(COMMUNICATIONS)
def subscribers(request, pk: int):
    """One list's addresses, each with its status and consent record (wording version, how,
    when asked, confirmed, unsubscribed); the wording itself on demand. Searchable by exact
    address."""
    mailing_list = get_object_or_404(_counted(MailingList.objects.all()), pk=pk)
    rows = mailing_list.subscriptions.order_by("-requested_at", "-pk")
    status = request.GET.get("status", "")
    if status in Subscription.Status.values:
        rows = rows.filter(status=status)
    page = listing_page(request, search(rows, request, ["email__iexact"]))
    return render(
        request,
        "newsletters_admin/subscribers.html",
        {
            "mailing_list": mailing_list,
            "subscriptions": page,
            "page": page,
            "statuses": Subscription.Status.choices,
            "status": status,
        },
    )


@role_required(COMMUNICATIONS)
def mailing_list_edit(request, pk: int | None = None):
    """Add a list, or change one (its name, audience, chapter, language, and whether sign-up
    forms offer it)."""
    mailing_list = get_object_or_404(MailingList, pk=pk) if pk is not None else None
    form = MailingListForm(request.POST or None, instance=mailing_list)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("The list “%(name)s” is saved.") % {"name": saved.name})
        return redirect("newsletters_admin:lists")
    return render(request, "newsletters_admin/list_edit.html", {"form": form, "mailing_list": mailing_list})
