"""Two app hosts behind HAProxy, sharing PostgreSQL, Redis and the S3 server (issue 15, item 2).

The site runs as deploy/ describes it (see conftest.py): host A (127.0.0.2) and host B
(127.0.0.3), each a gunicorn and a task worker started from the systemd units, HAProxy in front
with deploy/haproxy.cfg. Requests go through HAProxy, as visitors' do, or straight to the host
the statement names (the test then sends what HAProxy adds: X-Forwarded-Proto and -For).
"""

import base64
import http.client
import json
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from core.tests.scaleout.conftest import MEMBER_EMAIL, NOTICE, ROOT, STAFF_EMAIL
from core.tests.scaleout.load import Journal, NoAnswer, free_booking, paid_booking
from core.tests.scaleout.systemd import parse_environment_file
from core.tests.scaleout.web import form_fields

pytestmark = pytest.mark.postgres

# Visitors booking the free event, visitors booking and paying, bookings each, paid bookings each.
LOAD = (6, 3, 4, 2)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def sign_in(visitor, target, email: str, password: str, *, totp_secret: str | None = None) -> None:
    """allauth's sign-in form on `target`, and its two-factor step when the account has TOTP."""
    fields = visitor.form(target, "/accounts/login/")
    answer = visitor.post(target, "/accounts/login/", fields | {"login": email, "password": password})
    assert answer.status == 302, (answer.status, answer.text[:2000])
    if totp_secret is not None:
        assert answer.location.startswith("/accounts/2fa/authenticate/"), answer.location
        fields = visitor.form(target, answer.location)
        code = format_hotp_value(hotp_value(totp_secret, int(time.time()) // 30))
        answer = visitor.post(target, answer.location, fields | {"code": code})
        assert answer.status == 302, (answer.status, answer.text[:2000])
    assert "sessionid" in visitor.cookies


def test_haproxy_spreads_visitors_over_both_hosts_over_https_only(two_hosts):
    visitor = two_hosts.visitor()
    before = {name: int(row["stot"]) for name, row in two_hosts.haproxy_servers().items()}
    for _ in range(6):
        answer = visitor.get(two_hosts.proxy, "/")
        assert answer.status == 200 and "Thrive" in answer.text
        assert UUID.match(answer.headers["X-Request-ID"])  # HAProxy's request id, sent back too
    after = {name: int(row["stot"]) for name, row in two_hosts.haproxy_servers().items()}
    assert after["web1"] - before["web1"] >= 2 and after["web2"] - before["web2"] >= 2  # round robin
    # A visitor's own request id is replaced, never passed on.
    forged = visitor.get(two_hosts.proxy, "/healthz", headers={"X-Request-ID": "visitor-made"})
    assert UUID.match(forged.headers["X-Request-ID"])
    # Plain HTTP is only ever redirected to HTTPS.
    conn = http.client.HTTPConnection("127.0.0.1", two_hosts.http_port, timeout=10)
    conn.request("GET", "/events/", headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    assert response.status == 301 and response.headers["Location"] == "https://127.0.0.1/events/"
    conn.close()


def test_a_page_published_through_host_a_is_new_at_once_on_host_b(two_hosts):
    path = "/notice-board/"
    anonymous = two_hosts.visitor()
    host_a, host_b = two_hosts.host("A"), two_hosts.host("B")
    first = anonymous.get(host_b, path)
    assert first.status == 200 and NOTICE in first.text
    again = anonymous.get(host_b, path)
    assert again.headers["X-Page-Cache"] == "hit" and NOTICE in again.text
    # The page cache is Redis, shared: host A serves the page host B stored.
    assert anonymous.get(host_a, path).headers["X-Page-Cache"] == "hit"

    # Staff publish a change in the Wagtail admin of host A (superuser, with two-factor sign-in).
    staff = two_hosts.visitor()
    made = two_hosts.made
    sign_in(staff, host_a, STAFF_EMAIL, made["password"], totp_secret=made["totp_secret"])
    edit = f"/admin/pages/{made['notice']}/edit/"
    fields = staff.form(host_a, edit, form_id="page-edit-form")
    assert fields["intro"] == NOTICE
    new_text = "Meetings stay at the Community Hall after all."
    # The body is an empty StreamField, whose inputs the admin's script makes: its count is 0.
    fields |= {"intro": new_text, "body-count": "0", "action-publish": "action-publish"}
    answer = staff.post(host_a, edit, fields)
    assert answer.status == 302, answer.text[:3000]

    now = anonymous.get(host_b, path)
    assert now.status == 200 and new_text in now.text and NOTICE not in now.text
    assert now.headers["X-Page-Cache"] == "miss"
    through_proxy = anonymous.get(two_hosts.proxy, path)
    assert new_text in through_proxy.text and NOTICE not in through_proxy.text


def application(visitor, target, i: int) -> int:
    """Send the membership application form (a public form with a per-visitor limit)."""
    answer = visitor.get(target, "/membership/apply/")
    chapter = re.search(r'<option value="(\d+)"', answer.text).group(1)
    fields = form_fields(answer.text) | {
        "display_name": f"Applicant {i}",
        "email": f"applicant-{visitor.address}-{i}@example.org",
        "contact_method": "email",
        "contact_details": "",
        "chapter": chapter,
    }
    return visitor.post(target, "/membership/apply/", fields).status


def test_a_rate_limit_counts_across_both_hosts(two_hosts):
    # One visitor's applications sent to host A and host B in turn: the fifth is the last taken.
    visitor = two_hosts.visitor("127.0.3.1")
    statuses = [application(visitor, two_hosts.host("AB"[i % 2]), i) for i in range(7)]
    assert statuses == [302] * 5 + [429] * 2  # taken: redirected to the thank-you page

    # Through HAProxy the limit counts the visitor, not HAProxy: another visitor still gets in.
    first, second = two_hosts.visitor("127.0.3.2"), two_hosts.visitor("127.0.3.3")
    assert [application(first, two_hosts.proxy, i) for i in range(6)] == [302] * 5 + [429]
    assert application(second, two_hosts.proxy, 0) == 302


def test_wrong_passwords_are_limited_across_both_hosts(two_hosts):
    """allauth's sign-in limit lives in the cache (Redis), shared by the hosts."""
    visitor = two_hosts.visitor("127.0.3.4")
    pages = []
    for i in range(7):
        target = two_hosts.host("AB"[i % 2])
        fields = visitor.form(target, "/accounts/login/")
        answer = visitor.post(target, "/accounts/login/", fields | {"login": MEMBER_EMAIL, "password": f"wrong-{i}"})
        pages.append(answer.text)
    assert ["Too many failed login attempts" in page for page in pages] == [False] * 5 + [True] * 2


def test_a_session_signed_in_through_host_a_works_through_host_b(two_hosts):
    member = two_hosts.visitor("127.0.4.1")
    host_a, host_b = two_hosts.host("A"), two_hosts.host("B")
    sign_in(member, host_a, MEMBER_EMAIL, two_hosts.made["password"])
    for target in (host_b, two_hosts.proxy):
        page = member.get(target, "/account/")
        assert page.status == 200 and "Amani" in page.text, target.name
        assert "no-store" in page.headers["Cache-Control"]
    # Signing out through host B ends the session on host A too.
    fields = member.form(host_b, "/accounts/logout/")
    assert member.post(host_b, "/accounts/logout/", fields).status == 302
    answer = member.get(host_a, "/account/")
    assert answer.status == 302 and answer.location.startswith("/accounts/login/")


ISSUE = """
from datetime import date
from decimal import Decimal
from accounts.models import User
from certificates.services import certificate_issue
from core.models import AuditEvent

source = AuditEvent.objects.create(action="test.two_hosts", object_type="test", object_id="1")
certificate = certificate_issue(
    recipient=User.objects.get(email=%(member)r), source=source, title=%(title)r,
    awarded_on=date(2027, 3, 3), hours=Decimal("6"),
)
print(certificate.code)
"""


def test_a_certificate_rendered_by_a_worker_is_downloaded_through_host_b(two_hosts):
    title = f"Leading across two hosts {secrets.token_hex(3)}"
    code = two_hosts.shell(ISSUE % {"member": MEMBER_EMAIL, "title": title}).splitlines()[-1]
    deadline = time.monotonic() + 90
    while True:
        certificate, key = two_hosts.sql("SELECT id, pdf FROM certificates_certificate WHERE code = %s", [code])[0]
        if key:
            break
        assert time.monotonic() < deadline, "no worker rendered the certificate"
        time.sleep(0.5)
    # Rendered by one of the task workers (the queue is the database's), not by a web host.
    (status, workers), *_ = two_hosts.sql(
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult "
        "WHERE task_path = 'certificates.tasks.certificate_render' "
        "AND (args_kwargs->'kwargs'->>'certificate_id')::int = %s",
        [certificate],
    )
    assert status == "SUCCESSFUL" and len(workers) == 1
    member = two_hosts.visitor("127.0.4.2")
    sign_in(member, two_hosts.host("A"), MEMBER_EMAIL, two_hosts.made["password"])
    answer = member.get(two_hosts.host("B"), f"/learning/certificates/{code}.pdf")
    assert answer.status == 200 and answer.body.startswith(b"%PDF")
    assert answer.headers["Cache-Control"] == "no-store"
    s3 = two_hosts.s3_server.client()
    stored = s3.get_object(Bucket=two_hosts.env["AWS_STORAGE_BUCKET_NAME"], Key=key)["Body"].read()
    assert answer.body == stored
    # Nobody else gets it, whichever host they ask.
    stranger = two_hosts.visitor("127.0.4.3")
    assert stranger.get(two_hosts.host("B"), f"/learning/certificates/{code}.pdf").status == 302
    # And the worker emailed it to the holder, once, through the SMTP server.
    deadline = time.monotonic() + 30
    while not (mails := [m for m in two_hosts.mails() if f"Subject: Your certificate: {title}".encode() in m]):
        assert time.monotonic() < deadline, "the certificate was not emailed"
        time.sleep(0.5)
    assert len(mails) == 1 and f"To: {MEMBER_EMAIL}".encode() in mails[0] and b"application/pdf" in mails[0]


def stripe_payment_intents(two_hosts) -> list[dict]:
    """Every PaymentIntent the Stripe stand-in holds (read with the secret key, as Stripe's
    dashboard would show them)."""
    token = base64.b64encode(f"{two_hosts.env['STRIPE_SECRET_KEY']}:".encode()).decode()
    found, after = [], None
    while True:
        query = "?limit=100" + (f"&starting_after={after}" if after else "")
        request = urllib.request.Request(  # noqa: S310 (localstripe on loopback)
            f"{two_hosts.stripe_url}/v1/payment_intents{query}", headers={"Authorization": f"Basic {token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            page = json.loads(response.read())
        found += page["data"]
        if not page.get("has_more") or not page["data"]:
            return found
        after = page["data"][-1]["id"]


def test_host_a_stopped_under_load_loses_and_doubles_no_booking_or_payment(two_hosts):
    """Visitors book a free event and book and pay for a paid one, through HAProxy, from many
    addresses at once; once every free visitor has a place, host A (its gunicorn and its task
    worker) is killed outright, as a machine losing power. They carry on as people do: a page
    that failed is sent again as it was (the same form, so the same booking nonce; the same
    confirmed card, so the same SetupIntent and Stripe idempotency key)."""
    made, journal = two_hosts.made, Journal()
    outcomes, errors = [], []
    lock = threading.Lock()
    free_clients, paid_clients, rounds, paid_rounds = LOAD
    run, network = secrets.token_hex(3), 16 + secrets.randbelow(200)  # addresses of this run only

    def client(kind: str, n: int):
        for round_ in range(rounds if kind == "free" else paid_rounds):
            # A visitor of their own for each booking: the per-visitor limit (5 bookings an
            # event in 10 minutes) counts real visitors, and these are many.
            visitor = two_hosts.visitor(f"127.{network + (kind == 'paid')}.{n}.{round_ + 1}")
            email = f"{kind}-{n}-{round_}-{run}@load.example.org"
            common = {"visitor": visitor, "target": two_hosts.proxy, "journal": journal, "email": email}
            try:
                if kind == "free":
                    result = free_booking(
                        **common, event=made["free_event"], ticket=made["free_ticket"], mails=two_hosts.mails
                    )
                else:
                    result = paid_booking(
                        **common, event=made["paid_event"], ticket=made["paid_ticket"], stripe_url=two_hosts.stripe_url
                    )
            except (AssertionError, NoAnswer) as error:
                with lock:
                    errors.append(f"{email}: {error}")
                continue
            with lock:
                outcomes.append(result)

    def stop_host_a_once_busy() -> float:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with lock:
                if len(outcomes) >= free_clients:  # about a quarter of the work is done
                    break
            time.sleep(0.05)
        two_hosts.stop_host("A", signal.SIGKILL)
        return time.monotonic()

    try:
        with ThreadPoolExecutor(free_clients + paid_clients + 1) as pool:
            stopper = pool.submit(stop_host_a_once_busy)
            clients = [pool.submit(client, "free", n) for n in range(free_clients)]
            clients += [pool.submit(client, "paid", n) for n in range(paid_clients)]
            for future in clients:
                future.result()
            stopped_at = stopper.result()
        check_nothing_lost_or_doubled(two_hosts, journal, outcomes, errors, stopped_at, run)
    finally:
        if two_hosts.services["web-A"].process.poll() is not None:  # the next tests need both hosts
            two_hosts.start_host("A")
            two_hosts.wait_for_haproxy({"web1": "UP", "web2": "UP"}, timeout=30)
    # Host A came back: HAProxy sends it visitors again.
    before = int(two_hosts.haproxy_servers()["web1"]["stot"])
    for _ in range(4):
        assert two_hosts.visitor().get(two_hosts.proxy, "/").status == 200
    assert int(two_hosts.haproxy_servers()["web1"]["stot"]) > before


def check_nothing_lost_or_doubled(two_hosts, journal, outcomes, errors, stopped_at, run):
    free_clients, paid_clients, rounds, paid_rounds = LOAD
    assert not errors, errors
    assert len(outcomes) == free_clients * rounds + paid_clients * paid_rounds

    # HAProxy took host A out and sent everything to host B: no request sent more than a
    # second after the stop failed (before that, requests in flight on host A may have).
    two_hosts.wait_for_haproxy({"web1": "DOWN", "web2": "UP"})
    late = [entry for entry in journal.sent if entry.started > stopped_at + 1]
    assert late and not [entry for entry in late if entry.failed], late
    cut = [entry for entry in journal.sent if entry.failed]

    # Count rows. No booking lost: every visitor was told their place is booked (or paid), and
    # has it; none doubled: no address holds two places, whatever was sent again.
    places = dict(
        two_hosts.sql(
            "SELECT email, count(*) FROM events_registration WHERE email LIKE %s AND status IN "
            "('confirmed', 'checked_in') GROUP BY email",
            [f"%-{run}@load.example.org"],
        )
    )
    assert [o.email for o in outcomes if o.result not in ("booked", "paid")] == []
    wrong = [(o, places.get(o.email)) for o in outcomes if places.get(o.email) != 1]
    assert not wrong, wrong

    # Payments: each order paid once in our records, the Stripe idempotency key's attempt
    # number moved only with a recorded payment (so a payment sent again after its answer was
    # lost carried the same key), and at Stripe one succeeded PaymentIntent per order, except
    # where a payment's answer was lost: localstripe ignores idempotency keys, so there the
    # repeat may have made a second one that Stripe itself would have refused as the same request.
    orders: dict[str, list[tuple]] = {}
    for email, *order in two_hosts.sql(
        "SELECT o.email, o.reference, o.status, o.payment_attempts, "
        "count(p.id) FILTER (WHERE p.status = 'succeeded'), count(p.id) "
        "FROM payments_order o LEFT JOIN payments_payment p ON p.order_id = o.id "
        "WHERE o.email LIKE %s GROUP BY o.id",
        [f"%-{run}@load.example.org"],
    ):
        orders.setdefault(email, []).append(tuple(order))
    at_stripe = Counter(
        intent["metadata"].get("order")
        for intent in stripe_payment_intents(two_hosts)
        if intent["status"] == "succeeded"
    )
    for outcome in (o for o in outcomes if o.kind == "paid"):
        # (A booking form answered "still being processed" and sent again on a fresh form may
        # have left a first order, unpaid: it holds its place until the hold ends.)
        paid = [order for order in orders[outcome.email] if order[1] == "paid"]
        assert len(paid) == 1 and all(order[3] == 0 for order in orders[outcome.email] if order[1] != "paid")
        reference, _status, attempts, paid_once, recorded = paid[0]
        assert (paid_once, attempts, recorded) == (1, 1, 1), (outcome, paid[0])
        assert 1 <= at_stripe[reference] <= 1 + outcome.cut_pays, (outcome, at_stripe[reference])

    booked = sum(1 for o in outcomes if o.result == "booked")
    in_flight = [e for e in journal.sent if e.started <= stopped_at <= e.ended]
    print(
        f"{len(journal.sent)} requests, {len(late)} sent after the stop, {len(in_flight)} in flight at it; "
        f"{len(cut)} cut by the stop ({Counter(e.what for e in cut)}); "
        f"{booked} free places, {sum(len(rows) for rows in orders.values())} orders of {len(orders)} paying visitors; "
        f"{sum(1 for o in outcomes if o.pending)} told 'still being processed'; "
        f"{sum(o.posts - 1 for o in outcomes)} booking forms and {sum(o.cut_pays for o in outcomes)} payments "
        f"sent again; {sum(at_stripe[o[0]] - 1 for os in orders.values() for o in os if o[1] == 'paid')} "
        "extra PaymentIntents at localstripe"
    )


def test_when_no_host_is_ready_haproxy_sends_visitors_to_the_hosts_still_running(two_hosts):
    """Redis stopped: every host's /readyz says the cache is unavailable, so no host is ready.
    Rather than answer its own bare 503, HAProxy sends visitors to the hosts still running,
    whose pages work without the cache (slower, never wrong), and back once Redis is."""
    redis = two_hosts.services["redis"]
    redis.stop()
    try:
        two_hosts.wait_for_haproxy({"web1": "DOWN", "web2": "DOWN"}, timeout=60)
        visitor = two_hosts.visitor()
        ready = visitor.get(two_hosts.host("A"), "/readyz")
        assert ready.status == 503 and ready.json()["cache"] != "ok", ready.text
        running = two_hosts.haproxy_servers("thrive_web_running")
        before = sum(int(row["stot"]) for row in running.values())
        for path in ("/", "/events/", "/notice-board/"):
            answer = visitor.get(two_hosts.proxy, path)
            assert answer.status == 200 and "Thrive" in answer.text, (path, answer.status)
        running = two_hosts.haproxy_servers("thrive_web_running")
        assert sum(int(row["stot"]) for row in running.values()) - before == 3
    finally:
        redis = two_hosts.restart_service("redis")
    port = int(two_hosts.env["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline and redis.process.poll() is None, "redis did not start again"
            time.sleep(0.1)
    two_hosts.wait_for_haproxy({"web1": "UP", "web2": "UP"}, timeout=60)


def test_production_settings_refuse_only_the_local_stripe_stand_in(two_hosts):
    """The hosts run core.tests.scaleout.settings: production's, less the refusal of a local
    Stripe. With config.settings.production itself, the same environment files are refused for
    that one reason (thrive.E105) and nothing else."""
    env = two_hosts.base_env | parse_environment_file(two_hosts.env_files["A"].read_text())
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    errors = set(re.findall(r"\((thrive\.E\d+|[a-z_.]+\.E\d+)\)", result.stderr + result.stdout))
    assert result.returncode != 0 and errors == {"thrive.E105"}, result.stderr[-3000:]
