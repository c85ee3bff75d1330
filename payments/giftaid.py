"""UK Gift Aid: the declaration donors agree to, and HMRC's claim schedule layout."""

# Changing the wording means a new version: declarations keep the text they agreed to.
DECLARATION_VERSION = "2026-01"
DECLARATION_TEXT = (
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
