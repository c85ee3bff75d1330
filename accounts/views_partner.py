"""Partner contacts refer survivors and see only the status of their organisation's referrals."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.forms import ReferralForm
from accounts.models import PartnerContact, Referral
from accounts.services import referral_create


def _contact(request) -> PartnerContact:
    contact = PartnerContact.objects.filter(user=request.user).select_related("organisation").first()
    if contact is None:
        raise Http404
    return contact


@login_required
def referrals(request):
    contact = _contact(request)
    # Only the fields a partner may see: when, and the status. Never the email or note.
    rows = Referral.objects.filter(organisation=contact.organisation).values("pk", "created_at", "status", "expires_at")
    labels = dict(Referral.Status.choices)
    return render(
        request,
        "partners/referrals.html",
        {"contact": contact, "rows": [{**row, "status_label": labels[row["status"]]} for row in rows]},
    )


@login_required
def referral_new(request):
    contact = _contact(request)
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        referral_create(contact=contact, email=form.cleaned_data["email"], note=form.cleaned_data["note"])
        messages.success(request, _("The invitation is on its way. You will see here whether it is accepted."))
        return redirect("partners:referrals")
    return render(request, "partners/referral_form.html", {"form": form})
