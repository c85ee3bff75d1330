"""core.locking: refuses outside a transaction (SQLite too); on PostgreSQL a waiter gives up
after the bounded wait instead of hanging (two real connections)."""

import threading

import pytest
from django.db import OperationalError, connections, transaction
from django.db.transaction import TransactionManagementError

from core.locking import connection_lock_wait_seconds, for_update, is_lock_timeout
from core.models import RateCounter


@pytest.mark.django_db(transaction=True)  # not wrapped in the test's own transaction
def test_taking_a_row_lock_outside_a_transaction_is_refused():
    with pytest.raises(TransactionManagementError):
        for_update(RateCounter.objects.all())


@pytest.mark.django_db
def test_inside_a_transaction_it_is_a_select_for_update():
    with transaction.atomic():
        queryset = for_update(RateCounter.objects.all())
        assert queryset.query.select_for_update
        assert list(queryset) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_waiter_gives_up_after_the_bounded_wait_on_postgresql():
    from django.utils import timezone

    row = RateCounter.objects.create(key="lock-test", expires_at=timezone.now(), count=1)
    held = threading.Event()
    release = threading.Event()

    def holder():
        with transaction.atomic():
            list(for_update(RateCounter.objects.filter(pk=row.pk)))
            held.set()
            release.wait(10)
        connections.close_all()

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(10)
    try:
        with pytest.raises(OperationalError) as raised, transaction.atomic():
            list(for_update(RateCounter.objects.filter(pk=row.pk), wait_seconds=1))
        assert is_lock_timeout(raised.value)
    finally:
        release.set()
        thread.join()


@pytest.mark.postgres
@pytest.mark.django_db
def test_every_postgresql_connection_starts_with_the_bounded_lock_wait(settings):
    assert connection_lock_wait_seconds() == settings.DATABASE_LOCK_WAIT_SECONDS == 10
