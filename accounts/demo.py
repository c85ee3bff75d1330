"""Demo people for `manage.py seed_demo` (registered as a `thrive_seed_demo` hook).
Idempotent: each row is looked up by a stable key and created only when missing."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Consent, MemberProfile, MembershipApplication, PartnerContact, Referral, User
from accounts.services import consent_set
from accounts.tokens import new_token
from cms.models import Chapter, ChapterOrganiser, PartnerOrganisation

DEMO_STAFF_EMAIL = "staff@thrive.example"
DEMO_MEMBERSHIP_EMAIL = "membership@thrive.example"
DEMO_PARTNER_EMAIL = "partner@thrive.example"
DEMO_MEMBER_EMAIL = "member@thrive.example"
DEMO_EVENT_STAFF_EMAIL = "events@thrive.example"
DEMO_FINANCE_EMAIL = "finance@thrive.example"
DEMO_EDITOR_EMAIL = "editor@thrive.example"
DEMO_US_ORGANISER_EMAIL = "us-organiser@thrive.example"
DEMO_COMMUNICATIONS_EMAIL = "communications@thrive.example"


def demo_user(email: str, password: str, **fields) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, **fields)
    if not EmailAddress.objects.filter(email=email).exists():
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def seed_people(*, password: str) -> None:
    """A membership officer, a partner contact with referrals, members, and applications
    at each stage, so every screen of the membership work has something to show."""
    uk = Chapter.objects.get(slug="uk")
    us = Chapter.objects.get(slug="us")
    demo_user(DEMO_STAFF_EMAIL, password)
    officer = demo_user(DEMO_MEMBERSHIP_EMAIL, password, first_name="Demo", last_name="Membership")
    officer.groups.add(Group.objects.get(name="Membership"))
    door = demo_user(DEMO_EVENT_STAFF_EMAIL, password, first_name="Demo", last_name="Events")
    door.groups.add(Group.objects.get(name="Event staff"))
    finance = demo_user(DEMO_FINANCE_EMAIL, password, first_name="Demo", last_name="Finance")
    finance.groups.add(Group.objects.get(name="Finance"))
    editor = demo_user(DEMO_EDITOR_EMAIL, password, first_name="Demo", last_name="Editor")
    editor.groups.add(Group.objects.get(name="Editors"))
    organiser = demo_user(DEMO_US_ORGANISER_EMAIL, password, first_name="Demo", last_name="US Organiser")
    organiser.groups.add(Group.objects.get(name="Chapter organisers"))
    ChapterOrganiser.objects.get_or_create(user=organiser, defaults={"chapter": us})
    communications = demo_user(DEMO_COMMUNICATIONS_EMAIL, password, first_name="Demo", last_name="Communications")
    communications.groups.add(Group.objects.get(name="Communications"))
    partner_user = demo_user(DEMO_PARTNER_EMAIL, password)
    organisation = PartnerOrganisation.objects.get(name="Safe Harbour Trust")
    contact, _ = PartnerContact.objects.get_or_create(user=partner_user, defaults={"organisation": organisation})
    member_user = demo_user(DEMO_MEMBER_EMAIL, password)
    if not MemberProfile.objects.filter(user=member_user).exists():
        profile = MemberProfile.objects.create(
            user=member_user, display_name="Amani", certificate_name="Amani K.", chapter=uk, pronouns="she/her"
        )
        consent_set(profile=profile, consent=Consent.LIST_AS_ALUMNUS, given=True, actor=member_user)
    for email, name, chapter in [("river@member.example", "River", us), ("sam@member.example", "Sam", uk)]:
        user = demo_user(email, password)
        if not MemberProfile.objects.filter(user=user).exists():
            MemberProfile.objects.create(user=user, display_name=name, chapter=chapter, discreet_mode=name == "Sam")
    if not MembershipApplication.objects.exists():
        for name, email, chapter, status in [
            ("Joy", "joy@applicant.example", uk, MembershipApplication.Status.SUBMITTED),
            ("Noor", "noor@applicant.example", us, MembershipApplication.Status.MORE_INFO),
            ("Lee", "lee@applicant.example", uk, MembershipApplication.Status.SUBMITTED),
        ]:
            MembershipApplication.objects.create(
                display_name=name,
                email=email,
                chapter=chapter,
                status=status,
                staff_message="Which chapter's events could you reach?" if status == "more_info" else "",
                token_hash=new_token()[1],
            )
    if not Referral.objects.exists():
        now = timezone.now()
        for status, days_ago in [("invited", 2), ("accepted", 10), ("declined", 20)]:
            referral = Referral.objects.create(
                organisation=organisation,
                referred_by=contact,
                email=f"referred-{status}@survivor.example",
                status=status,
                token_hash=new_token()[1],
                expires_at=now + timedelta(days=14 - days_ago),
            )
            Referral.objects.filter(pk=referral.pk).update(created_at=now - timedelta(days=days_ago))
