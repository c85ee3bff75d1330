"""The offline door (issue 21), server side: signed ticket tokens and their keys, the offline
list the door downloads (no names), the sync of scans made offline (replay-safe, two doors
count once), key rotation, and who may use each URL."""

import base64
import json
import subprocess
from datetime import timedelta

import pytest
import zxingcpp
from cryptography.exceptions import InvalidTag
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from PIL import Image

from accounts.tests.factories import UserFactory, sign_in_with_second_factor
from events import documents, door_tokens
from events.models import DoorKey, DoorScan, Registration
from events.services import door_key_rotate, door_scans_sync, registration_cancel
from events.tests.factories import RegistrationFactory, make_event

pytestmark = pytest.mark.django_db

Status = Registration.Status
XHR = {"X-Requested-With": "XMLHttpRequest"}


def confirmed(event, **fields):
    return RegistrationFactory(event=event, status=Status.CONFIRMED, **fields)


@pytest.fixture
def staff_client(client):
    sign_in_with_second_factor(client, UserFactory(groups=["Event staff"]))
    return client


def flip_byte(token: str, index: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[index] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def sync(client, event, scans, device="device-0001"):
    body = json.dumps({"device": device, "scans": scans})
    return client.post(f"/admin/events/{event.pk}/check-in/sync/", body, "application/json", headers=XHR)


def test_a_ticket_token_names_the_ticket_event_and_type_and_is_small_enough_for_a_small_qr_code():
    event = make_event()
    ticket = confirmed(event)
    token = door_tokens.ticket_token(ticket)
    read = door_tokens.token_read(token, event=event)
    assert (read.ticket_id, read.event_id, read.ticket_type_id) == (ticket.pk, event.pk, ticket.ticket_type_id)
    assert read.valid_from <= event.starts_at.date() <= read.valid_until
    assert len(token) == 114


def test_the_private_key_is_stored_sealed_and_never_in_the_clear():
    event = make_event()
    door_tokens.ticket_token(confirmed(event))
    key = DoorKey.objects.get(event=event)
    private = door_tokens._unseal(key)
    from cryptography.hazmat.primitives import serialization

    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    assert raw not in bytes(key.private_key_sealed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_key_sealed FROM events_doorkey WHERE id = %s", [key.pk])
        assert raw not in bytes(cursor.fetchone()[0])


def test_a_key_sealed_under_another_secret_key_cannot_sign(settings):
    event = make_event()
    ticket = confirmed(event)
    door_tokens.ticket_token(ticket)
    settings.SECRET_KEY = "another-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    with pytest.raises(InvalidTag):
        door_tokens.ticket_token(ticket)


def test_a_token_with_one_byte_changed_is_refused():
    event = make_event()
    token = door_tokens.ticket_token(confirmed(event))
    with pytest.raises(door_tokens.TokenRefused) as refused:
        door_tokens.token_read(flip_byte(token, 2), event=event)
    assert refused.value.reason == "signature"


def test_a_token_of_another_event_is_refused_as_such():
    event, other = make_event(), make_event()
    token = door_tokens.ticket_token(confirmed(other))
    with pytest.raises(door_tokens.TokenRefused) as refused:
        door_tokens.token_read(token, event=event)
    assert refused.value.reason == "other_event"


def test_the_ticket_pdfs_qr_code_holds_the_signed_token(tmp_path):
    ticket = confirmed(make_event())
    (tmp_path / "ticket.pdf").write_bytes(documents.ticket_pdf(ticket))
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(tmp_path / "ticket.pdf"), str(tmp_path / "t")])
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "t.png"))
    assert door_tokens.token_read(found[0].text, event=ticket.event).ticket_id == ticket.pk


def test_scanning_a_token_online_checks_the_ticket_in(staff_client):
    event = make_event()
    ticket = confirmed(event, attendee_name="Ada Door")
    body = json.dumps({"token": door_tokens.ticket_token(ticket), "attempt": "attempt-0001"})
    answer = staff_client.post(f"/admin/events/{event.pk}/check-in/scan/", body, "application/json", headers=XHR)
    assert answer.json()["outcome"] == "checked_in"
    ticket.refresh_from_db()
    assert ticket.status == Status.CHECKED_IN


def test_a_passed_on_tickets_old_token_is_refused_online(staff_client):
    event = make_event()
    ticket = confirmed(event)
    old = door_tokens.ticket_token(ticket)
    Registration.objects.filter(pk=ticket.pk).update(code="ZZZZ-ZZZZ-ZZZZ")
    body = json.dumps({"token": old, "attempt": "attempt-0002"})
    answer = staff_client.post(f"/admin/events/{event.pk}/check-in/scan/", body, "application/json", headers=XHR)
    assert answer.json()["outcome"] == "refused"
    assert "replaced" in answer.json()["message"]


def test_the_offline_list_holds_ids_and_hashed_codes_but_no_names_emails_codes_or_ticket_types(staff_client):
    event = make_event()
    kept = confirmed(event, attendee_name="Zelda Secretname", email="zelda@example.org")
    gone = confirmed(event)
    registration_cancel(registration=gone, actor=None)
    response = staff_client.get(f"/admin/events/{event.pk}/check-in/data.json")
    text = response.content.decode()
    data = response.json()
    assert data["cancelled"] == [gone.pk]
    key = DoorKey.objects.get(event=event)
    assert data["tickets"] == [[kept.pk, door_tokens.code_hash(key.salt, kept.code)[:16].hex()]]
    for secret in ("Zelda", "zelda@example.org", kept.code, gone.code, kept.ticket_type.name):
        assert secret not in text
    assert "private" not in text
    assert "no-store" in response["Cache-Control"]


def test_the_shell_page_kept_for_offline_use_shows_no_names(staff_client):
    event = make_event()
    ticket = confirmed(event, attendee_name="Shelly Hidden")
    staff_client.post(f"/admin/events/{event.pk}/check-in/", {"code": ticket.code, "action": "check_in"})
    assert "Shelly Hidden" in staff_client.get(f"/admin/events/{event.pk}/check-in/").content.decode()
    assert "Shelly Hidden" not in staff_client.get(f"/admin/events/{event.pk}/check-in/offline/").content.decode()


def test_the_service_worker_is_javascript_scoped_to_the_door_page(staff_client):
    event = make_event()
    response = staff_client.get(f"/admin/events/{event.pk}/check-in/worker.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == f"/admin/events/{event.pk}/check-in/"
    assert f'"shell": "/admin/events/{event.pk}/check-in/offline/"' in response.content.decode()


def test_the_manifest_makes_the_door_page_installable(staff_client):
    event = make_event()
    manifest = staff_client.get(f"/admin/events/{event.pk}/check-in/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    assert manifest.json()["start_url"] == f"/admin/events/{event.pk}/check-in/"


def test_syncing_offline_scans_checks_each_ticket_in_once_and_a_replay_counts_nothing_more(staff_client):
    event = make_event()
    tickets = [confirmed(event) for _ in range(3)]
    at = int((timezone.now() - timedelta(minutes=5)).timestamp() * 1000)
    scans = [{"id": f"scan-{t.pk:08d}", "ticket": t.pk, "at": at} for t in tickets]
    first = sync(staff_client, event, scans).json()
    again = sync(staff_client, event, scans).json()
    assert [r["outcome"] for r in first["results"]] == ["checked_in"] * 3
    assert again["results"] == first["results"]
    assert Registration.objects.filter(event=event, status=Status.CHECKED_IN).count() == 3
    assert DoorScan.objects.filter(event=event).count() == 3
    assert first["counts"] == {"expected": 3, "in": 3}


def test_a_ticket_scanned_offline_keeps_the_time_it_was_scanned():
    event = make_event()
    ticket = confirmed(event)
    at = timezone.now() - timedelta(minutes=42)
    door_scans_sync(
        event=event, device_id="device-a001", scans=[{"id": "scan-a0001", "ticket": ticket.pk, "at": at}], actor=None
    )
    ticket.refresh_from_db()
    assert ticket.checked_in_at == at


def test_two_doors_scanning_one_ticket_offline_count_it_once_and_report_the_second(staff_client):
    event = make_event()
    ticket = confirmed(event, attendee_name="Twice Seen")
    early = int((timezone.now() - timedelta(minutes=10)).timestamp() * 1000)
    late = int((timezone.now() - timedelta(minutes=3)).timestamp() * 1000)
    sync(staff_client, event, [{"id": "scan-door1-001", "ticket": ticket.pk, "at": early}], device="device-door-1")
    answer = sync(
        staff_client, event, [{"id": "scan-door2-001", "ticket": ticket.pk, "at": late}], device="device-door-2"
    )
    result = answer.json()["results"][0]
    assert result["outcome"] == "duplicate"
    assert result["message"].startswith("Twice Seen: already in at ")
    assert "through door 1; scanned again at" in result["message"]
    assert result["message"].endswith("through door 2.")
    assert answer.json()["counts"]["in"] == 1
    page = staff_client.get(f"/admin/events/{event.pk}/check-in/").content.decode()
    assert "Scanned twice" in page and "Twice Seen: already in at" in page


def test_the_earlier_scan_counts_even_when_it_is_sent_later():
    event = make_event()
    ticket = confirmed(event)
    now = timezone.now()
    door_scans_sync(
        event=event,
        device_id="device-late",
        scans=[{"id": "scan-late-1", "ticket": ticket.pk, "at": now - timedelta(minutes=1)}],
        actor=None,
    )
    door_scans_sync(
        event=event,
        device_id="device-early",
        scans=[{"id": "scan-early-1", "ticket": ticket.pk, "at": now - timedelta(minutes=9)}],
        actor=None,
    )
    counted = DoorScan.objects.get(outcome=DoorScan.Outcome.CHECKED_IN)
    assert counted.scan_id == "scan-early-1"
    assert DoorScan.objects.get(outcome=DoorScan.Outcome.DUPLICATE).first == counted
    ticket.refresh_from_db()
    assert ticket.checked_in_at == now - timedelta(minutes=9)


def test_a_cancelled_ticket_synced_from_offline_is_refused_not_counted():
    event = make_event()
    ticket = confirmed(event)
    registration_cancel(registration=ticket, actor=None)
    [scan] = door_scans_sync(
        event=event,
        device_id="device-c001",
        scans=[{"id": "scan-c0001", "ticket": ticket.pk, "at": timezone.now()}],
        actor=None,
    )
    assert scan.outcome == DoorScan.Outcome.REFUSED
    assert Registration.objects.get(pk=ticket.pk).status == Status.CANCELLED


def test_another_events_ticket_id_synced_to_this_event_is_refused():
    event, other = make_event(), make_event()
    ticket = confirmed(other)
    [scan] = door_scans_sync(
        event=event,
        device_id="device-o001",
        scans=[{"id": "scan-o0001", "ticket": ticket.pk, "at": timezone.now()}],
        actor=None,
    )
    assert scan.outcome == DoorScan.Outcome.REFUSED
    assert Registration.objects.get(pk=ticket.pk).status == Status.CONFIRMED


def test_a_sync_that_is_not_understood_gets_a_clear_error_and_records_nothing(staff_client):
    event = make_event()
    response = staff_client.post(
        f"/admin/events/{event.pk}/check-in/sync/", "not json", "application/json", headers=XHR
    )
    assert response.status_code == 400
    assert response.json()["message"] == "That request was not understood."
    assert not DoorScan.objects.exists()


def test_the_sync_refuses_people_who_are_not_event_staff(client):
    event = make_event()
    ticket = confirmed(event)
    sign_in_with_second_factor(client, UserFactory())
    response = sync(client, event, [{"id": "scan-x0001", "ticket": ticket.pk, "at": 0}])
    assert response.status_code in (302, 403)
    assert Registration.objects.get(pk=ticket.pk).status == Status.CONFIRMED


def test_rotating_the_key_refuses_old_tokens_and_emails_each_holder_a_new_ticket(django_capture_on_commit_callbacks):
    event = make_event()
    ticket = confirmed(event, email="holder@example.org")
    old = door_tokens.ticket_token(ticket)
    with django_capture_on_commit_callbacks(execute=True):
        door_key_rotate(event=event)
    with pytest.raises(door_tokens.TokenRefused):
        door_tokens.token_read(old, event=event)
    assert door_tokens.token_read(door_tokens.ticket_token(ticket), event=event).ticket_id == ticket.pk
    assert [m.to for m in mail.outbox] == [["holder@example.org"]]
    assert mail.outbox[0].attachments[0][0] == f"ticket-{ticket.code}.pdf"
    assert DoorKey.objects.filter(event=event, retired_at__isnull=True).count() == 1


def test_the_rotate_command_makes_a_new_key(capsys):
    event = make_event()
    before = door_tokens.active_key(event)
    call_command("door_key_rotate", str(event.pk), "--no-email")
    assert door_tokens.active_key(event).pk != before.pk
    assert mail.outbox == []


def test_staff_rotate_the_key_from_the_event_dashboard_once_they_confirm(staff_client):
    event = make_event()
    before = door_tokens.active_key(event)
    staff_client.post(f"/admin/events/{event.pk}/door-key/rotate/")
    assert door_tokens.active_key(event).pk == before.pk  # not confirmed: nothing changes
    response = staff_client.post(f"/admin/events/{event.pk}/door-key/rotate/", {"confirm": "yes"})
    assert response.status_code == 302
    assert door_tokens.active_key(event).pk != before.pk


def test_people_who_are_not_event_staff_cannot_rotate_a_door_key(client):
    event = make_event()
    before = door_tokens.active_key(event)
    sign_in_with_second_factor(client, UserFactory())
    response = client.post(f"/admin/events/{event.pk}/door-key/rotate/", {"confirm": "yes"})
    assert response.status_code in (302, 403)
    assert door_tokens.active_key(event).pk == before.pk


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"device": "device-0001"},
        {"device": "short", "scans": []},
        {"device": "device-0001", "scans": "all"},
        {"device": "device-0001", "scans": [None, 1, "x", {"id": "scan-0000001"}]},
        {"device": "device-0001", "scans": [{"id": "scan-0000002", "ticket": 2**70, "at": "yesterday"}]},
        {"device": "device-0001", "scans": [{"id": "scan-0000003", "ticket": "1e9", "at": 10**30}]},
        {"device": "device-0001", "scans": [{"id": "<script>", "ticket": 1, "at": -1}]},
        {"device": {"nested": True}, "scans": [{"id": ["a"], "ticket": {"b": 1}}]},
    ],
)
def test_hostile_sync_bodies_get_an_answer_never_a_server_error_and_count_nobody(staff_client, payload):
    event = make_event()
    confirmed(event)
    response = staff_client.post(
        f"/admin/events/{event.pk}/check-in/sync/", json.dumps(payload), "application/json", headers=XHR
    )
    assert response.status_code in (200, 400)
    assert not Registration.objects.filter(event=event, status=Status.CHECKED_IN).exists()


@pytest.mark.parametrize("token", ["", "x" * 300, "A" * 114, "!!!!" * 30, "AQ" + "_" * 112])
def test_hostile_tokens_scanned_online_are_refused_plainly(staff_client, token):
    event = make_event()
    body = json.dumps({"token": token, "code": "", "attempt": "attempt-0009"})
    answer = staff_client.post(f"/admin/events/{event.pk}/check-in/scan/", body, "application/json", headers=XHR)
    assert answer.status_code == 200
    assert answer.json()["outcome"] == "refused"
