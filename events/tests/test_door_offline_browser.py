"""The offline door in Chromium (issue 21): with no connection the door page still opens,
reads real ticket PDFs through its own decoder (jsQR), checks each ticket's signature on the
device and queues the scan; back online the server has each check-in once. Two doors scanning
one ticket count it once and report the second. Cancelled tickets, other events' tickets,
tokens signed with another key and tokens with one byte changed are refused offline. A typed
code works offline against the hashed list. Nothing the device keeps names anyone."""

import base64
import json
import subprocess

import pytest
import segno

pytestmark = pytest.mark.browser

EVENT = "survivor-leadership-gathering"

MAKE_TICKETS = """
import json
from pathlib import Path
from events import documents
from events.door_tokens import ticket_token
from events.models import EventPage, Registration
event = EventPage.objects.get(slug={slug!r})
tickets = []
for number in range({count}):
    registration = Registration.objects.create(
        event=event, ticket_type=event.ticket_types.first(), email=f"{prefix}-{{number}}@example.org",
        attendee_name=f"{prefix} Person{{number}}", status="confirmed",
    )
    path = Path({folder!r}) / f"ticket-{{number}}.pdf"
    path.write_bytes(documents.ticket_pdf(registration))
    tickets.append({{"id": registration.pk, "code": registration.code, "pdf": str(path),
                    "name": registration.attendee_name, "email": registration.email,
                    "token": ticket_token(registration)}})
print(json.dumps({{"event": event.pk, "tickets": tickets}}))
"""

COUNT_IN = """
from events.models import DoorScan, Registration
ids = {ids!r}
print(Registration.objects.filter(pk__in=ids, status="checked_in").count(),
      DoorScan.objects.filter(registration_id__in=ids, outcome="checked_in").count(),
      DoorScan.objects.filter(registration_id__in=ids, outcome="duplicate").count())
"""

# Everything the page's origin keeps on the device: localStorage, every IndexedDB store, every
# cache storage entry (URL and body), as one string.
READ_STORAGE = """async () => {
  const parts = [JSON.stringify(Object.assign({}, window.localStorage))];
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok, no) => {
      const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = no;
    });
    for (const name of db.objectStoreNames) {
      const rows = await new Promise((ok) => {
        const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => ok(r.result);
      });
      parts.push(info.name + "/" + name + ":" + JSON.stringify(rows));
    }
    db.close();
  }
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      parts.push(name + " " + request.url + " " + await response.text());
    }
  }
  return parts.join("\\n");
}"""

WAIT_READY = """async () => {
  await navigator.serviceWorker.ready;
  for (let i = 0; i < 100 && !navigator.serviceWorker.controller; i++) { await new Promise(r => setTimeout(r, 100)); }
  return !!navigator.serviceWorker.controller;
}"""

HAS_LIST = """async (eventId) => {
  const db = await new Promise((ok) => { const r = indexedDB.open("thrive-door"); r.onsuccess = () => ok(r.result); });
  if (!db.objectStoreNames.contains("data")) { db.close(); return false; }
  const row = await new Promise((ok) => {
    const r = db.transaction("data").objectStore("data").get(eventId); r.onsuccess = () => ok(r.result);
  });
  db.close();
  return !!row;
}"""


def make_tickets(demo_server, tmp_path, prefix: str, count: int, slug: str = EVENT) -> dict:
    folder = tmp_path / prefix
    folder.mkdir()
    made = json.loads(demo_server.shell(MAKE_TICKETS.format(slug=slug, count=count, folder=str(folder), prefix=prefix)))
    for ticket in made["tickets"]:
        stem = ticket["pdf"][: -len(".pdf")]
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", ticket["pdf"], stem], check=True)
        ticket["png"] = stem + ".png"
    return made


def qr_png(text: str, path) -> str:
    segno.make_qr(text, error="m").save(str(path), scale=6, border=4)
    return str(path)


def open_door(page, base: str, event: int, password: str, sign_in) -> None:
    sign_in(page, base, "events@thrive.example", password)
    page.goto(f"{base}/admin/events/{event}/check-in/")
    assert page.evaluate(WAIT_READY) is True
    page.wait_for_function(HAS_LIST, arg=event)


def read_photo(page, png: str) -> None:
    page.get_by_label("Read a photo of the ticket").set_input_files(png)


def assert_nothing_names(page, tickets) -> str:
    kept = page.evaluate(READ_STORAGE)
    for ticket in tickets:
        for secret in (ticket["name"], ticket["email"], ticket["code"]):
            assert secret not in kept, f"{secret} found on the device"
    return kept


def test_twenty_tickets_scanned_offline_survive_a_reload_and_count_once_when_back_online(
    demo_server, chromium, sign_in, tmp_path
):
    base = demo_server.url
    _staff, password = demo_server.staff_login
    made = make_tickets(demo_server, tmp_path, "Offline", 20)
    event, tickets = made["event"], made["tickets"]
    ids = [t["id"] for t in tickets]
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_door(page, base, event, password, sign_in)
    assert page.locator("#door-offline").is_hidden()
    assert_nothing_names(page, tickets)

    context.set_offline(True)
    offline_note = page.get_by_text("Working offline: tickets are checked on this device")
    offline_note.wait_for()
    for number, ticket in enumerate(tickets[:10], start=1):
        read_photo(page, ticket["png"])
        page.get_by_text(f"Checked in (will sync): ticket {ticket['id']}.").wait_for()
        page.get_by_text(f"Scans waiting to be sent: {number}.").wait_for()
    assert page.evaluate("typeof window.jsQR") == "function"  # the page's own decoder
    assert_nothing_names(page, tickets)

    page.reload()  # still offline: the service worker serves the page's shell
    offline_note.wait_for()
    assert page.locator("#door[data-shell]").count() == 1  # the kept shell, not the network
    page.get_by_text("Scans waiting to be sent: 10.").wait_for()
    for number, ticket in enumerate(tickets[10:], start=11):
        read_photo(page, ticket["png"])
        page.get_by_text(f"Checked in (will sync): ticket {ticket['id']}.").wait_for()
        page.get_by_text(f"Scans waiting to be sent: {number}.").wait_for()
    read_photo(page, tickets[0]["png"])  # the same ticket again, on this device
    page.get_by_text("Already scanned on this device at").wait_for()
    assert demo_server.shell(COUNT_IN.format(ids=ids)).split() == ["0", "0", "0"]  # nothing sent yet
    page.screenshot(path=str(tmp_path / "offline-queue.png"), full_page=True)
    assert_nothing_names(page, tickets)

    context.set_offline(False)
    page.wait_for_function("() => document.getElementById('door-offline').hidden")
    assert demo_server.shell(COUNT_IN.format(ids=ids)).split() == ["20", "20", "0"]
    kept = assert_nothing_names(page, tickets)
    assert '"queue":[]' in kept.replace("thrive-door/queue:[]", '"queue":[]')  # the queue is cleared after sync
    assert errors == []
    context.close()


def test_two_doors_scanning_one_ticket_offline_count_one_check_in_and_report_one_duplicate(
    demo_server, chromium, sign_in, tmp_path
):
    base = demo_server.url
    _staff, password = demo_server.staff_login
    made = make_tickets(demo_server, tmp_path, "Twodoors", 1)
    event, [ticket] = made["event"], made["tickets"]
    doors = []
    for _ in range(2):
        context = chromium.new_context()
        page = context.new_page()
        open_door(page, base, event, password, sign_in)
        doors.append((context, page))
    for context, page in doors:
        context.set_offline(True)
        page.get_by_text("Working offline").first.wait_for()
        read_photo(page, ticket["png"])
        page.get_by_text(f"Checked in (will sync): ticket {ticket['id']}.").wait_for()
    for context, page in doors:
        context.set_offline(False)
        page.wait_for_function("() => document.getElementById('door-offline').hidden")
    second = doors[1][1]
    report = second.locator("#reports-list li").filter(has_text="Twodoors Person0: already in at")
    report.wait_for()
    assert "; scanned again at" in report.inner_text()
    assert " through door " in report.inner_text()
    assert demo_server.shell(COUNT_IN.format(ids=[ticket["id"]])).split() == ["1", "1", "1"]
    for context, page in doors:
        assert_nothing_names(page, [ticket])
        context.close()


FOREIGN_TOKENS = """
import json
from events.door_tokens import BODY, VERSION, code_hash, ticket_token, valid_days, _b64
from events.models import EventPage, Registration
from events.services import registration_cancel, registration_transfer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
event = EventPage.objects.get(slug={slug!r})
other = EventPage.objects.exclude(pk=event.pk).filter(ticket_types__isnull=False).first()
cancelled = Registration.objects.get(pk={cancelled})
registration_cancel(registration=cancelled, actor=None)
registration_transfer(registration=Registration.objects.get(pk={passed}), email="new-holder@example.org")
foreign = Registration.objects.create(event=other, ticket_type=other.ticket_types.first(), email="foreign@example.org",
    attendee_name="Foreign Person", status="confirmed")
good = Registration.objects.get(pk={good})
body = BODY.pack(VERSION, good.pk, event.pk, good.ticket_type_id, *valid_days(event), 0)
other_key = _b64(body + Ed25519PrivateKey.generate().sign(body))
print(json.dumps({{"other_event": ticket_token(foreign), "other_key": other_key, "good": ticket_token(good)}}))
"""


def flip_byte(token: str, index: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[index] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def test_bad_tickets_are_refused_offline_and_a_typed_code_is_checked_against_the_hashed_list(
    demo_server, chromium, sign_in, tmp_path
):
    base = demo_server.url
    _staff, password = demo_server.staff_login
    made = make_tickets(demo_server, tmp_path, "Refused", 4)
    event, (cancelled, good, typed, passed) = made["event"], made["tickets"]
    tokens = json.loads(
        demo_server.shell(
            FOREIGN_TOKENS.format(slug=EVENT, cancelled=cancelled["id"], good=good["id"], passed=passed["id"])
        )
    )
    context = chromium.new_context()
    page = context.new_page()
    open_door(page, base, event, password, sign_in)
    context.set_offline(True)
    page.get_by_text("Working offline").first.wait_for()
    result = page.locator("#door-result")

    read_photo(page, cancelled["png"])  # cancelled after printing, before the door went offline
    result.get_by_text("This ticket was cancelled or cannot be used yet.").wait_for()
    read_photo(page, passed["png"])  # passed on to someone else: the old ticket's code tag is stale
    result.get_by_text("This ticket was replaced (passed on or re-issued): ask for the new one.").wait_for()
    read_photo(page, qr_png(tokens["other_event"], tmp_path / "other-event.png"))
    result.get_by_text("This ticket is for another event.").wait_for()
    read_photo(page, qr_png(tokens["other_key"], tmp_path / "other-key.png"))
    result.get_by_text("This QR code is not signed with this event's key").wait_for()
    for index in (2, 30, 84):  # the ticket id, the signature's middle, its last byte
        read_photo(page, qr_png(flip_byte(tokens["good"], index), tmp_path / f"changed-{index}.png"))
        result.get_by_text("This QR code is not signed with this event's key").wait_for()
        page.evaluate("document.getElementById('door-result').textContent = ''")
    read_photo(page, qr_png(tokens["good"], tmp_path / "good.png"))
    result.get_by_text(f"Checked in (will sync): ticket {good['id']}.").wait_for()

    page.get_by_label("Ticket code").fill(typed["code"].lower().replace("-", " "))
    page.get_by_role("button", name="Check in", exact=True).click()
    result.get_by_text(f"Checked in (will sync): ticket {typed['id']}.").wait_for()
    page.get_by_label("Ticket code").fill("ZZZZ-ZZZZ-ZZZZ")
    page.get_by_role("button", name="Check in", exact=True).click()
    result.get_by_text("No ticket of this event has that code").wait_for()
    assert_nothing_names(
        page, made["tickets"] + [{"name": "Foreign Person", "email": "foreign@example.org", "code": "Foreign"}]
    )

    context.set_offline(False)
    page.wait_for_function("() => document.getElementById('door-offline').hidden")
    ids = [t["id"] for t in made["tickets"]]
    assert demo_server.shell(COUNT_IN.format(ids=ids)).split() == ["2", "2", "0"]
    context.close()


def test_signing_out_from_the_door_forgets_everything_it_kept(demo_server, chromium, sign_in, tmp_path):
    base = demo_server.url
    _staff, password = demo_server.staff_login
    made = make_tickets(demo_server, tmp_path, "Signout", 1)
    context = chromium.new_context()
    page = context.new_page()
    open_door(page, base, made["event"], password, sign_in)
    assert "thrive-door/data" in page.evaluate(READ_STORAGE)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: "/check-in/" not in url)
    page.goto(base + "/")
    kept = page.evaluate(READ_STORAGE)
    assert "thrive-door" not in kept
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    context.close()


def test_signing_out_from_the_admins_menu_asks_about_unsent_scans_then_forgets_everything(
    demo_server, chromium, sign_in, tmp_path
):
    """Staff may leave the door page and sign out from Wagtail's menu: the browser is told to
    forget what the door kept (Clear-Site-Data), after a question when scans were not sent."""
    base = demo_server.url
    _staff, password = demo_server.staff_login
    made = make_tickets(demo_server, tmp_path, "Menusignout", 1)
    event, [ticket] = made["event"], made["tickets"]
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    open_door(page, base, event, password, sign_in)
    context.set_offline(True)
    page.get_by_text("Working offline").first.wait_for()
    read_photo(page, ticket["png"])
    page.get_by_text(f"Checked in (will sync): ticket {ticket['id']}.").wait_for()
    # Back online, but the scan cannot be sent (the sync address fails), and staff go on to
    # the admin's dashboard by its link and sign out from the menu there.
    context.route("**/check-in/sync/", lambda route: route.abort())
    context.set_offline(False)
    page.get_by_role("link", name="Event dashboard").click()
    page.wait_for_url(lambda url: "/check-in/" not in url)
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    def sign_out_from_the_menu():
        log_out = page.get_by_role("button", name="Log out")
        if not log_out.is_visible():
            page.locator(".sidebar-footer__account").click()  # the account menu, under the user's name
        log_out.click()

    page.once("dialog", lambda dialog: answer(dialog, False))
    sign_out_from_the_menu()
    page.wait_for_timeout(500)
    assert questions == [
        "Door scans made offline on this device and not yet sent: 1. Signing out deletes them. Sign out anyway?"
    ]
    assert "/admin/" in page.url and "thrive-door/queue" in page.evaluate(READ_STORAGE)  # kept: staff said no

    page.once("dialog", lambda dialog: answer(dialog, True))
    sign_out_from_the_menu()
    page.wait_for_url(lambda url: "/admin/" not in url or "/login/" in url)
    assert len(questions) == 2
    page.goto(base + "/")
    assert "thrive-door" not in page.evaluate(READ_STORAGE)
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    assert page.evaluate("caches.keys()") == []
    assert demo_server.shell(COUNT_IN.format(ids=[ticket["id"]])).split()[0] == "0"  # the unsent scan is gone, as asked
    context.close()
