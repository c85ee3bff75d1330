"""Allocated places under load, on PostgreSQL where the row locks are real: bookings with
codes and public sales for an event's last places never oversell."""

import random
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.tests.factories import PartnerOrganisationFactory
from events import services
from events.availability import places_left
from events.models import Registration
from events.tests.factories import make_event

pytestmark = [pytest.mark.postgres, pytest.mark.many_connections, pytest.mark.django_db(transaction=True)]

ROUNDS, CLIENTS = 20, 50
CAPACITY, CODED = 8, 3  # 5 places on public sale, 3 held for codes


def coded_event():
    event = make_event(
        capacity=CAPACITY,
        tickets=[
            {"name": "Standard", "quantity": CAPACITY},
            {"name": "Funded place", "quantity": CAPACITY, "funded": True, "hidden": True},
        ],
    )
    block = services.access_code_block_create(
        event=event,
        partner=PartnerOrganisationFactory(),
        ticket_type=event.ticket_types.get(hidden=True),
        places=CODED,
        expires_at=event.starts_at - timedelta(days=1),
        actor=None,
    )
    return event, block


def race(event, codes: list[str]) -> tuple[list[BaseException], dict[str, int]]:
    """CLIENTS at once: most buy publicly, some type a code (every code is tried twice)."""
    standard = event.ticket_types.get(hidden=False)
    attempts = [("code", code) for code in codes * 2]
    attempts += [("public", None)] * (CLIENTS - len(attempts))
    random.shuffle(attempts)
    barrier = threading.Barrier(CLIENTS)
    errors: list[BaseException] = []
    refused: dict[str, int] = {}
    lock = threading.Lock()

    def book(n, kind, code):
        try:
            barrier.wait()
            if kind == "code":
                services.registration_reserve_with_code(event=event, code=code, email=f"c{n}@example.org")
            else:
                services.registration_reserve(event=event, ticket_type=standard, email=f"p{n}@example.org")
        except ValidationError as error:
            with lock:
                refused[error.code] = refused.get(error.code, 0) + 1
        except BaseException as error:  # noqa: BLE001 - anything else is a server error
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(n, *attempt)) for n, attempt in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors, refused


def test_fifty_code_and_public_bookings_for_the_last_places_never_oversell_in_twenty_rounds(wagtail_tree):
    for round_number in range(ROUNDS):
        event, block = coded_event()
        codes = list(block.codes.values_list("code", flat=True))
        errors, refused = race(event, codes)
        assert errors == [], f"round {round_number}: {errors[:3]}"
        held = Registration.objects.filter(event=event, status__in=Registration.HOLDS_PLACE)
        assert held.count() == CAPACITY, f"round {round_number}: {held.count()} places taken"
        # Every code booked exactly once, and the public never took a coded place.
        assert held.filter(ticket_type__hidden=True).count() == CODED
        assert held.filter(ticket_type__hidden=False).count() == CAPACITY - CODED
        assert refused.get("used_code") == CODED, f"round {round_number}: {refused}"
        assert places_left(event) == 0


def test_an_expired_block_returns_its_unused_places_to_public_sale(wagtail_tree):
    event, block = coded_event()
    standard = event.ticket_types.get(hidden=False)
    for n in range(CAPACITY - CODED):
        services.registration_reserve(event=event, ticket_type=standard, email=f"p{n}@example.org")
    with pytest.raises(ValidationError):
        services.registration_reserve(event=event, ticket_type=standard, email="late@example.org")
    after = block.expires_at + timedelta(minutes=1)
    assert places_left(event, now=after) == CODED
    for n in range(CODED):
        services.registration_reserve(event=event, ticket_type=standard, email=f"l{n}@example.org", now=after)
    with pytest.raises(ValidationError) as refused:
        services.registration_reserve(
            event=event, ticket_type=standard, email="last@example.org", now=after + timedelta(seconds=1)
        )
    assert refused.value.code == "sold_out"
    assert Registration.objects.filter(event=event).count() == CAPACITY
