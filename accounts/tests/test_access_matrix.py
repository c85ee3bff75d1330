"""Who may open which page that shows personal data: one matrix, every role x every URL.

Outcomes: "ok" (200, shown), "login" (sent to sign in), "refused" (403, or Wagtail's
redirect to the admin home with "you do not have permission"), "not found" (404: the object
is not theirs, or the page does not exist for them; nothing is revealed either way).
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import ErasureRequest
from accounts.tests.factories import (
    ApplicationFactory,
    ChapterFactory,
    MemberProfileFactory,
    PartnerContactFactory,
    UserFactory,
    sign_in_with_second_factor,
)

ROLES = [
    "anonymous",
    "member",
    "partner",
    "trainer",
    "event_staff",
    "finance",
    "membership",
    "editor",
    "organiser",
    "communications",
    "superuser",
]
GROUP_OF = {
    "trainer": "Trainers",
    "event_staff": "Event staff",
    "finance": "Finance",
    "membership": "Membership",
    "editor": "Editors",
    "organiser": "Chapter organisers",  # of the US chapter; the other rows are the UK's (factories' default)
    "communications": "Communications",
}


def outcome(default: int, **overrides) -> dict[str, int]:
    return {role: overrides.get(role, default) for role in ROLES}


OK, LOGIN, REFUSED, NOT_FOUND, BAD_LINK = "ok", "login", "refused", "not found", "bad link"
SIGNED_IN_ANY = outcome(OK, anonymous=LOGIN)
MEMBER_ONLY = outcome(NOT_FOUND, anonymous=LOGIN, member=OK)
PARTNER_ONLY = outcome(NOT_FOUND, anonymous=LOGIN, partner=OK)
NOBODY = outcome(NOT_FOUND, anonymous=LOGIN)
ADMIN_NO_ACCESS = {"anonymous": LOGIN, "member": LOGIN, "partner": LOGIN}
MEMBERSHIP_ADMIN = outcome(REFUSED, **ADMIN_NO_ACCESS, membership=OK, superuser=OK)
MEMBERS_ADMIN = outcome(REFUSED, **ADMIN_NO_ACCESS, membership=OK, finance=OK, superuser=OK)
# Lists a chapter organiser sees filtered to their chapter; another chapter's row is 404 to them.
APPLICATIONS = outcome(REFUSED, **ADMIN_NO_ACCESS, membership=OK, organiser=OK, superuser=OK)
OTHER_CHAPTER_APPLICATION = outcome(REFUSED, **ADMIN_NO_ACCESS, membership=OK, organiser=NOT_FOUND, superuser=OK)
MEMBERS_LIST = outcome(REFUSED, **ADMIN_NO_ACCESS, membership=OK, finance=OK, organiser=OK, superuser=OK)
OTHER_CHAPTER_MEMBER = outcome(REFUSED, **ADMIN_NO_ACCESS, membership=OK, finance=OK, organiser=NOT_FOUND, superuser=OK)
EVENTS_ADMIN = outcome(REFUSED, **ADMIN_NO_ACCESS, event_staff=OK, organiser=OK, superuser=OK)
OTHER_CHAPTER_EVENT = outcome(REFUSED, **ADMIN_NO_ACCESS, event_staff=OK, organiser=NOT_FOUND, superuser=OK)
PUBLIC = outcome(OK)
COHORT_LIST = outcome(REFUSED, **ADMIN_NO_ACCESS, trainer=OK, membership=OK, organiser=OK, superuser=OK)
OWN_COHORT = outcome(REFUSED, **ADMIN_NO_ACCESS, trainer=OK, membership=OK, organiser=NOT_FOUND, superuser=OK)
OTHER_COHORT = outcome(REFUSED, **ADMIN_NO_ACCESS, trainer=NOT_FOUND, membership=OK, organiser=NOT_FOUND, superuser=OK)
OWN_ATTENDANCE = outcome(REFUSED, **ADMIN_NO_ACCESS, trainer=OK, organiser=NOT_FOUND, superuser=OK)
OTHER_ATTENDANCE = outcome(REFUSED, **ADMIN_NO_ACCESS, trainer=NOT_FOUND, organiser=NOT_FOUND, superuser=OK)
US_COHORT = outcome(REFUSED, **ADMIN_NO_ACCESS, trainer=NOT_FOUND, membership=OK, organiser=OK, superuser=OK)
US_ATTENDANCE = outcome(REFUSED, **ADMIN_NO_ACCESS, trainer=NOT_FOUND, organiser=OK, superuser=OK)
FINANCE_ADMIN = outcome(REFUSED, **ADMIN_NO_ACCESS, finance=OK, superuser=OK)
# Survivor voices: a receipt is its member's and Finance's (the superuser holds every role).
RECEIPT = outcome(NOT_FOUND, anonymous=LOGIN, member=OK, finance=OK, superuser=OK)
UNKNOWN_LINK = outcome(NOT_FOUND)
# A partner's access codes (#19): its contacts only; anyone else signed in gets 404.
PARTNER_BLOCK = outcome(NOT_FOUND, anonymous=LOGIN, partner=OK)
# Newsletters (#18): subscribers and mailings are Communications' (the superuser holds every
# role); a signed link that was changed answers 400 with a plain message, to everyone.
COMMUNICATIONS_ADMIN = outcome(REFUSED, **ADMIN_NO_ACCESS, communications=OK, superuser=OK)
TAMPERED_LINK = outcome(BAD_LINK)
# Posters and leaflets (#19): the roles that make or promote events and courses.
POSTERS_ADMIN = outcome(
    REFUSED, **ADMIN_NO_ACCESS, trainer=OK, event_staff=OK, editor=OK, communications=OK, superuser=OK
)
# A members-only issue on the web: signed-in members and staff; a never-sent issue: nobody.
MEMBERS_ISSUE = outcome(OK, anonymous=NOT_FOUND, partner=NOT_FOUND)
UNSENT_ISSUE = outcome(NOT_FOUND)
# The email preview of an issue: whoever may edit the page (Wagtail's page permissions: Editors).
NEWSLETTER_COMPOSE = outcome(REFUSED, **ADMIN_NO_ACCESS, editor=OK, communications=OK, superuser=OK)
# Volunteering (#20): the member is the approved volunteer; shifts are Event staff's and Membership's.
VOLUNTEER_ONLY = outcome(NOT_FOUND, anonymous=LOGIN, member=OK)
SHIFTS_ADMIN = outcome(REFUSED, **ADMIN_NO_ACCESS, event_staff=OK, membership=OK, superuser=OK)
# Supporter fundraising (#20): a page waiting for approval or hidden is its owner's (the
# "member" row made it), Communications' and Finance's; 404 to everyone else, signed in or not.
FUNDRAISING_PREVIEW = outcome(NOT_FOUND, member=OK, finance=OK, communications=OK, superuser=OK)
FUNDRAISING_OWNER = outcome(NOT_FOUND, anonymous=LOGIN, member=OK)
FUNDRAISING_ADMIN = outcome(REFUSED, **ADMIN_NO_ACCESS, finance=OK, communications=OK, superuser=OK)


def classify(response) -> str:
    if response.status_code == 200:
        return OK
    if response.status_code == 404:
        return NOT_FOUND
    if response.status_code == 403:
        return REFUSED
    if response.status_code == 400:
        return BAD_LINK
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(("/accounts/login/", "/admin/login/")):
            return LOGIN
        if location == "/admin/":
            return REFUSED
    return f"unexpected {response.status_code} {response.get('Location', '')}"


MATRIX = [
    ("/membership/apply/", PUBLIC),
    ("/membership/alumni/", PUBLIC),
    ("/account/", SIGNED_IN_ANY),
    ("/account/profile/", MEMBER_ONLY),
    ("/account/consents/", MEMBER_ONLY),
    ("/account/data/", SIGNED_IN_ANY),
    ("/account/data/export.json", SIGNED_IN_ANY),
    ("/account/erasure/", SIGNED_IN_ANY),
    ("/account/applications/{own_application}/", MEMBER_ONLY),
    ("/account/applications/{other_application}/", NOBODY),
    ("/partners/referrals/", PARTNER_ONLY),
    ("/partners/referrals/new/", PARTNER_ONLY),
    ("/admin/membership/applications/", APPLICATIONS),
    ("/admin/membership/applications/{other_application}/", OTHER_CHAPTER_APPLICATION),
    ("/admin/membership/applications/{us_application}/", APPLICATIONS),
    ("/admin/membership/members/", MEMBERS_LIST),
    ("/admin/membership/members/{other_profile}/", OTHER_CHAPTER_MEMBER),
    ("/admin/membership/members/{us_profile}/", MEMBERS_LIST),
    ("/admin/membership/referrals/", MEMBERSHIP_ADMIN),
    ("/admin/membership/erasure/", MEMBERSHIP_ADMIN),
    ("/admin/membership/erasure/{erasure_request}/", MEMBERSHIP_ADMIN),
    ("/learning/", SIGNED_IN_ANY),
    ("/admin/training/cohorts/", COHORT_LIST),
    ("/admin/training/cohorts/{own_cohort}/", OWN_COHORT),
    ("/admin/training/cohorts/{other_cohort}/", OTHER_COHORT),
    ("/admin/training/cohorts/{own_cohort}/attendance.csv", OWN_COHORT),
    ("/admin/training/cohorts/{other_cohort}/attendance.csv", OTHER_COHORT),
    ("/admin/training/cohorts/{own_cohort}/sessions/{own_session}/attendance/", OWN_ATTENDANCE),
    ("/admin/training/cohorts/{other_cohort}/sessions/{other_session}/attendance/", OTHER_ATTENDANCE),
    ("/admin/training/cohorts/{us_cohort}/", US_COHORT),
    ("/admin/training/cohorts/{us_cohort}/attendance.csv", US_COHORT),
    ("/admin/training/cohorts/{us_cohort}/sessions/{us_session}/attendance/", US_ATTENDANCE),
    ("/admin/events/", EVENTS_ADMIN),
    ("/admin/events/{uk_event}/", OTHER_CHAPTER_EVENT),
    ("/admin/events/{uk_event}/attendance.csv", OTHER_CHAPTER_EVENT),
    ("/admin/events/{uk_event}/check-in/", OTHER_CHAPTER_EVENT),
    ("/admin/events/{uk_event}/cancel/", OTHER_CHAPTER_EVENT),
    ("/admin/events/{us_event}/", EVENTS_ADMIN),
    ("/admin/events/{us_event}/attendance.csv", EVENTS_ADMIN),
    ("/admin/events/{us_event}/check-in/", EVENTS_ADMIN),
    ("/admin/events/{us_event}/cancel/", EVENTS_ADMIN),
    # The offline door (#21): the page's shell, its offline list (ids and hashed codes), service
    # worker and manifest are the door's, like the page (sync/ and door-key/rotate/ are POST only,
    # events/tests/test_door_offline.py).
    ("/admin/events/{uk_event}/check-in/offline/", OTHER_CHAPTER_EVENT),
    ("/admin/events/{uk_event}/check-in/data.json", OTHER_CHAPTER_EVENT),
    ("/admin/events/{uk_event}/check-in/worker.js", OTHER_CHAPTER_EVENT),
    ("/admin/events/{uk_event}/check-in/manifest.webmanifest", OTHER_CHAPTER_EVENT),
    ("/admin/events/{us_event}/check-in/offline/", EVENTS_ADMIN),
    ("/admin/events/{us_event}/check-in/data.json", EVENTS_ADMIN),
    ("/admin/events/{us_event}/check-in/worker.js", EVENTS_ADMIN),
    ("/admin/events/{us_event}/check-in/manifest.webmanifest", EVENTS_ADMIN),
    # Allocated places (#19): Event staff allocate codes; only the block's partner downloads them.
    ("/admin/events/{uk_event}/access-codes/", OTHER_CHAPTER_EVENT),
    ("/admin/events/{us_event}/access-codes/", EVENTS_ADMIN),
    ("/admin/events/{us_event}/access-codes/{partner_block}/codes.csv", EVENTS_ADMIN),
    ("/admin/events/{uk_event}/access-codes/{uk_block}/codes.csv", OTHER_CHAPTER_EVENT),
    ("/events/access-codes/{partner_block}/codes.csv", PARTNER_BLOCK),
    # Survivor voices (#17). The organisation: the public form, its private status page by link
    # (anyone holding the link), and a partner contact's own requests by id.
    ("/voices/request/", PUBLIC),
    ("/voices/request/sent/", PUBLIC),
    ("/voices/requests/{voices_status_token}/", PUBLIC),
    ("/voices/requests/{voices_results_token}/results/", PUBLIC),
    ("/voices/requests/not-a-status-link-0123456789/", UNKNOWN_LINK),
    ("/voices/requests/not-a-status-link-0123456789/results/", UNKNOWN_LINK),
    ("/voices/requests/", PARTNER_ONLY),
    ("/voices/requests/mine/{own_voice_request}/", PARTNER_ONLY),
    ("/voices/requests/mine/{voices_consultation_request}/results/", PARTNER_ONLY),
    ("/voices/requests/mine/{other_voice_request}/", NOBODY),
    ("/voices/requests/mine/{other_voice_request}/results/", NOBODY),
    # Members: only what they are eligible for (404 by id otherwise), only their own engagement.
    ("/voices/opportunities/", MEMBER_ONLY),
    ("/voices/opportunities/{eligible_opportunity}/", MEMBER_ONLY),
    ("/voices/opportunities/{ineligible_opportunity}/", NOBODY),
    ("/voices/engagements/{own_engagement}/", MEMBER_ONLY),
    ("/voices/engagements/{own_engagement}/expenses/", MEMBER_ONLY),
    ("/voices/engagements/{own_consultation_engagement}/questionnaire/", MEMBER_ONLY),
    ("/voices/engagements/{other_engagement}/", NOBODY),
    ("/voices/engagements/{other_engagement}/expenses/", NOBODY),
    ("/voices/engagements/{other_engagement}/questionnaire/", NOBODY),
    ("/voices/expenses/{own_expense_claim}/receipt/", RECEIPT),
    ("/voices/thanks/", MEMBER_ONLY),
    # Staff: Membership brokers and safeguards; Finance reads requests and engagements and pays.
    ("/admin/voices/requests/", MEMBERSHIP_ADMIN),
    ("/admin/voices/requests/{own_voice_request}/", MEMBERS_ADMIN),
    ("/admin/voices/requests/{own_voice_request}/publish/", MEMBERSHIP_ADMIN),
    ("/admin/voices/opportunities/{eligible_opportunity}/", MEMBERSHIP_ADMIN),
    ("/admin/voices/opportunities/{voices_consultation}/questions/", MEMBERSHIP_ADMIN),
    ("/admin/voices/engagements/{own_engagement}/", MEMBERS_ADMIN),
    ("/admin/voices/fee-policies/", MEMBERS_ADMIN),
    ("/admin/voices/fee-policies/{uk_chapter}/", MEMBERS_ADMIN),
    ("/admin/voices/flagged/", MEMBERSHIP_ADMIN),
    ("/admin/voices/payouts/", FINANCE_ADMIN),
    ("/admin/voices/payouts/export.csv", FINANCE_ADMIN),
    ("/admin/voices/payouts/{own_engagement}/", FINANCE_ADMIN),
    # Newsletters (#18). Public: the sign-up form, its answer, and the signed links of the
    # emails (GET only shows a button; a changed link is refused); a signed-in account's choices.
    ("/newsletters/subscribe/", PUBLIC),
    ("/newsletters/subscribe/check-your-email/", PUBLIC),
    ("/newsletters/confirm/{newsletter_confirm_token}/", PUBLIC),
    ("/newsletters/confirm/{newsletter_confirm_token}x/", TAMPERED_LINK),
    ("/newsletters/unsubscribe/{newsletter_unsubscribe_token}/", PUBLIC),
    ("/newsletters/unsubscribe/{newsletter_unsubscribe_token}x/", TAMPERED_LINK),
    ("/newsletters/account/", SIGNED_IN_ANY),
    # The web archive: issues of public lists to everyone, of members' lists to members and staff.
    ("{newsletter_archive_url}", PUBLIC),
    ("{newsletter_public_issue_url}", PUBLIC),
    ("{newsletter_members_issue_url}", MEMBERS_ISSUE),
    ("{newsletter_unsent_issue_url}", UNSENT_ISSUE),
    # Staff: subscribers (personal data) and mailings, Communications only.
    ("/admin/newsletters/lists/", COMMUNICATIONS_ADMIN),
    ("/admin/newsletters/lists/new/", COMMUNICATIONS_ADMIN),
    ("/admin/newsletters/lists/{newsletter_list}/edit/", COMMUNICATIONS_ADMIN),
    ("/admin/newsletters/lists/{newsletter_list}/subscribers/", COMMUNICATIONS_ADMIN),
    ("/admin/newsletters/mailings/", COMMUNICATIONS_ADMIN),
    ("/admin/newsletters/mailings/new/", COMMUNICATIONS_ADMIN),
    ("/admin/newsletters/mailings/{newsletter_mailing}/", COMMUNICATIONS_ADMIN),
    ("/admin/newsletters/mailings/{newsletter_mailing}/status.json", COMMUNICATIONS_ADMIN),
    # Writing: the email preview and "send me a test" follow the page's edit permission.
    ("/admin/newsletters/compose/{newsletter_unsent_issue}/", NEWSLETTER_COMPOSE),
    ("/admin/newsletters/compose/{newsletter_unsent_issue}/email/", NEWSLETTER_COMPOSE),
    ("/admin/newsletters/compose/{newsletter_unsent_issue}/email.txt", NEWSLETTER_COMPOSE),
    # Partner toolkit (#19): the listing partners frame, by its key (never by the partner's
    # number), and the feeds: the same public answer for everyone.
    ("/embed/{partner_embed_key}/", PUBLIC),
    ("/embed/not-a-partner-key/", UNKNOWN_LINK),
    ("/feeds/events.atom", PUBLIC),
    ("/feeds/courses.rss", PUBLIC),
    ("/feeds/news.atom", PUBLIC),
    # The partner home and its posters: the partner's co-hosted pages and the membership
    # invitation, only to its contacts (another page: the same 404 as none); staff any, in the
    # admin. Short links are public (an unknown code: 404).
    ("/partners/", PARTNER_ONLY),
    ("/partners/posters/event/{partner_cohosted_event}/poster/standard.pdf", PARTNER_ONLY),
    ("/partners/posters/course/{partner_cohosted_course}/leaflet/discreet.pdf", PARTNER_ONLY),
    ("/partners/posters/membership/0/leaflet/standard.pdf", PARTNER_ONLY),
    ("/partners/posters/event/{uk_event}/poster/standard.pdf", NOBODY),
    ("/s/nocode99", UNKNOWN_LINK),
    ("/admin/toolkit/posters/", POSTERS_ADMIN),
    ("/admin/toolkit/posters/event/{uk_event}/", POSTERS_ADMIN),
    ("/admin/toolkit/posters/course/{partner_cohosted_course}/leaflet/discreet.pdf", POSTERS_ADMIN),
    ("/admin/toolkit/posters/membership/0/poster/standard.pdf", POSTERS_ADMIN),
    # Volunteering (#20): roles are public; applying and "My volunteering" need an account;
    # a shift is its role's approved volunteers' (the member here), 404 to anyone else.
    ("/volunteering/", PUBLIC),
    ("/volunteering/apply/", SIGNED_IN_ANY),
    ("/volunteering/mine/", SIGNED_IN_ANY),
    ("/volunteering/mine/preferences/", VOLUNTEER_ONLY),
    ("/volunteering/shifts/{volunteer_shift}/", VOLUNTEER_ONLY),
    ("/volunteering/shifts/{volunteer_shift}/calendar.ics", VOLUNTEER_ONLY),
    ("/volunteering/shifts/{volunteer_other_shift}/", NOBODY),
    ("/volunteering/shifts/{volunteer_other_shift}/calendar.ics", NOBODY),
    ("/admin/volunteers/roles/", MEMBERSHIP_ADMIN),
    ("/admin/volunteers/roles/add/", MEMBERSHIP_ADMIN),
    ("/admin/volunteers/roles/{volunteer_role}/", MEMBERSHIP_ADMIN),
    ("/admin/volunteers/volunteers/", MEMBERSHIP_ADMIN),
    ("/admin/volunteers/volunteers/{volunteer}/", MEMBERSHIP_ADMIN),
    ("/admin/volunteers/shifts/", SHIFTS_ADMIN),
    ("/admin/volunteers/shifts/add/", SHIFTS_ADMIN),
    ("/admin/volunteers/shifts/{volunteer_shift}/", SHIFTS_ADMIN),
    ("/admin/volunteers/shifts/{volunteer_shift}/edit/", SHIFTS_ADMIN),
    # Supporter fundraising (#20). Public: the start page, approved pages, their photos, teams.
    ("/fundraising/", PUBLIC),
    ("/fundraising/new/{fundraising_campaign}/", SIGNED_IN_ANY),
    ("/fundraising/mine/", SIGNED_IN_ANY),
    ("/fundraising/{fundraising_approved}/", PUBLIC),
    ("/fundraising/{fundraising_approved}/photo/", PUBLIC),
    ("/fundraising/{fundraising_pending}/", FUNDRAISING_PREVIEW),
    ("/fundraising/{fundraising_pending}/photo/", FUNDRAISING_PREVIEW),
    ("/fundraising/{fundraising_hidden}/", FUNDRAISING_PREVIEW),
    ("/fundraising/{fundraising_approved}/edit/", FUNDRAISING_OWNER),
    ("/fundraising/{fundraising_hidden}/edit/", FUNDRAISING_OWNER),
    ("/fundraising/teams/{fundraising_team}/", PUBLIC),
    ("/fundraising/teams/{fundraising_hidden_team}/", UNKNOWN_LINK),
    # Staff: Communications moderates, Finance reads and exports.
    ("/admin/fundraising/pages/", FUNDRAISING_ADMIN),
    ("/admin/fundraising/pages/{fundraising_pending}/", FUNDRAISING_ADMIN),
    ("/admin/fundraising/messages/", FUNDRAISING_ADMIN),
    ("/admin/fundraising/teams/", FUNDRAISING_ADMIN),
    ("/admin/fundraising/gifts.csv", FUNDRAISING_ADMIN),
]


@pytest.fixture
def people(db):
    member = MemberProfileFactory()
    other = MemberProfileFactory()
    users = {
        "anonymous": AnonymousUser(),
        "member": member.user,
        "partner": PartnerContactFactory().user,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    for role, group in GROUP_OF.items():
        users[role] = UserFactory(groups=[group])
    from cms.models import ChapterOrganiser
    from events.tests.factories import make_event
    from training.tests.factories import make_cohort, make_course

    us = ChapterFactory(slug="us", name="United States", country="US", time_zone="America/New_York", currency="USD")
    ChapterOrganiser.objects.create(user=users["organiser"], chapter=us)
    us_member = MemberProfileFactory(chapter=us)
    course = make_course(modules=1)
    own_cohort = make_cohort(course, sessions=1, trainers=[users["trainer"]], name="Own")
    other_cohort = make_cohort(course, sessions=1, trainers=[UserFactory(groups=["Trainers"])], name="Other")
    us_cohort = make_cohort(course, sessions=1, trainers=[UserFactory(groups=["Trainers"])], name="US run")
    us_cohort.chapter = us
    us_cohort.save(update_fields=["chapter"])
    ids = {
        "us_cohort": us_cohort.pk,
        "us_session": us_cohort.sessions.get().pk,
        "us_application": ApplicationFactory(chapter=us).pk,
        "us_profile": us_member.pk,
        "uk_event": make_event(chapter=ChapterFactory(), title="UK event").pk,
        "us_event": make_event(chapter=us, title="US event").pk,
        "own_cohort": own_cohort.pk,
        "other_cohort": other_cohort.pk,
        "own_session": own_cohort.sessions.get().pk,
        "other_session": other_cohort.sessions.get().pk,
        "own_application": ApplicationFactory(user=member.user, email=member.user.email).pk,
        "other_application": ApplicationFactory(user=other.user, email=other.user.email).pk,
        "other_profile": other.pk,
        "erasure_request": ErasureRequest.objects.create(user=other.user).pk,
    }
    ids |= voices_objects(users, other.user)
    ids["partner_embed_key"] = users["partner"].partner_contact.organisation.embed_key
    partner_organisation = users["partner"].partner_contact.organisation
    cohosted = make_event(title="Co-hosted event")
    for page in (cohosted, course):
        page.partners.add(partner_organisation)
        page.save_revision().publish()
    ids["partner_cohosted_event"], ids["partner_cohosted_course"] = cohosted.pk, course.pk
    ids["partner_block"] = access_code_block(ids["us_event"], partner_organisation)
    ids["uk_block"] = access_code_block(ids["uk_event"], partner_organisation)
    ids |= newsletters_objects()
    ids |= volunteers_objects(users)
    ids |= fundraising_objects(users)
    return users, ids


def volunteers_objects(users) -> dict[str, int]:
    """Volunteering rows for the matrix: the member approved as an event steward, a steward
    shift and a driver's shift (not theirs)."""
    from volunteers.tests.factories import make_role, make_shift, make_volunteer

    steward, driver = make_role(), make_role("Driver")
    volunteer = make_volunteer(user=users["member"], roles=[steward])
    return {
        "volunteer": volunteer.pk,
        "volunteer_role": steward.pk,
        "volunteer_shift": make_shift(role=steward).pk,
        "volunteer_other_shift": make_shift(role=driver).pk,
    }


def fundraising_objects(users) -> dict[str, int]:
    """Supporter fundraising rows for the matrix: the member's pages (approved with a photo,
    waiting with a photo, hidden), in a team of the campaign, and a hidden team."""
    from fundraising.services import page_hide
    from fundraising.tests.factories import make_campaign, make_page, make_team, photo_upload

    campaign = make_campaign(slug="matrix-campaign")
    team = make_team(campaign=campaign)
    hidden_team = make_team(campaign=campaign, name="Hidden team")
    hidden_team.hidden = True
    hidden_team.save()
    owner = users["member"]
    approved = make_page(owner=owner, campaign=campaign, team=team, photo=photo_upload(), title="Approved")
    pending = make_page(owner=owner, campaign=campaign, approved=False, photo=photo_upload(), title="Pending")
    hidden = page_hide(page=make_page(owner=owner, campaign=campaign, title="Hidden"), actor=None)
    return {
        "fundraising_campaign": campaign.pk,
        "fundraising_team": team.pk,
        "fundraising_hidden_team": hidden_team.pk,
        "fundraising_approved": approved.pk,
        "fundraising_pending": pending.pk,
        "fundraising_hidden": hidden.pk,
    }


def access_code_block(event_id: int, partner) -> int:
    from datetime import timedelta

    from events.models import EventPage
    from events.services import access_code_block_create

    event = EventPage.objects.get(pk=event_id)
    block = access_code_block_create(
        event=event,
        partner=partner,
        ticket_type=event.ticket_types.first(),
        places=2,
        expires_at=event.starts_at - timedelta(hours=1),
        actor=None,
    )
    return block.pk


def newsletters_objects() -> dict[str, int | str]:
    """Newsletters rows for the matrix: a public and a members' list; a subscription waiting
    for confirmation (its confirmation link) and a confirmed one (its unsubscribe link); the
    archive with an issue sent to each list and one never sent; a mailing."""
    from django.utils import timezone
    from wagtail.models import Page

    from newsletters.consent import SIGN_UP_VERSION
    from newsletters.models import Mailing, MailingList, NewsletterIndexPage, NewsletterPage, Subscription
    from newsletters.tokens import confirm_token, unsubscribe_token

    public = MailingList.objects.create(name="Matrix supporters", slug="matrix-supporters")
    members = MailingList.objects.create(name="Matrix members", slug="matrix-members", audience="members")

    def subscription(email, status):
        return Subscription.objects.create(
            mailing_list=public,
            email=email,
            status=status,
            method=Subscription.Method.SIGN_UP_FORM,
            consent_wording="Send me the newsletters I have ticked.",
            consent_version=SIGN_UP_VERSION,
        )

    home = Page.get_first_root_node().get_children().first()
    archive = home.add_child(instance=NewsletterIndexPage(title="Matrix newsletter", slug="matrix-news"))
    issues = {}
    for name, mailing_list in (("public", public), ("members", members), ("unsent", public)):
        issues[name] = archive.add_child(
            instance=NewsletterPage(title=f"Matrix {name} issue", slug=f"matrix-{name}", mailing_list=mailing_list)
        )
    mailings = [
        Mailing.objects.create(
            newsletter=issues[name], mailing_list=mailing_list, status="sent", send_at=timezone.now()
        )
        for name, mailing_list in (("public", public), ("members", members))
    ]
    return {
        "newsletter_confirm_token": confirm_token(subscription("waiting@example.org", "pending")),
        "newsletter_unsubscribe_token": unsubscribe_token(subscription("reading@example.org", "confirmed")),
        "newsletter_archive_url": archive.url,
        "newsletter_public_issue_url": issues["public"].url,
        "newsletter_members_issue_url": issues["members"].url,
        "newsletter_unsent_issue_url": issues["unsent"].url,
        "newsletter_unsent_issue": issues["unsent"].pk,
        "newsletter_list": public.pk,
        "newsletter_mailing": mailings[0].pk,
    }


def voices_objects(users, other_member) -> dict[str, int | str]:
    """Survivor voices rows for the matrix: the partner's own request (waiting to be published)
    and another organisation's; opportunities the member is and is not eligible for; the
    member's engagement with an expense claim, and the member's consultation; another member's
    engagement."""
    from django.core.files.base import ContentFile

    from training.tests.factories import make_course
    from voices.models import ExpenseClaim, Kind
    from voices.tests.factories import make_engagement, make_opportunity, make_request

    uk = ChapterFactory()
    partner = users["partner"].partner_contact.organisation
    own_request = make_request(chapter=uk, partner=partner, token="matrix-status-link-0123456789")
    other_request = make_request(chapter=uk, partner=PartnerContactFactory().organisation)
    eligible = make_opportunity(request=make_request(chapter=uk), eligible_chapter=uk)
    ineligible = make_opportunity(request=make_request(chapter=uk), eligible_course=make_course(modules=1))
    consultation_request = make_request(
        chapter=uk, kind=Kind.CONSULTATION, partner=partner, token="matrix-results-link-0123456789"
    )
    consultation = make_opportunity(request=consultation_request)
    engagement = make_engagement(eligible, users["member"])
    claim = ExpenseClaim.objects.create(
        engagement=engagement,
        description="Train ticket",
        amount_minor=1250,
        currency=engagement.currency,
        receipt=ContentFile(b"%PDF-1.4\n% a receipt\n", name="receipt.pdf"),
        receipt_type="application/pdf",
    )
    return {
        "uk_chapter": uk.pk,
        "voices_status_token": "matrix-status-link-0123456789",
        "voices_results_token": "matrix-results-link-0123456789",
        "own_voice_request": own_request.pk,
        "other_voice_request": other_request.pk,
        "voices_consultation_request": consultation_request.pk,
        "voices_consultation": consultation.pk,
        "eligible_opportunity": eligible.pk,
        "ineligible_opportunity": ineligible.pk,
        "own_engagement": engagement.pk,
        "own_consultation_engagement": make_engagement(consultation, users["member"]).pk,
        "other_engagement": make_engagement(make_opportunity(request=make_request(chapter=uk)), other_member).pk,
        "own_expense_claim": claim.pk,
    }


def test_every_url_in_the_matrix_covers_every_role():
    for _url, expected in MATRIX:
        assert set(expected) == set(ROLES)


@pytest.mark.django_db
def test_role_matrix_has_no_mismatches(client, people):
    users, ids = people
    mismatches = []
    for role in ROLES:
        client.logout()
        user = users[role]
        if user.is_authenticated:
            if role in GROUP_OF or role == "superuser":
                sign_in_with_second_factor(client, user)
            else:
                client.force_login(user)
        for template, expected in MATRIX:
            url = template.format(**ids)
            status = classify(client.get(url))
            if status != expected[role]:
                mismatches.append(f"{role:12} {url:50} expected {expected[role]}, got {status}")
    assert mismatches == []


@pytest.mark.django_db
def test_a_member_guessing_other_ids_gets_404_and_sees_no_data(client, people):
    users, ids = people
    client.force_login(users["member"])
    response = client.get(f"/account/applications/{ids['other_application']}/")
    assert response.status_code == 404
    # Own-data pages ignore any id in the address: they always show the signed-in member's data.
    export = client.get(f"/account/data/export.json?user={ids['other_profile']}").json()
    profiles = export["accounts.MemberProfile"]
    assert [row["id"] for row in profiles] == [users["member"].member_profile.pk]


@pytest.mark.django_db
def test_finance_sees_legal_name_but_not_access_needs_and_membership_the_reverse(client, db):
    profile = MemberProfileFactory(legal_name="Legalname Unique", access_needs="Needsword unique")
    finance = UserFactory(groups=["Finance"])
    membership = UserFactory(groups=["Membership"])
    sign_in_with_second_factor(client, finance)
    html = client.get(f"/admin/membership/members/{profile.pk}/").content.decode()
    assert "Legalname Unique" in html and "Needsword unique" not in html
    client.logout()
    sign_in_with_second_factor(client, membership)
    html = client.get(f"/admin/membership/members/{profile.pk}/").content.decode()
    assert "Legalname Unique" not in html and "Needsword unique" in html


@pytest.mark.django_db
def test_partner_sees_only_status_never_the_email_or_note(client, db):
    from accounts.services import referral_create

    contact = PartnerContactFactory()
    referral_create(contact=contact, email="hidden.person@example.org", note="Private note text")
    client.force_login(contact.user)
    html = client.get("/partners/referrals/").content.decode()
    assert "Invited" in html
    assert "hidden.person" not in html and "Private note text" not in html
