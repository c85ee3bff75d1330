"""UK Gift Aid: the declaration donors agree to, and HMRC's claim schedule layout and rows."""

from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.money import format_major

# Changing the wording means a new version: declarations keep the text they agreed to (in the
# language they read it in: the donor's own words are what they declared).
DECLARATION_VERSION = "2026-01"
DECLARATION_TEXT = gettext_lazy(
    "I want to Gift Aid my donation and any donations I make in the future or have made in the past "
    "4 years to Thrive. I am a UK taxpayer and understand that if I pay less Income Tax and/or Capital "
    "Gains Tax than the amount of Gift Aid claimed on all my donations in that tax year it is my "
    "responsibility to pay any difference."
)

# The columns of HMRC's Charities Online Gift Aid schedule (the spreadsheet uploaded with a claim).
SCHEDULE_COLUMNS = [
    "Title",
    "First name or initial",
    "Last name",
    "House name or number",
    "Postcode",
    "Aggregated donations",
    "Sponsored event",
    "Donation date",
    "Amount",
]

# HMRC lets donations of 20.00 or less be added together on one schedule row, up to
# 1,000.00 a row, with no donor details; the row's date is that of its last donation.
AGGREGATE_MAX_DONATION_MINOR = 2000
AGGREGATE_MAX_ROW_MINOR = 100000
AGGREGATE_DESCRIPTION = "Small donations"  # at most 35 characters
SPONSORED_YES = "Yes"  # HMRC's schedule: "Yes" in the Sponsored event column, else blank


def gift_aid_rows(donations, *, aggregate_small: bool = False) -> list[list[str]]:
    """The Charities Online schedule's rows, in its column order: one per donation, or with
    `aggregate_small`, donations of 20.00 or less added together (HMRC's aggregated
    donations: up to 1,000.00 a row, no donor details, dated by the row's last donation)
    after the rows of the larger ones. A donation for a sponsored event (`sponsored_event`:
    given through a supporter's page for a sponsored challenge) says "Yes" in that column and
    is never aggregated (HMRC: sponsored donations may not be added together)."""
    rows, small = [], []
    for donation in donations:
        sponsored = getattr(donation, "sponsored_event", False)
        if aggregate_small and donation.amount_minor <= AGGREGATE_MAX_DONATION_MINOR and not sponsored:
            small.append(donation)
            continue
        declaration = donation.gift_aid_declaration
        rows.append(
            [
                declaration.title,
                declaration.first_name,
                declaration.last_name,
                declaration.house_name_or_number,
                declaration.postcode,
                "",  # aggregated donations: this one is claimed on its own row
                SPONSORED_YES if sponsored else "",
                f"{timezone.localtime(donation.donated_at):%d/%m/%y}",
                format_major(donation.amount_minor, "GBP"),
            ]
        )
    batch: list = []
    for donation in [*small, None]:
        full = donation is not None and sum(d.amount_minor for d in batch) + donation.amount_minor > (
            AGGREGATE_MAX_ROW_MINOR
        )
        if batch and (donation is None or full):
            total = sum(d.amount_minor for d in batch)
            last = max(d.donated_at for d in batch)
            description = f"{AGGREGATE_DESCRIPTION} ({len(batch)})"
            day = f"{timezone.localtime(last):%d/%m/%y}"
            rows.append(["", "", "", "", "", description, "", day, format_major(total, "GBP")])
            batch = []
        if donation is not None:
            batch.append(donation)
    return rows
