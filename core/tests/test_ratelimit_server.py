"""Rate limits against a real site behind a real proxy (issue 13, items 9, 10 and 11).

A demo site (gunicorn, 2 worker processes x 10 threads, the file cache `make run` uses, its
own PostgreSQL database) runs behind Debian's HAProxy, which appends the connecting address
to X-Forwarded-For; the site trusts one proxy (TRUSTED_PROXY_COUNT=1). Visitors are loopback
source addresses (127.0.0.x) connecting to HAProxy.

- Bursts: 20 simultaneous requests from one visitor get exactly the limit through (before:
  7 to 15 bookings for a limit of 5, 29 name checks for 10, 8 password tries for 5).
- Two visitors have their own limits (before: every visitor was HAProxy's 127.0.0.1), and a
  visitor sending their own X-Forwarded-For does not escape theirs.
- A guesser's wrong passwords for someone's account do not lock the owner out.
"""

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from conftest import fresh_postgres_database_url, wait_until_healthy

pytestmark = [pytest.mark.postgres, pytest.mark.many_connections]  # 2 gunicorn workers x 10 threads

ROOT = Path(__file__).resolve().parents[2]
BURST = 20
PASSWORD = "owner-password-long-enough"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")  # the postgres marker reports it
    return fresh_postgres_database_url(url, "_limits_site")


SETUP = """
import json
from datetime import date
from allauth.account.models import EmailAddress
from accounts.models import User
from certificates.models import Certificate
from events import booking
from events.models import EventPage

made = {}
for name in ("owner", "burst", "admin-burst"):
    user = User.objects.create_user(
        email=f"{name}@example.org", password="%(password)s", is_staff=name == "admin-burst"
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    made[name] = user.pk
holder = User.objects.create_user(email="holder@example.org", password=None)
made["certificate"] = Certificate.objects.create(
    recipient=holder, source_key="test:limits", kind="course", title="Listening well",
    awarded_on=date(2026, 1, 5), hours=3, name_printed="Sam Holder",
).code
for event in EventPage.objects.live():
    free = [o for o in booking.booking_state(event).bookable if not o.ticket_type.price_minor]
    if free:
        made["event"], made["ticket_type"] = event.pk, free[0].ticket_type.pk
        break
print(json.dumps(made))
"""


class Site:
    def __init__(self, host: str, port: int, var_dir: Path, made: dict, env: dict):
        self.host, self.port, self.var_dir, self.made, self.env = host, port, var_dir, made, env

    def request(self, method, path, *, source, data=None, headers=None):
        """One request from `source` (a loopback address) to the proxy: (status, body, cookies)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60, source_address=(source, 0))
        body = urllib.parse.urlencode(data) if data is not None else None
        headers = dict(headers or {})
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        cookies = SimpleCookie()
        for value in response.headers.get_all("Set-Cookie") or []:
            cookies.load(value)
        result = response.status, response.read().decode(errors="replace"), {k: v.value for k, v in cookies.items()}
        conn.close()
        return result

    def form(self, path, *, source):
        """GET a form page: (cookie header, csrf token, page)."""
        status, page, cookies = self.request("GET", path, source=source)
        assert status == 200, (path, status)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return f"csrftoken={cookies['csrftoken']}", token, page

    def burst(self, send, n=BURST):
        """Run `send(i)` n times at once (released together by a barrier); their results."""
        barrier = threading.Barrier(n)

        def run(i):
            barrier.wait()
            return send(i)

        with ThreadPoolExecutor(n) as pool:
            return list(pool.map(run, range(n)))

    def mails(self) -> list[str]:
        folder = self.var_dir / "mail"
        return [path.read_text(errors="replace") for path in sorted(folder.glob("*"))] if folder.exists() else []


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    haproxy = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if haproxy is None:
        if os.environ.get("THRIVE_REQUIRE_SERVICES"):
            pytest.fail("needs HAProxy: apt-get install haproxy (THRIVE_REQUIRE_SERVICES is set)")
        pytest.skip("needs HAProxy: apt-get install haproxy")
    tmp = tmp_path_factory.mktemp("limits-site")
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.e2e",
        "DATABASE_URL": _database_url(),
        "THRIVE_VAR_DIR": str(tmp),
        "SECRET_KEY": "limits-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STRIPE_API_BASE": f"http://127.0.0.1:{_free_port()}",  # nothing there: payments unavailable
        "TRUSTED_PROXY_COUNT": "1",
    }
    env.pop("REDIS_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    made = json.loads(
        subprocess.run(
            manage + ["shell", "--no-imports", "-c", SETUP % {"password": PASSWORD}],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout.strip()
    )
    app_port, proxy_port = _free_port(), _free_port()
    app_log, proxy_log = tmp / "server.log", tmp / "haproxy.log"
    processes = []
    with app_log.open("w") as app_out, proxy_log.open("w") as proxy_out:
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{app_port}"]
                + ["--workers", "2", "--threads", "10", "--graceful-timeout", "5"],
                cwd=ROOT,
                env=env,
                stdout=app_out,
                stderr=subprocess.STDOUT,
            )
        )
        config = tmp / "haproxy.cfg"
        config.write_text(
            "global\n  maxconn 256\n"
            "defaults\n  mode http\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\n"
            "  option forwardfor\n"
            f"frontend site\n  bind 127.0.0.1:{proxy_port}\n  default_backend thrive\n"
            f"backend thrive\n  server app 127.0.0.1:{app_port}\n"
        )
        processes.append(
            subprocess.Popen([haproxy, "-db", "-f", str(config)], stdout=proxy_out, stderr=subprocess.STDOUT)
        )
        try:
            wait_until_healthy(f"http://127.0.0.1:{app_port}", processes[0], app_log)
            wait_until_healthy(f"http://127.0.0.1:{proxy_port}", processes[1], proxy_log)
            yield Site("127.0.0.1", proxy_port, tmp, made, env)
        finally:
            for process in processes:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:  # a worker still busy with a kept-alive client
                    process.kill()
                    process.wait(timeout=10)


def test_twenty_simultaneous_certificate_name_checks_get_exactly_ten_answers(site):
    source = "127.0.0.10"
    path = f"/verify/{site.made['certificate']}/"
    cookie, token, page = site.form(path, source=source)
    assert 'name="name"' in page

    def check(i):
        data = {"csrfmiddlewaretoken": token, "name": f"Guess {i}"}
        return site.request("POST", path, source=source, data=data, headers={"Cookie": cookie})[0]

    statuses = site.burst(check)
    assert sorted(statuses) == [200] * 10 + [429] * 10


def test_twenty_simultaneous_bookings_book_exactly_five(site):
    source = "127.0.0.11"
    path = f"/events/{site.made['event']}/book/"
    cookie, token, _page = site.form(path, source=source)
    # Each booking form carries its own nonce (the repeat-submission guard).
    nonces = [
        re.search(r'name="nonce" value="([^"]+)"', site.form(path, source=source)[2]).group(1) for _ in range(BURST)
    ]

    def book(i):
        data = {
            "csrfmiddlewaretoken": token,
            "ticket_type": site.made["ticket_type"],
            "quantity": "1",
            "email": f"booker{i}@example.org",
            "nonce": nonces[i],
        }
        return site.request("POST", path, source=source, data=data, headers={"Cookie": cookie})[0]

    statuses = site.burst(book)
    assert statuses.count(429) == BURST - 5, statuses
    booked = site_shell(
        site,
        "from events.models import Registration;"
        "print(Registration.objects.filter(email__startswith='booker', email__endswith='@example.org').count())",
    )
    assert booked == "5"


def test_twenty_simultaneous_wrong_passwords_on_the_site_get_exactly_five_tries(site):
    source = "127.0.0.12"
    cookie, token, _page = site.form("/accounts/login/", source=source)

    def guess(i):
        data = {"csrfmiddlewaretoken": token, "login": "burst@example.org", "password": f"wrong-{i}"}
        return site.request("POST", "/accounts/login/", source=source, data=data, headers={"Cookie": cookie})

    results = site.burst(guess)
    refused = [body for status, body, _ in results if "Too many failed login attempts" in body]
    tried = [body for status, body, _ in results if "Too many failed login attempts" not in body]
    assert len(tried) == 5 and len(refused) == BURST - 5
    assert all("not correct" in body for body in tried)


def test_twenty_simultaneous_wrong_passwords_at_the_admin_get_exactly_five_tries(site):
    source = "127.0.0.13"
    cookie, token, _page = site.form("/admin/login/", source=source)

    def guess(i):
        data = {"csrfmiddlewaretoken": token, "username": "admin-burst@example.org", "password": f"wrong-{i}"}
        return site.request("POST", "/admin/login/", source=source, data=data, headers={"Cookie": cookie})[0]

    statuses = site.burst(guess)
    assert sorted(statuses) == [200] * 5 + [429] * (BURST - 5)


def test_visitors_behind_the_proxy_have_their_own_limits_and_a_forged_header_does_not_escape(site):
    first, second = "127.0.0.20", "127.0.0.21"
    statuses = [site.request("GET", unknown_code_path(i), source=first)[0] for i in range(11)]
    assert statuses == [404] * 10 + [429]
    # The same visitor claiming to be someone else is still themselves.
    for forged in ("198.51.100.7", "198.51.100.7, 203.0.113.9", "127.0.0.21"):
        status = site.request("GET", unknown_code_path(99), source=first, headers={"X-Forwarded-For": forged})[0]
        assert status == 429, forged
    # Another visitor, through the same proxy, has their own count.
    assert site.request("GET", unknown_code_path(1), source=second)[0] == 404


def test_a_guesser_through_the_proxy_does_not_lock_the_owner_out_and_staff_are_told_once(site):
    guesser, owner = "127.0.0.30", "127.0.0.31"
    cookie, token, _page = site.form("/accounts/login/", source=guesser)

    def sign_in(source, password, cookie=cookie, token=token):
        data = {"csrfmiddlewaretoken": token, "login": "owner@example.org", "password": password}
        return site.request("POST", "/accounts/login/", source=source, data=data, headers={"Cookie": cookie})

    pages = [sign_in(guesser, f"wrong-{i}")[1] for i in range(7)]
    assert ["Too many failed login attempts" in page for page in pages] == [False] * 5 + [True] * 2
    assert "Too many failed login attempts" in sign_in(guesser, PASSWORD)[1]
    owner_cookie, owner_token, _page = site.form("/accounts/login/", source=owner)
    status, _body, cookies = sign_in(owner, PASSWORD, cookie=owner_cookie, token=owner_token)
    assert status == 302 and "sessionid" in cookies
    owner_id = site.made["owner"]
    notices = [mail for mail in site.mails() if "wrong passwords within" in mail and f"(user {owner_id}," in mail]
    assert len(notices) == 1
    assert f"/admin/users/edit/{owner_id}/" in notices[0] and "owner@example.org" not in notices[0]


def unknown_code_path(i: int) -> str:
    from core.codes import normalise_code

    return f"/verify/{normalise_code(f'WXYZ{i:04d}')}/"


def site_shell(site, code: str) -> str:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=site.env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.strip()
