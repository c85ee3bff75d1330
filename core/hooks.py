"""Every contract between apps that is not a direct import: Wagtail hooks and Django signals.

DESIGN.md's layers (core <- cms <- accounts <- payments, certificates <- training, events)
let an app import only the apps below it. Where a lower app needs something from an upper
one, it calls a Wagtail hook that the upper app answers, or sends a signal that the upper
app receives. Each such contract is written here once: its name (a constant, so a typo
fails at import), its signature, who calls it, who answers, and what the answer means.
`core/tests/test_hooks.py` fails when a `thrive_` hook is registered or called anywhere
under a name that is not a constant below.

Register and call with the constant, never the string:

    from wagtail import hooks
    from core.hooks import ACCOUNT_PANELS_HOOK

    @hooks.register(ACCOUNT_PANELS_HOOK)
    def my_learning_panel(request): ...

Answers are gathered in registration order; where the order matters (what a page shows
first) the answerer passes `order=` to `hooks.register`.


Wagtail hooks
=============

ACCOUNT_PANELS_HOOK  `thrive_account_panels`
    provider(request) -> dict | None
    Called by `accounts.views.account_panels` for the member's home page; answered by
    training (My learning), events (My bookings), certificates (My certificates). None means
    no panel; otherwise

        {"key": "learning", "title": "My learning", "order": 10,
         "items": [{"title": ..., "url": ... or None, "detail": "...",
                    "links": [{"label": "Download (PDF)", "aria_label": "Download ... (PDF)", "url": ...}]}],
         "empty": "What to say when there are no items",
         "links": [{"label": "All my bookings", "url": ...}]}

    Panels are shown in their `order` (100 when missing). Reads only, for `request.user`.

PERIODIC_TASKS_HOOK  `thrive_periodic_tasks`
    get_task() -> django.tasks.Task
    Called by `manage.py schedule_tasks` (core/management/commands), which queues the first run of each task
    that has none waiting; answered by accounts (`retention_purge`), events (housekeeping,
    reminders), payments (reconciliation, retention). The task re-queues itself after each
    run with `core.tasks.requeue_after`, takes no arguments and is idempotent.

HOME_LISTINGS_HOOK  `thrive_home_listings`
    provider(request) -> dict | None
    Called by cms's `{% home_listings %}` tag on the home page; answered by training
    (upcoming courses), events (upcoming events), payments (open campaigns). The answer is
    {"title": str, "items": [objects or dicts with "title", "url", "when"], "more_url": str | None};
    a listing without items is not shown. The home page is cached: nothing per visitor.

CHAPTER_LISTINGS_HOOK  `thrive_chapter_listings`
    provider(*, chapter: cms.models.Chapter, request) -> dict | None
    Called by `cms.models.ChapterPage.get_context` for a chapter's page; answered by events
    (the chapter's upcoming events) and training (its courses with a run coming up), with
    the same answer as HOME_LISTINGS_HOOK ("more_url": the listing filtered by the
    chapter). A fixed number of queries whatever the number of items (tests assert it).
    Reads only; nothing per visitor (the page is cached).

CAMPAIGN_SECTIONS_HOOK  `thrive_campaign_sections`
    provider(*, campaign: payments.models.CampaignPage, request) -> dict | None
    Called by `payments.views.donation_page_serve` for a campaign's page (payments does not
    know who else raises money for a campaign); answered by fundraising (supporters' pages:
    "Fundraise for <campaign>" and the campaign's approved pages). None means nothing to
    show; otherwise

        {"key": "fundraising", "title": "Supporters’ pages", "order": 10,
         "intro": "A sentence under the title" or "",
         "action": {"label": "Fundraise for ...", "url": ...} or None,
         "items": [{"title": ..., "url": ..., "detail": "Jo · £25.00 raised"}],
         "empty": "What to say when there are no items" or "",
         "more": {"label": "See all ...", "url": ...} or None}

    Sections are shown in their `order` (100 when missing); one without action nor items is
    not shown. Nothing per visitor: the page may be cached for anonymous visitors
    (core.page_cache), so an answerer whose answer changes without a publish calls
    `core.page_cache.depends_on(request, key)` before reading and bumps that key when it
    changes. A fixed number of queries whatever the number of items.

SPONSORSHIP_TARGETS_HOOK  `thrive_sponsorship_targets`
    sponsorship_targets(page_ids: list[int] | None = None) -> list[payments.sponsorship.SponsorshipTarget]
    Called by `payments.sponsorship` (payments does not know which pages can be
    sponsored); answered by events (order=10) and training (order=20), in the order the
    donation form offers them. With `page_ids` None: what a donor may earmark a gift for
    now (at most 20, in the order to show them). Otherwise: those of `page_ids` the app
    owns, whatever their state (to price a place on an event that has passed). Reads only.

TICKET_DETAILS_HOOK  `thrive_ticket_details`
    ticket_details(item_references: list[str]) -> dict[str, payments.tickets.TicketDetails]
    Called by `payments.tickets` for the confirmation and checkout pages; answered by events
    for the references it owns (`OrderLine.item_reference`, e.g. "registration:12"),
    leaving the others out. Payments stores a reference and hands it back, never reads it.
    Reads only.

TICKETS_HOLD_EXTEND_HOOK  `thrive_tickets_hold_extend`
    tickets_hold_extend(item_references: list[str]) -> list[datetime]
    Called by `payments.tickets` when a payer asks for more time; answered by events, which
    extends the holds it can and answers until when each ticket it still holds is held.

CERTIFICATE_SOURCES_HOOK  `thrive_certificate_sources`
    certificate_sources() -> dict[str, {"label": str, "qualifying": callable}]
    Called by `certificates.tasks.bulk_sources` (staff bulk issuing); answered by training
    (cohorts) and events (attended events). `qualifying()` returns an iterable of keyword
    arguments for `certificates.services.certificate_issue`, one per person who qualifies.

CERTIFICATE_MANAGERS_HOOK  `thrive_certificate_managers`
    certificate_managers(source_key: str) -> set[int]
    Called by `certificates.views_admin` to decide whether a trainer may revoke or reissue a
    certificate; answered by training: the user ids of the trainers of the cohort whose
    learner holds a certificate issued for `source_key` ("training.enrolment:<pk>"), an
    empty set for any other source.

CALENDAR_FEEDS_HOOK  `thrive_calendar_feeds`
    calendar_feed(token: str) -> dict
    Called by `accounts.calendar.calendar_feed_addresses` for the account's calendar page
    (`accounts:calendar`), right after the person made a new private calendar secret (the
    only moment its token is known: only its hash is kept); answered by training (My
    learning, order=10) and events (My bookings, order=20). The answer is
    {"key": "learning", "label": "My learning", "path": the feed's path for that token}.
    The feed views themselves look the token up with `accounts.calendar.calendar_feed_user`
    and write nothing. Reads only.

SEED_DEMO_HOOK  `thrive_seed_demo`
    add_demo_content(password: str) -> None
    Called by cms's `manage.py seed_demo` inside one transaction, after the pages and the
    demo staff login exist; answered by accounts, training, events, payments, certificates.
    Idempotent: running the command twice adds nothing. `password` is the demo logins' one.

SEED_SCALE_HOOK  `thrive_seed_scale`
    add_scale_content(*, scale: core.seeding.ScaleRequest, timings: core.seeding.Timings) -> None
    Called by core's `manage.py seed_scale` inside one transaction, on top of the demo
    content; answered, in this order, by accounts (order=10: chapters, members, consents,
    applications, referrals), payments (20: donations, monthly gifts, Gift Aid), training
    (30: courses, cohorts, enrolments, attendance) and events (40: event pages, tickets,
    registrations and their orders). Each finds the accounts the run made by
    `scale.email_suffix`, writes in bulk (core.seeding) and times each table with
    `timings.table(label)`. Not idempotent: the command refuses a second run unless asked.

LOCAL_SERVICES_HOOK  `thrive_local_services`
    start_local_service() -> tuple[str, subprocess.Popen, str] | None
    Called by core's `manage.py serve_local` (what `make run` starts) before the site starts;
    answered by payments (localstripe, when STRIPE_API_BASE points at this machine). Answers
    (name, the started process, a note for the start-up message) once the service answers,
    or None when there is nothing to start here. serve_local stops it with the rest.


PERSONAL_DATA_HOOK  `thrive_personal_data`
    personal_data() -> core.personal_data.PersonalData
    The erasure and export contract. Called by `core.personal_data.answers()`, which
    `accounts.export` (the member's data export: the rows every answer finds) and
    `accounts.erasure` (Membership confirming an erasure: every answer erases the rows all
    answers found, in one transaction) use; answered by every app that has models: cms
    (its snippets and pages, Wagtail's models; form submissions holding the address,
    Wagtail's and Django admin's log entries about the member's rows), accounts (account,
    profile, applications, referrals, sign-in records, sessions), payments
    (`payments.erasure`), certificates, training, events (bookings and waiting lists by
    account and by address, guest bookings included) and taskworker (the task queue:
    queued tasks naming the member's rows or address are deleted, finished ones lose the
    address). Core answers for itself and the Django models no app owns. The answer says
    which fields hold personal data and which text fields do not (a test fails for an
    undeclared one), which of the app's tasks name a member's rows, how the member's rows
    are found (by account and by the address the account had) and how they are erased:
    personal fields emptied or replaced by `erased-<kind>-<id>@erased.invalid` (an address
    `core.email.email_send` never delivers to), or the rows deleted; what the law or the
    audit needs (amounts, dates, counts, statuses) is kept. Erasing twice changes nothing
    more and raises nothing. No email is sent.

Other names
===========

SECRETS_CHECK_TAG  `thrive_secrets`
    The Django system-check tag of `core.deploy_checks.check_published_secrets`
    (`manage.py check --tag thrive_secrets`).

EXPORTS_SAFE_MARKER  `thrive_exports_safe`
    The attribute `cms.submissions.make_wagtail_exports_safe` sets on Wagtail's
    SpreadsheetExportMixin once it has wrapped it, so it wraps only once.


Signals
=======

Signal objects live in their sender's `signals.py` (receivers import them from there: the
receiver's app is above the sender's). Contracts:

`payments.signals.payment_succeeded`  (sender=Order)
    Sent once, when an order becomes paid (its payment was re-fetched from Stripe and found
    paid for the right amount), inside the transaction that marks it paid and under the
    order's row lock. Arguments: `order_reference` (str), `item_references` (list of str:
    the order's ticket lines' references, in line order; empty for a donation-only order).
    Received by events (`events/receivers.py`), which confirms the references it owns
    (idempotently: sending twice is harmless) and answers
    `{"confirmed": [references], "refused": [references]}`. A reference no receiver
    confirmed holds no place (cancelled, or its hold expired and the event filled up), so
    payments flags the order for a refund: no money is kept for something that does not
    exist. Receivers move no money.

`payments.signals.payment_refunded`  (sender=Order)
    Sent after the transaction that recorded more money refunded on a payment has committed
    (a Finance refund, a ticket refund, or one made in Stripe's dashboard). Arguments:
    `order_reference`, `item_references` (the order's ticket lines), `amount_refunded_minor`
    (the payment's refunded total so far), `fully_refunded` (bool). Informational: nothing
    in payments depends on an answer.

`payments.signals.sponsorship_changed`  (sender=Donation)
    Sent when the sponsored places of a page have been recounted from its succeeded,
    unrefunded earmarked gifts (`sponsored_places_recount`, run by a task). Arguments:
    `page_id` (the event or course page), `places` (the whole number of places the gifts pay
    for: an absolute count, never a difference), `given_minor`, `place_minor` (what one place
    costs). Received by events (adds the places to the event's first funded ticket type,
    under the event's lock) and training (keeps the course's count). Sending it twice
    changes nothing. Moves no money. No answer.

`payments.signals.donation_recorded`  (sender=Donation)
    Sent when an order's donations are recorded (its payment settled as paid), inside that
    transaction and under the order's row lock, for the donation lines another app started
    with its own `DonationChoice.item_reference`. Argument: `donations` (list of
    `(donation_id, item_reference)`). Received by fundraising (`fundraising/receivers.py`),
    which counts the gift towards its page (and so its team) and queues the fundraiser's
    email after commit. Sent once per donation (a donation is recorded once); receivers are
    idempotent anyway. Moves no money. No answer.

`payments.signals.donation_refunded`  (sender=Donation)
    Sent when donations are marked refunded (their order refunded in full), inside that
    transaction under the order's lock, for those with an `item_reference`. Argument:
    `donations` (list of `(donation_id, item_reference)`). Received by fundraising, which
    stops counting them (page, team; the campaign's total drops with `Donation.refunded`).
    Idempotent. Moves no money. No answer.

`events.signals.event_cancelled`  (sender=EventPage)
    Sent once, after the transaction that cancelled an event has committed. Arguments:
    `event` (the EventPage), `registrations` (the Registrations it cancelled, paid or not;
    a paid one has `paid_at` set and `amount_minor` > 0), `actor` (the staff user),
    `reason` (text shown to attendees). Events' own receiver asks payments to refund every
    one paid online (`paid_at_door` False; money taken at the door is returned by hand).
    Receivers are idempotent and queue their work (a task) rather than call a payment
    provider inline. No answer.

`events.signals.ticket_cancelled`  (sender=Registration)
    Sent after the transaction in which a holder cancelled their own ticket (before the
    self-service cut-off) has committed. Argument: `registration`. Events' receiver asks
    payments to refund it when it was paid online, on the terms of `event_cancelled`.
"""

ACCOUNT_PANELS_HOOK = "thrive_account_panels"
PERIODIC_TASKS_HOOK = "thrive_periodic_tasks"
HOME_LISTINGS_HOOK = "thrive_home_listings"
CHAPTER_LISTINGS_HOOK = "thrive_chapter_listings"
CAMPAIGN_SECTIONS_HOOK = "thrive_campaign_sections"
SPONSORSHIP_TARGETS_HOOK = "thrive_sponsorship_targets"
TICKET_DETAILS_HOOK = "thrive_ticket_details"
TICKETS_HOLD_EXTEND_HOOK = "thrive_tickets_hold_extend"
CERTIFICATE_SOURCES_HOOK = "thrive_certificate_sources"
CERTIFICATE_MANAGERS_HOOK = "thrive_certificate_managers"
SEED_DEMO_HOOK = "thrive_seed_demo"
SEED_SCALE_HOOK = "thrive_seed_scale"
CALENDAR_FEEDS_HOOK = "thrive_calendar_feeds"
LOCAL_SERVICES_HOOK = "thrive_local_services"
PERSONAL_DATA_HOOK = "thrive_personal_data"

SECRETS_CHECK_TAG = "thrive_secrets"
EXPORTS_SAFE_MARKER = "thrive_exports_safe"

HOOK_NAMES = frozenset(
    {
        ACCOUNT_PANELS_HOOK,
        PERIODIC_TASKS_HOOK,
        HOME_LISTINGS_HOOK,
        CHAPTER_LISTINGS_HOOK,
        CAMPAIGN_SECTIONS_HOOK,
        SPONSORSHIP_TARGETS_HOOK,
        TICKET_DETAILS_HOOK,
        TICKETS_HOLD_EXTEND_HOOK,
        CERTIFICATE_SOURCES_HOOK,
        CERTIFICATE_MANAGERS_HOOK,
        SEED_DEMO_HOOK,
        SEED_SCALE_HOOK,
        CALENDAR_FEEDS_HOOK,
        LOCAL_SERVICES_HOOK,
        PERSONAL_DATA_HOOK,
    }
)
