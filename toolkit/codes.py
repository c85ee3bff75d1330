"""The partner's access code blocks, as the partner home shows them: how many of each block
were used, never by whom. The blocks themselves are events' (issue 19, part 2)."""


def partner_code_blocks(organisation) -> list[dict]:
    """[{"label", "used", "total", "expires", "download_url"}] for the partner's blocks."""
    try:
        from events.selectors import partner_allocations
    except ImportError:  # access codes not built yet
        return []
    return list(partner_allocations(organisation))
