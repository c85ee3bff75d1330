"""Test harness shared by every app: services, factories' helpers, Chromium, axe-core.

PostgreSQL-only tests carry `@pytest.mark.postgres`; browser tests `@pytest.mark.browser`.
They are skipped, with the reason, when the service is missing, unless THRIVE_REQUIRE_SERVICES
is set (as `.ci/run` does): then a missing service fails the run instead of hiding tests.
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from xdist.scheduler import LoadGroupScheduling

from core.demo import PASSWORD_FILE

ROOT = Path(__file__).resolve().parent

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REQUIRE_SERVICES = bool(os.environ.get("THRIVE_REQUIRE_SERVICES"))


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def _missing_service(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (THRIVE_REQUIRE_SERVICES is set, so this is a failure, not a skip)")
    pytest.skip(reason)


_GROUPS_FOLDER = pytest.StashKey[Path]()


def pytest_configure(config):
    """In pytest-xdist's controller (`make test`), before the workers start: a folder where the
    workers write their tests' groups (below), and the demo staff password file that `seed_demo`
    makes in var/ on its first run; otherwise workers seeding the demo at once race to make it,
    and one can read the file another has opened but not yet written (an empty password).
    Nothing to do in a worker, or without workers."""
    if hasattr(config, "workerinput") or not config.getoption("numprocesses", None):
        return
    config.stash[_GROUPS_FOLDER] = Path(tempfile.mkdtemp(prefix="thrive-xdist-groups-"))
    if not PASSWORD_FILE.exists():
        PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
        made = PASSWORD_FILE.with_name(PASSWORD_FILE.name + ".new")
        made.write_text(secrets.token_urlsafe(12))  # as seed_demo makes it
        made.chmod(0o600)
        made.replace(PASSWORD_FILE)


def pytest_unconfigure(config):
    if _GROUPS_FOLDER in config.stash:
        shutil.rmtree(config.stash[_GROUPS_FOLDER], ignore_errors=True)


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook, in the controller
def pytest_configure_node(node):
    """Tell each worker where to write its groups."""
    node.workerinput["thrive_groups_folder"] = str(node.config.stash[_GROUPS_FOLDER])


def xdist_group_of(item) -> str | None:
    """The group of pytest-xdist work a test belongs to, or None (any worker):
    - the name of its own xdist_group mark, if it has one;
    - many_connections: run one after another in one worker, so the workers together stay under
      PostgreSQL's max_connections (100 by default): two of them at once (50 + 40 threads, each
      with its connection) plus the other workers' servers were refused ("too many clients");
    - demo_server: the tests on the demo server run in two groups (split by a hash of the
      module's name, so a module always lands in the same one), so that server is migrated and
      seeded at most twice, and the browser tests, the longest part of the suite, run on two
      workers at once rather than one;
    - the module's name, for a module using a module-scoped fixture (a server of its own), so
      that fixture too is made once. (Not class scope: pytest-django gives every test a
      class-scoped fixture.)"""
    if mark := item.get_closest_marker("xdist_group"):
        return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
    if item.get_closest_marker("many_connections"):
        return "many_connections"
    if "demo_server" in item.fixturenames:
        return f"demo_server_{zlib.crc32(item.module.__name__.encode()) % 2}"
    if any(
        definitions[-1].scope in ("module", "package") for definitions in item._fixtureinfo.name2fixturedefs.values()
    ):
        return item.module.__name__
    return None


def flushes_the_database(item) -> bool:
    """Whether a test empties the test database when it ends (pytest-django's transactional_db,
    live_server or django_db(transaction=True)): its flush also removes what migrations put
    there (Wagtail's root page and locale, the staff groups), so a worker must run it after
    every test that relies on those. pytest-django orders one process's tests that way (its
    get_order_number, which this follows); the scheduler below keeps that order per worker."""
    if (cls := getattr(item, "cls", None)) is not None:
        from django.test import TestCase, TransactionTestCase

        if issubclass(cls, TransactionTestCase):
            return not issubclass(cls, TestCase)
    mark = item.get_closest_marker("django_db")
    if mark and (mark.kwargs.get("transaction") or mark.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(tryfirst=True)  # test ids as collected, before any plugin changes them
def pytest_collection_modifyitems(config, items):
    """In a pytest-xdist worker: write each grouped test's group for the controller's scheduler.
    (xdist's own --dist loadgroup sends a group by appending "@group" to `item._nodeid`, which
    pytest 9.2 no longer reads, so every group was spread over all workers; pytest-xdist issue
    1386. The groups go beside the test ids instead, and test ids stay as they are.)"""
    folder = getattr(config, "workerinput", {}).get("thrive_groups_folder")
    if folder is None:
        return
    groups = {item.nodeid: group for item in items if (group := xdist_group_of(item))}
    flushing = [item.nodeid for item in items if flushes_the_database(item)]
    written = Path(folder) / f"{config.workerinput['workerid']}.json.new"
    written.write_text(json.dumps({"groups": groups, "flushing": flushing}))
    written.replace(written.with_suffix(""))  # whole, or not there


class GroupScheduling(LoadGroupScheduling):
    """pytest-xdist's loadgroup scheduling with the groups the workers wrote: a group's tests
    are one unit of work, sent to one worker; every other test is a unit of its own. The
    controller asks for the units once every worker has collected (and so written its file)."""

    def __init__(self, config, log=None):
        super().__init__(config, log)
        self.groups: dict[str, str] | None = None
        self.flushing: set[str] = set()
        self.ordered = False
        self.folder = config.stash[_GROUPS_FOLDER]

    def _read(self) -> None:
        if self.groups is None:
            self.groups, self.flushing = {}, set()
            for written in sorted(self.folder.glob("*.json")):
                found = json.loads(written.read_text())
                self.groups.update(found["groups"])
                self.flushing.update(found["flushing"])

    def _split_scope(self, nodeid: str) -> str:
        self._read()
        group = self.groups.get(nodeid)
        return f"group:{group}" if group else super()._split_scope(nodeid)

    def _assign_work_unit(self, node) -> None:
        """Before the first unit goes out: every unit holding a test that flushes the database
        goes after every unit that holds none, so no worker runs a test relying on migrations'
        rows after a flush has removed them. (xdist's own order, biggest unit first, sent the
        big groups of live-server tests first: 283 tests then failed without Wagtail's root
        page.) Biggest first within each kind, as xdist does, so long groups start early."""
        if not self.ordered:
            self.ordered = True
            self._read()
            units = list(self.workqueue.items())
            units.sort(key=lambda unit: (any(nodeid in self.flushing for nodeid in unit[1]), -len(unit[1])))
            self.workqueue.clear()
            self.workqueue.update(units)
        super()._assign_work_unit(node)


@pytest.hookimpl(optionalhook=True, tryfirst=True)  # a pytest-xdist hook, in the controller
def pytest_xdist_make_scheduler(config, log):
    """--dist loadgroup (pyproject.toml's addopts) schedules by the groups of xdist_group_of()."""
    if config.getoption("dist") == "loadgroup" and _GROUPS_FOLDER in config.stash:
        return GroupScheduling(config, log)
    return None


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            _missing_service("needs PostgreSQL: set DATABASE_URL=postgres://... to run it")
    if item.get_closest_marker("browser") and chromium_path() is None:
        _missing_service("needs Chromium: apt-get install chromium")


@pytest.fixture(autouse=True)
def _discreet_mode_holds_for_every_email(request):
    """After every test that used the database: each email sent to a member in discreet mode
    came from the neutral sender with the neutral subject. Checked over the whole outbox,
    allauth's messages included: a discreet member's addresses are their account's address
    and every address allauth holds for them (one being confirmed, one they moved away from)."""
    yield
    if request.node.get_closest_marker("django_db") is None and not {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        return
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.core import mail

    from accounts.models import MemberProfile
    from core.email import neutral_sender

    outbox = getattr(mail, "outbox", [])
    recipients = {address.lower() for message in outbox for address in message.to}
    if not recipients:
        return
    discreet = set(
        MemberProfile.objects.filter(discreet_mode=True, user__email__in=recipients).values_list(
            "user__email", flat=True
        )
    )
    discreet |= {
        address.lower()
        for address in EmailAddress.objects.filter(
            user__member_profile__discreet_mode=True, email__in=recipients
        ).values_list("email", flat=True)
    }
    for message in outbox:
        if discreet & {address.lower() for address in message.to}:
            assert message.from_email == neutral_sender(), message.subject
            assert message.subject == settings.DISCREET_SUBJECT


@pytest.fixture
def wagtail_tree(transactional_db):
    """Wagtail's locale and root page, recreated if an earlier transactional test's flush
    removed what migrations put there."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale, Page

    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:  # content_translation/migrations/0001_locales.py
        Locale.objects.get_or_create(language_code=code)
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(
            instance=Page(title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page))
        )
    return root


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo_site(db):
    """The demo content of `make run`, loaded into the test database."""
    from django.core.management import call_command

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from wagtail.models import Site

    return Site.objects.get(is_default_site=True)


class DemoServer:
    """A Thrive server process with the demo content, on its own database."""

    def __init__(self, url: str, var_dir: Path, env: dict, stripe_url: str | None = None):
        self.url = url
        self.var_dir = var_dir
        self.env = env
        self.stripe_url = stripe_url  # its localstripe, or None when localstripe is missing

    def require_stripe(self) -> str:
        """The server's localstripe address; skips (or fails, under THRIVE_REQUIRE_SERVICES)
        a payment journey when localstripe is missing."""
        if self.stripe_url is None:
            _missing_service("needs localstripe for the demo server: pip install -r requirements.txt")
        return self.stripe_url

    def shell(self, code: str) -> str:
        """Run Python in the server's Django (its own database); return what it printed."""
        result = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "shell", "--no-imports", "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return result.stdout.strip()

    @property
    def staff_login(self) -> tuple[str, str]:
        from core.demo import DEMO_STAFF_EMAIL

        return DEMO_STAFF_EMAIL, (self.var_dir / "demo_staff_password").read_text().strip()


def wait_until_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    """Return once the server at `url` answers /healthz with 200; raise (naming its log) if
    `process` stops first or 60 s pass. Every test that starts a Thrive server waits with this."""
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310 (our http URL)
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server at {url} did not start; see {log}")
        time.sleep(0.2)


def process_stop(process: subprocess.Popen, grace: float = 20) -> None:
    """SIGTERM, then SIGKILL if the process has not ended within `grace` seconds (gunicorn
    waits up to its graceful timeout for busy threads; a loaded CI machine made 10 s too few
    and a fixture's teardown failed a test that had passed)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def xdist_worker_suffix() -> str:
    """The "_gw0", "_gw1"... of a pytest-xdist worker, "" in a plain pytest run: added to every
    database, file or name a test makes outside its tmp_path, so workers running at once
    never share one (pytest-django suffixes the test database the same way)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"_{worker}" if worker else ""


def fresh_postgres_database_url(url: str, suffix: str) -> str:
    """A new, empty PostgreSQL database beside the one `url` names: `<name><suffix>_gwN`,
    dropped first if an earlier run left it. For servers a test starts on their own database."""
    import psycopg  # loaded only on PostgreSQL

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + suffix + xdist_worker_suffix()
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def _browser_database_url(tmp: Path) -> str:
    """SQLite in a temporary folder, or a fresh PostgreSQL database beside the test one."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'browser.sqlite3'}"
    return fresh_postgres_database_url(url, "_browser")


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """`make run`'s site, started once per test session in its own process and database, for
    browser tests: migrated, seeded, served by gunicorn on a free port."""
    tmp = tmp_path_factory.mktemp("demo-server")
    # Its own localstripe (tests' `localstripe` empties the shared one before each test).
    stripe = _start_localstripe(tmp / "localstripe.log")
    stripe_url = stripe[1] if stripe else f"http://127.0.0.1:{_free_port()}"  # nothing there: payments unavailable
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.e2e",
        "DATABASE_URL": _browser_database_url(tmp),
        "THRIVE_VAR_DIR": str(tmp),
        "SECRET_KEY": "browser-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STRIPE_API_BASE": stripe_url,
        "STRIPE_WEBHOOK_SECRET": "whsec_browser_tests",
    }
    env.pop("REDIS_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "8",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(url, server, tmp / "server.log")
    if stripe:
        from payments.gateway import localstripe_register_webhook

        localstripe_register_webhook(
            url=url + "/payments/stripe/webhook/", secret=env["STRIPE_WEBHOOK_SECRET"], api_base=stripe_url
        )
    yield DemoServer(url, tmp, env, stripe_url=stripe_url if stripe else None)
    process_stop(server)
    log.close()
    if stripe:
        process_stop(stripe[0])


@pytest.fixture(scope="session")
def chromium():
    path = chromium_path()
    if path is None:
        _missing_service("needs Chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageRecorder:
    """What a browser page did: console errors and every URL it requested."""

    def __init__(self, page):
        self.page = page
        self.console_errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        page.on("request", lambda request: self.requests.append(request.url))


@pytest.fixture
def browser_page(chromium):
    """A fresh Chromium context and page; `browser_page.recorder` holds what it did."""
    context = chromium.new_context()
    page = context.new_page()
    page.recorder = PageRecorder(page)
    yield page
    context.close()


def sign_in_page(page, base: str, email: str, password: str) -> None:
    """Sign in through the real allauth form in the browser."""
    page.goto(base + "/accounts/login/")
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


@pytest.fixture
def sign_in():
    return sign_in_page


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (served from the test process, not a CDN) on the page; return the
    violations of the given impacts, each as {id, impact, help, targets}."""
    from axe_playwright_python.sync_playwright import Axe

    from core.tests.walk import settle

    settle(page)  # a message still fading in would be measured half drawn
    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in impacts:
            found.append(
                {
                    "id": violation["id"],
                    "impact": violation["impact"],
                    "help": violation["help"],
                    "targets": [node["target"] for node in violation["nodes"]],
                }
            )
    return found


@pytest.fixture
def axe():
    return axe_violations


class LocalStripe:
    """A localstripe server of this test session (the local Stripe stand-in)."""

    def __init__(self, url: str, process: subprocess.Popen):
        self.url = url
        self.process = process

    def reset(self) -> None:
        """Forget every object (customers, payments, events) made by earlier tests."""
        request = urllib.request.Request(self.url + "/_config/data", method="DELETE")  # noqa: S310 (our local server)
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 (our local server)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _localstripe_executable() -> str | None:
    executable = shutil.which("localstripe") or str(Path(sys.executable).with_name("localstripe"))
    return executable if Path(executable).exists() else None


def _start_localstripe(log_path: Path) -> tuple[subprocess.Popen, str] | None:
    """localstripe on a free port, answering; None when it is missing or does not start."""
    executable = _localstripe_executable()
    if executable is None:
        return None
    port = _free_port()
    log = log_path.open("w")
    process = subprocess.Popen(
        [executable, "--port", str(port), "--from-scratch"], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/js.stripe.com/v3/", timeout=2).close()  # noqa: S310
            return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                return None
            time.sleep(0.1)


@pytest.fixture(scope="session")
def localstripe_server(tmp_path_factory):
    """localstripe started once per session on a free port. A missing or broken localstripe
    skips the tests that need it, or fails them under THRIVE_REQUIRE_SERVICES."""
    if _localstripe_executable() is None:
        _missing_service("needs localstripe: pip install -r requirements.txt")
    log_path = tmp_path_factory.mktemp("localstripe") / "localstripe.log"
    started = _start_localstripe(log_path)
    if started is None:
        _missing_service(f"needs localstripe: it did not start (see {log_path})")
    process, url = started
    yield LocalStripe(url, process)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def localstripe(localstripe_server, settings):
    """localstripe, emptied for this test, with the site's Stripe settings pointing at it."""
    localstripe_server.reset()
    settings.STRIPE_API_BASE = localstripe_server.url
    return localstripe_server


class S3Server:
    """moto's S3 API server of this test session, with the bucket the tests store files in."""

    bucket = "thrive-test-media"
    access_key = "thrive-test-key"
    secret_key = "thrive-test-secret"  # noqa: S105 (moto accepts any key)
    region = "eu-west-2"

    def __init__(self, url: str, process: subprocess.Popen):
        self.url = url
        self.process = process

    def client(self):
        """A boto3 S3 client for this server (reads objects back, the way another host would)."""
        import boto3  # loaded only by the tests that use S3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
        )

    def storage_settings(self) -> dict:
        """The settings `config/settings/base.py` makes of AWS_STORAGE_BUCKET_NAME and friends."""
        from botocore.config import Config  # loaded only by the tests that use S3

        return {
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_S3_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_S3_REGION_NAME": self.region,
            "AWS_DEFAULT_ACL": None,
            "AWS_QUERYSTRING_AUTH": True,
            "AWS_QUERYSTRING_EXPIRE": 300,
            "AWS_S3_FILE_OVERWRITE": False,
            "AWS_S3_CLIENT_CONFIG": Config(
                connect_timeout=3, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"}
            ),
        }

    def public_images_policy(self) -> str:
        """The bucket policy of README "Deploying at scale": anyone may read image renditions."""
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "PublicImageRenditions",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{self.bucket}/images/*",
                    }
                ],
            }
        )


def _moto_executable() -> str | None:
    executable = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    return executable if Path(executable).exists() else None


def _start_moto(log_path: Path) -> tuple[subprocess.Popen, str] | None:
    """moto_server on a free port, answering; None when it does not start."""
    port = _free_port()
    log = log_path.open("w")
    process = subprocess.Popen(
        [_moto_executable(), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=2).close()  # noqa: S310 (our local server)
            return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                return None
            time.sleep(0.1)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """moto's S3 server (moto[server], requirements-dev.txt) started once per session on a free
    port, with the test bucket created. A missing or broken moto skips the tests that need it,
    or fails them under THRIVE_REQUIRE_SERVICES."""
    if _moto_executable() is None:
        _missing_service("needs moto's S3 server (moto_server): pip install -r requirements-dev.txt")
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    started = _start_moto(log_path)
    if started is None:
        _missing_service(f"needs moto's S3 server: moto_server did not start (see {log_path})")
    process, url = started
    server = S3Server(url, process)
    client = server.client()
    client.create_bucket(Bucket=server.bucket, CreateBucketConfiguration={"LocationConstraint": server.region})
    client.put_bucket_policy(Bucket=server.bucket, Policy=server.public_images_policy())
    yield server
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def s3_storage(s3_server, settings):
    """This test's default storage is the moto bucket, configured as production configures it.
    Assigning STORAGES sends `setting_changed`, on which Django (django/test/signals.py) forgets
    its storages and `default_storage`, so FileFields built on the default storage use S3; the
    settings fixture puts everything back after the test."""
    for name, value in s3_server.storage_settings().items():
        setattr(settings, name, value)
    settings.STORAGES = settings.STORAGES | {"default": {"BACKEND": "core.storage.MediaStorage"}}
    return s3_server


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server (aiosmtpd, core/tests/smtp_server.py) on a free port for the
    session, recording what it receives. Each test calls `reset()` and points MAILERS at it
    (`settings.MAILERS = smtp_server.mailers()`)."""
    try:
        from core.tests.smtp_server import SMTPServer  # aiosmtpd: requirements-dev.txt
    except ImportError:
        _missing_service("needs aiosmtpd (SMTP server): pip install -r requirements-dev.txt")
    server = SMTPServer().start()
    yield server
    server.stop()
