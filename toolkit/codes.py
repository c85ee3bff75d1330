"""The partner's access code blocks, as the partner home shows them: how many of each block
were used, never by whom. The blocks themselves are events' (issue 19, allocated places)."""

from events.selectors import partner_allocations


def partner_code_blocks(organisation) -> list[dict]:
    """The partner's blocks as events.selectors.partner_allocations gives them: event_title,
    event_url, event_start, ticket_type_name, places, used, expires_at, expired, revoked,
    csv_url. Counts only: nothing about who used a code."""
    return list(partner_allocations(organisation))
