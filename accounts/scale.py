"""The people of a large network for `manage.py seed_scale` (a `thrive_seed_scale` hook,
order 10: every other app's part finds these accounts by `scale.email_suffix`).

Members spread over five chapters (three more than the demo's, in pounds and dollars), a
fifth consenting to show their name when a certificate is checked and a tenth listed as
alumni (each consent with its record), some in discreet mode; one application for every
ten members in each state (most approved, each approved one tied to its member's account);
and referrals from the demo's partner organisations.
"""

import hashlib
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import (
    ConsentEvent,
    ContactMethod,
    MemberProfile,
    MembershipApplication,
    PartnerContact,
    Referral,
    User,
)
from cms.models import Chapter
from core.seeding import ScaleRequest, Timings, bulk_insert, explicit_times, spread_times

# (slug, name, country, time zone, currency, share of members)
CHAPTERS = [
    ("uk", "United Kingdom", "GB", "Europe/London", "GBP", 40),
    ("us", "United States", "US", "America/New_York", "USD", 28),
    ("scotland", "Scotland", "GB", "Europe/London", "GBP", 10),
    ("wales", "Wales", "GB", "Europe/London", "GBP", 8),
    ("us-west", "United States West", "US", "America/Los_Angeles", "USD", 14),
]
NAMES = [
    "Amani",
    "Ada",
    "Bea",
    "Chi",
    "Dana",
    "Eli",
    "Fen",
    "Gita",
    "Hana",
    "Ife",
    "Jo",
    "Kai",
    "Lina",
    "Mo",
    "Nia",
    "Oto",
    "Pia",
    "Rui",
    "Sade",
    "Tam",
    "Uma",
    "Vic",
    "Wen",
    "Xia",
    "Yara",
    "Zed",
    "Ash",
    "Bo",
    "Cam",
    "Dev",
    "Eko",
    "Fola",
    "Gus",
    "Hal",
    "Ines",
    "Jin",
    "Kofi",
    "Lou",
    "Mira",
    "Nel",
]
APPLICATION_STATES = [  # (status, share)
    (MembershipApplication.Status.APPROVED, 70),
    (MembershipApplication.Status.DECLINED, 10),
    (MembershipApplication.Status.SUBMITTED, 12),
    (MembershipApplication.Status.MORE_INFO, 8),
]


def scale_chapters() -> list[tuple[Chapter, int]]:
    """The five chapters (made when missing) with each one's share of members."""
    chapters = []
    for slug, name, country, zone, currency, share in CHAPTERS:
        chapter = Chapter.objects.filter(slug=slug).first()
        if chapter is None:
            chapter = Chapter.objects.create(slug=slug, name=name, country=country, time_zone=zone, currency=currency)
        chapters.append((chapter, share))
    return chapters


def seed_members(*, scale: ScaleRequest, timings: Timings) -> None:
    rng = scale.random("accounts")
    now = timezone.now()
    chapters = scale_chapters()
    chapter_ids = [chapter.pk for chapter, _share in chapters]
    weights = [share for _chapter, share in chapters]
    joined = spread_times(rng, now - timedelta(days=5 * 365), now - timedelta(days=1), scale.members, recent_bias=1.6)
    unusable = make_password(None)  # members set a password through their welcome link

    with timings.table("accounts_user") as count:
        users = bulk_insert(
            User,
            (
                User(email=scale.email("member", n), password=unusable, date_joined=joined[n])
                for n in range(scale.members)
            ),
        )
        count[0] = len(users)
    with timings.table("account_emailaddress") as count:
        count[0] = len(
            bulk_insert(
                EmailAddress,
                (EmailAddress(user_id=u.pk, email=u.email, verified=True, primary=True) for u in users),
            )
        )
    with timings.table("accounts_memberprofile") as count, explicit_times(MemberProfile, "created_at"):
        profiles = bulk_insert(MemberProfile, (_profile(rng, user, chapter_ids, weights) for user in users))
        count[0] = len(profiles)
    with timings.table("accounts_consentevent") as count, explicit_times(ConsentEvent, "at"):
        count[0] = len(bulk_insert(ConsentEvent, _consent_events(profiles)))
    with (
        timings.table("accounts_membershipapplication") as count,
        explicit_times(MembershipApplication, "submitted_at", "updated_at"),
    ):
        count[0] = len(bulk_insert(MembershipApplication, _applications(rng, scale, users, profiles, now)))
    with timings.table("accounts_referral") as count, explicit_times(Referral, "created_at"):
        count[0] = len(bulk_insert(Referral, _referrals(rng, scale, now)))


def _profile(rng, user: User, chapter_ids: list[int], weights: list[int]) -> MemberProfile:
    name = f"{rng.choice(NAMES)} {rng.choice('ABCDEFGHJKLMNPRSTW')}."
    roll = rng.random()
    return MemberProfile(
        user_id=user.pk,
        display_name=name,
        certificate_name=name if roll < 0.5 else "",
        chapter_id=rng.choices(chapter_ids, weights)[0],
        pronouns=rng.choice(["", "", "she/her", "he/him", "they/them"]),
        access_needs="Step-free access, please." if roll > 0.95 else "",
        contact_method=ContactMethod.EMAIL if roll < 0.8 else rng.choice(ContactMethod.values),
        discreet_mode=rng.random() < 0.15,
        consent_show_name_on_verification=rng.random() < 0.2,
        consent_list_as_alumnus=rng.random() < 0.1,
        consent_photos=rng.random() < 0.05,
        created_at=user.date_joined,
    )


def _unusable_hash(scale: ScaleRequest, kind: str, n: int) -> str:
    """A unique stored hash no link was ever made for (seeded people get no emails)."""
    return hashlib.sha256(f"{scale.tag}:{kind}:{n}".encode()).hexdigest()


def _consent_events(profiles: list[MemberProfile]):
    for profile in profiles:
        for consent in ("show_name_on_verification", "list_as_alumnus", "photos"):
            if getattr(profile, f"consent_{consent}"):
                yield ConsentEvent(
                    profile_id=profile.pk, consent=consent, given=True, at=profile.created_at + timedelta(days=2)
                )


def _applications(rng, scale: ScaleRequest, users: list[User], profiles: list[MemberProfile], now):
    """One application for every ten members: approved ones belong to a member (sent a day
    before they joined); the others came from people who are not members (yet)."""
    statuses = [status for status, _share in APPLICATION_STATES]
    shares = [share for _status, share in APPLICATION_STATES]
    for n in range(scale.members // 10):
        status = rng.choices(statuses, shares)[0]
        if status == MembershipApplication.Status.APPROVED:
            member = rng.randrange(len(users))
            user, profile = users[member], profiles[member]
            submitted = user.date_joined - timedelta(days=1)
            fields = {"user_id": user.pk, "email": user.email, "display_name": profile.display_name}
            fields |= {"chapter_id": profile.chapter_id, "decided_at": user.date_joined}
        else:
            submitted = now - timedelta(days=rng.uniform(0, 60 if status != "declined" else 900))
            fields = {"email": scale.email("applicant", n), "display_name": f"{rng.choice(NAMES)}"}
            fields |= {"chapter_id": profiles[rng.randrange(len(profiles))].chapter_id}
            fields["decided_at"] = submitted + timedelta(days=3) if status == "declined" else None
        yield MembershipApplication(
            status=status,
            token_hash=_unusable_hash(scale, "application", n),
            submitted_at=submitted,
            updated_at=fields["decided_at"] or submitted,
            staff_message="Which chapter's events could you reach?" if status == "more_info" else "",
            contact_method=ContactMethod.EMAIL,
            **fields,
        )


def _referrals(rng, scale: ScaleRequest, now):
    contacts = list(PartnerContact.objects.values_list("pk", "organisation_id"))
    if not contacts:
        return
    for n in range(scale.members // 50):
        contact, organisation = rng.choice(contacts)
        created = now - timedelta(days=rng.uniform(0, 700))
        status = rng.choices(["invited", "accepted", "declined", "expired"], [10, 60, 10, 20])[0]
        yield Referral(
            organisation_id=organisation,
            referred_by_id=contact,
            email=scale.email("referred", n),
            status=status,
            token_hash=_unusable_hash(scale, "referral", n),
            created_at=created,
            expires_at=created + timedelta(days=14),
            responded_at=created + timedelta(days=3) if status in ("accepted", "declined") else None,
        )
