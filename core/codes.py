"""Random codes people read from paper and type back (certificates, tickets)."""

import secrets

# Crockford's base 32: no I, L, O or U, so 0 and 1 cannot be misread; typed I, L and O are
# mapped back. Each symbol carries 5 bits.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MISREADINGS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def random_code(symbols: int, group: int = 4) -> str:
    """`symbols` random Crockford symbols (5 bits each), grouped like XXXX-XXXX."""
    raw = "".join(secrets.choice(CROCKFORD) for _ in range(symbols))
    return "-".join(raw[i : i + group] for i in range(0, symbols, group))


def normalise_code(text: str, group: int = 4) -> str:
    """What a person typed, in the stored form: upper case, misreadings mapped, grouped."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum()).translate(MISREADINGS)
    return "-".join(cleaned[i : i + group] for i in range(0, len(cleaned), group))
