"""The one page for a person's private calendar addresses (My learning, My bookings): make or
replace the secret, see the new addresses once, or turn them off. The feeds themselves are
served by training and events (`accounts.calendar.calendar_feed_user` finds whose token it is)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.calendar import calendar_feed_addresses, calendar_feed_of, calendar_feed_replace, calendar_feed_revoke

SESSION_NEW_ADDRESSES = "accounts_calendar_new"  # the new token, shown once


@never_cache
@login_required
def calendar(request):
    """GET: whether the person has addresses, and the new ones right after making them.
    POST action=create makes (or replaces) the secret; action=revoke turns it off."""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            calendar_feed_revoke(user=request.user)
            messages.success(request, _("Your calendar addresses no longer work."))
        else:
            request.session[SESSION_NEW_ADDRESSES] = calendar_feed_replace(user=request.user)
            messages.success(request, _("Your private calendar addresses are below. Keep them to yourself."))
        return redirect("accounts:calendar")
    token = request.session.pop(SESSION_NEW_ADDRESSES, None)
    context = {
        "feed": calendar_feed_of(user=request.user),
        "addresses": calendar_feed_addresses(token=token, request=request) if token else [],
    }
    return render(request, "accounts/calendar.html", context)
