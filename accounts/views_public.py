"""Public membership pages: apply, refer someone, answer an invitation, follow an
application, alumni."""

from allauth.account.utils import perform_login
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from accounts.forms import ApplicationForm, ApplicationReplyForm, PublicReferralForm, WelcomePasswordForm
from accounts.models import MemberProfile, MembershipApplication, Referral
from accounts.services import (
    application_reply,
    application_submit,
    referral_create_public,
    referral_is_open,
    referral_respond,
)
from accounts.tokens import token_hash
from accounts.welcome import welcome_link_open, welcome_link_use
from core.guard import Verdict, guard_public_post

SESSION_REFERRAL = "membership_referral_id"


def _accepted_referral(request) -> Referral | None:
    referral_id = request.session.get(SESSION_REFERRAL)
    if not referral_id:
        return None
    return Referral.objects.filter(pk=referral_id, status=Referral.Status.ACCEPTED, application__isnull=True).first()


@never_cache
def refer(request):
    """Anyone refers a survivor (issue 19), with the survivor's agreement. The answer is the
    same whether or not an invitation went out (accounts.services.referral_create_public),
    and the form is limited per visitor like the other public forms."""
    form = PublicReferralForm(request.POST or None)
    if request.method == "POST":
        verdict = guard_public_post(request, form, scope="refer", what="referrals")
        if verdict is Verdict.ROBOT:
            return redirect("membership:refer_done")
        if verdict is Verdict.PAUSED:
            return render(request, "membership/refer.html", {"form": form}, status=429)
        if form.is_valid():
            data = form.cleaned_data
            referral_create_public(email=data["email"], note=data["note"], relationship=data["relationship"])
            return redirect("membership:refer_done")
    return render(request, "membership/refer.html", {"form": form})


@never_cache
def refer_done(request):
    return render(request, "membership/refer_done.html")


@never_cache
def apply_done(request):
    """The same thank-you for every application (and for a robot's): nothing here tells
    whether the address was known."""
    return render(request, "membership/apply_done.html", {"emailed": True})


@never_cache
def apply(request):
    referral = _accepted_referral(request)
    if request.method == "POST":
        form = ApplicationForm(request.POST)
        verdict = guard_public_post(request, form, scope="apply", what="applications")
        if verdict is Verdict.ROBOT:
            return redirect("membership:apply_done")
        if verdict is Verdict.PAUSED:
            return render(request, "membership/apply.html", {"form": form, "referral": referral}, status=429)
        if form.is_valid():
            data = form.cleaned_data
            try:
                application_submit(
                    display_name=data["display_name"],
                    email=data["email"],
                    contact_method=data["contact_method"],
                    contact_details=data["contact_details"],
                    chapter=data["chapter"],
                    referral=referral,
                    user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                request.session.pop(SESSION_REFERRAL, None)
                # Post/redirect/get: reloading the thank-you page sends nothing again (it did:
                # each reload emailed the owner and replaced their status link).
                return redirect("membership:apply_done")
    else:
        initial = {"email": referral.email} if referral else {}
        form = ApplicationForm(initial=initial)
    return render(request, "membership/apply.html", {"form": form, "referral": referral})


def _referral_for_token(token: str) -> Referral:
    return get_object_or_404(Referral, token_hash=token_hash(token))


@never_cache
def invitation(request, token: str):
    """A survivor answers a partner's invitation. Unknown tokens are 404; used or expired
    invitations say so plainly and change nothing."""
    referral = _referral_for_token(token)
    if not referral_is_open(referral):
        return render(request, "membership/invitation_closed.html", {"referral": referral}, status=410)
    if request.method == "POST":
        accept = request.POST.get("answer") == "accept"
        try:
            referral = referral_respond(referral=referral, accept=accept)
        except ValidationError:
            return render(request, "membership/invitation_closed.html", {"referral": referral}, status=410)
        if accept:
            request.session[SESSION_REFERRAL] = referral.pk
            return redirect("membership:apply")
        return render(request, "membership/invitation_declined.html")
    return render(request, "membership/invitation.html", {"referral": referral})


@never_cache
def application_status(request, token: str):
    application = get_object_or_404(MembershipApplication, token_hash=token_hash(token))
    form = None
    if application.status == MembershipApplication.Status.MORE_INFO:
        form = ApplicationReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                application_reply(application=application, reply=form.cleaned_data["reply"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(request.path)
    response = render(request, "membership/application_status.html", {"application": application, "form": form})
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def welcome(request, token: str):
    """The one link of the welcome email: choose a password, and be signed in on the account
    page. Used, expired and unknown links say so plainly (the same page for each, so a guess
    learns nothing) and point to the password reset."""
    link = welcome_link_open(token)
    if link is None:
        return render(request, "membership/welcome_closed.html", status=410)
    form = WelcomePasswordForm(link.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = welcome_link_use(token=token, password=form.cleaned_data["new_password1"])
        except ValidationError:
            return render(request, "membership/welcome_closed.html", status=410)
        return perform_login(request, user, email=user.email, redirect_url=reverse("accounts:home"))
    return render(request, "membership/welcome.html", {"form": form, "email": link.user.email})


def alumni(request):
    """Members who chose to be listed, by the name they chose to show. Nobody else."""
    members = (
        MemberProfile.objects.active()
        .filter(consent_list_as_alumnus=True)
        .select_related("chapter")
        .order_by("display_name")
    )
    if request.GET.get("chapter"):
        members = members.filter(chapter__slug=request.GET["chapter"])
    return render(request, "membership/alumni.html", {"members": members})
