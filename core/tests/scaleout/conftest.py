"""Two app hosts behind HAProxy, started from deploy/ (issue 15, item 2).

`two_hosts` (one per test module) builds what README "Deploying at scale" describes, on this
machine, with real parts only:

- one PostgreSQL database (its own, suffixed with the xdist worker), migrated, seeded once with
  `seed_demo`; one private redis-server; moto's S3 server with a private bucket; localstripe as
  Stripe; aiosmtpd as the SMTP server;
- the environment file of each host, written from deploy/thrive.env.example (the same values on
  both hosts except THRIVE_WEB_BIND and their local folders: nothing may rely on a shared disk);
- `deploy/manage` for migrate, collectstatic and schedule_tasks, as on a host;
- host A (127.0.0.2) and host B (127.0.0.3), each a gunicorn started from
  deploy/thrive-web.service and a task worker from deploy/thrive-worker@.service, in a process
  group of its own, so stopping "host A" stops its whole gunicorn and its worker at once;
- HAProxy with deploy/haproxy.cfg as it is, after a small global section of the test's own (log
  to a file, a stats socket), as a Debian host loads it after /etc/haproxy/haproxy.cfg; TLS with a
  certificate made for the run.

The one departure from production: DJANGO_SETTINGS_MODULE is core.tests.scaleout.settings,
production's settings with the refusal of a local Stripe stand-in turned off (see that module).
"""

import base64
import contextlib
import datetime
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import string
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import _free_port, _localstripe_executable, _missing_service
from core.tests.scaleout.systemd import Unit, fill_environment_template, parse_environment_file
from core.tests.scaleout.web import Target, Visitor
from payments.gateway import localstripe_register_webhook

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent
SETTINGS = "core.tests.scaleout.settings"
HOSTS = {"A": "127.0.0.2", "B": "127.0.0.3"}
BUCKET = "thrive-two-hosts"
STAFF_EMAIL = "staff@thrive.example"
MEMBER_EMAIL = "member@thrive.example"
TIMEOUT = 120
NOTICE = "Meetings move to the Riverside Centre from March."


def xdist_suffix() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"_{worker}" if worker else ""


def _random(n: int) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))


def _port_free_on(addresses) -> int:
    """One port free on every address given (both hosts listen on the same port, as two
    machines would)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((addresses[0], 0))
            port = probe.getsockname()[1]
            taken = False
            for address in addresses[1:]:
                with socket.socket() as other:
                    try:
                        other.bind((address, port))
                    except OSError:
                        taken = True
            if not taken:
                return port
    raise RuntimeError("no port free on both host addresses")


def _fresh_database(url: str) -> str:
    import psycopg  # loaded only on PostgreSQL

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_two_hosts" + xdist_suffix()
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 made for this run: (HAProxy's PEM with the key, the
    certificate alone, which clients and localstripe trust)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    folder.mkdir()
    both, alone = folder / "site.pem", folder / "cert.pem"
    both.write_bytes(cert_pem + key_pem)
    both.chmod(0o600)
    alone.write_bytes(cert_pem)
    return both, alone


def _wait(what: str, ready, process: subprocess.Popen | None, log: Path, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if ready():
                return
        except OSError:
            pass
        if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start; see {log}:\n{log.read_text()[-3000:] if log.exists() else ''}")
        time.sleep(0.2)


@dataclass
class Service:
    """A process the fixture started, in a process group of its own."""

    name: str
    process: subprocess.Popen
    log: Path
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None

    def send_signal(self, sig=signal.SIGTERM) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def stop(self, sig=signal.SIGTERM, timeout: float = 30) -> None:
        self.send_signal(sig)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.send_signal(signal.SIGKILL)
            self.process.wait(timeout=timeout)


def _start(name: str, argv, *, env, cwd, log: Path) -> Service:
    out = log.open("ab")
    process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    out.close()
    return Service(name, process, log, list(argv), dict(env), cwd)


@dataclass
class TwoHosts:
    tmp: Path
    s3_server: object
    env: dict[str, str] = field(default_factory=dict)  # the values written into both hosts' files
    env_files: dict[str, Path] = field(default_factory=dict)
    public_host: str = ""
    https_port: int = 0
    http_port: int = 0
    web_port: int = 0
    tls: ssl.SSLContext | None = None
    stripe_url: str = ""
    made: dict = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    started_at: float = field(default_factory=time.monotonic)

    def lap(self, what: str) -> None:
        """Note how long the fixture has taken so far (timings.txt in its folder)."""
        with (self.tmp / "timings.txt").open("a") as out:
            out.write(f"{time.monotonic() - self.started_at:7.1f} s  {what}\n")

    @property
    def mail_dir(self) -> Path:
        return self.tmp / "mail"

    @property
    def haproxy_socket(self) -> Path:
        return self.tmp / "haproxy.sock"

    def start_service(self, name: str, argv, *, env, cwd=None) -> Service:
        self.services[name] = _start(name, argv, env=env, cwd=cwd or self.tmp, log=self.tmp / f"{name}.log")
        return self.services[name]

    def restart_service(self, name: str) -> Service:
        """Start a stopped service again, as it was started."""
        old = self.services[name]
        assert old.process.poll() is not None, f"{name} is still running"
        return self.start_service(name, old.argv, env=old.env, cwd=old.cwd)

    def manage(self, *args, host: str = "A", settings: str | None = None) -> str:
        """`deploy/manage ARGS` on host `host`; with `settings`, manage.py under those settings
        and the host's environment otherwise (seed_demo, which production refuses)."""
        environment = self.base_env | {"THRIVE_ENV_FILE": str(self.env_files[host])}
        command = [str(DEPLOY / "manage"), *args]
        if settings:
            environment = self.base_env | parse_environment_file(self.env_files[host].read_text())
            environment |= {"DJANGO_SETTINGS_MODULE": settings, "THRIVE_VAR_DIR": str(self.tmp / "seed-var")}
            command = [str(VENV_BIN / "python"), "manage.py", *args]
        result = subprocess.run(command, env=environment, cwd=ROOT, capture_output=True, text=True, timeout=600)
        if result.returncode:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
        return result.stdout

    # --- where requests go ------------------------------------------------------------------
    @property
    def proxy(self) -> Target:
        return Target("HAProxy", "127.0.0.1", self.https_port, self.tls)

    def host(self, name: str) -> Target:
        return Target(f"host {name}", HOSTS[name], self.web_port)

    def visitor(self, address: str = "127.0.0.1") -> Visitor:
        return Visitor(self.public_host, address)

    # --- the hosts ----------------------------------------------------------------------------
    def unit_command(self, unit: str, host: str):
        return Unit.read(DEPLOY / unit).command(
            root=ROOT, venv_bin=VENV_BIN, env_file=self.env_files[host], base_env=self.base_env
        )

    @property
    def base_env(self) -> dict[str, str]:
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "TMPDIR": str(self.tmp)}

    def start_host(self, name: str, *, wait: bool = True) -> None:
        """Host `name`'s gunicorn and task worker, from the units (answering, unless not `wait`)."""
        argv, env, cwd = self.unit_command("thrive-web.service", name)
        self.start_service(f"web-{name}", argv, env=env, cwd=cwd)
        argv, env, cwd = self.unit_command("thrive-worker@.service", name)
        self.start_service(f"worker-{name}", argv, env=env, cwd=cwd)
        if wait:
            self.wait_for_host(name)

    def wait_for_host(self, name: str) -> None:
        web, target = self.services[f"web-{name}"], self.host(name)
        _wait(f"host {name}", lambda: self.visitor().get(target, "/healthz").status == 200, web.process, web.log)

    def stop_host(self, name: str, sig=signal.SIGKILL) -> None:
        """Stop host `name` as a machine stops: its gunicorn (master and workers) and its task
        worker, all at once."""
        for service in (self.services[f"web-{name}"], self.services[f"worker-{name}"]):
            service.stop(sig)

    # --- HAProxy ------------------------------------------------------------------------------
    def haproxy_servers(self, backend: str = "thrive_web") -> dict[str, dict[str, str]]:
        """HAProxy's own view of the app hosts in `backend` (its stats socket):
        {server: {status, stot, ...}}."""
        with socket.socket(socket.AF_UNIX) as conn:
            conn.settimeout(5)
            conn.connect(str(self.haproxy_socket))
            conn.sendall(b"show stat\n")
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
        lines = data.decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {row["svname"]: row for row in rows if row["pxname"] == backend and row["svname"].startswith("web")}

    def wait_for_haproxy(self, expected: dict[str, str], timeout: float = 30, backend: str = "thrive_web") -> None:
        deadline = time.monotonic() + timeout
        while True:
            states = {name: row["status"] for name, row in self.haproxy_servers(backend).items()}
            if all(states.get(name, "").startswith(state) for name, state in expected.items()):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"HAProxy sees {states}, expected {expected}")
            time.sleep(0.2)

    # --- the shared database and the site's own shell -----------------------------------------
    def sql(self, query: str, params=()) -> list[tuple]:
        import psycopg  # loaded only on PostgreSQL

        with psycopg.connect(self.env["DATABASE_URL"], autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def shell(self, code: str, host: str = "A") -> str:
        """Python run by `deploy/manage shell` on host `host` (its environment file)."""
        return self.manage("shell", "--no-imports", "-c", code, host=host).strip()

    def mails(self) -> list[bytes]:
        """Every message the SMTP server received (aiosmtpd's Mailbox handler: a maildir)."""
        new = self.mail_dir / "new"
        return [path.read_bytes() for path in sorted(new.iterdir())] if new.exists() else []


SETUP = """
import json
from allauth.mfa.totp.internal.auth import TOTP
from accounts.models import User
from cms.models import Chapter, HomePage, StandardPage
from events.demo import demo_event, event_index, ticket

staff = User.objects.get(email=%(staff)r)
TOTP.activate(staff, %(totp_secret)r)
home = HomePage.objects.first()
notice = StandardPage(title="Notice board", slug="notice-board", intro=%(intro)r)
home.add_child(instance=notice)
notice.save_revision().publish()
made = {"notice": notice.pk, "member": User.objects.get(email=%(member)r).pk}
chapters = {chapter.slug: chapter for chapter in Chapter.objects.all()}
index = event_index()
for kind, spec in {
    "free": {"title": "Open day", "event_type": "gathering", "in_days": 12, "tickets": [ticket("Free place", 500)]},
    "paid": {
        "title": "Supper club", "event_type": "fundraiser", "in_days": 14,
        "tickets": [ticket("Supper ticket", 500, price_minor=1200)],
    },
}.items():
    event = demo_event(spec, chapters)
    index.add_child(instance=event)
    event.save_revision().publish()
    made[f"{kind}_event"], made[f"{kind}_ticket"] = event.pk, event.ticket_types.get().pk
print(json.dumps(made))
"""


def _need(executable: str | None, reason: str) -> str:
    if not executable:
        _missing_service(reason)
    return executable


@pytest.fixture(scope="module")
def two_hosts(tmp_path_factory, s3_server):
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        _missing_service("needs PostgreSQL: set DATABASE_URL=postgres://... to run it")
    haproxy = _need(
        shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin"), "needs HAProxy: apt-get install haproxy"
    )
    redis_server = _need(shutil.which("redis-server"), "needs redis-server: apt-get install redis-server")
    localstripe = _need(_localstripe_executable(), "needs localstripe: pip install -r requirements.txt")
    smtpd = VENV_BIN / "aiosmtpd"
    _need(str(smtpd) if smtpd.exists() else None, "needs aiosmtpd (SMTP server): pip install -r requirements-dev.txt")
    cluster = TwoHosts(tmp=tmp_path_factory.mktemp("two-hosts"), s3_server=s3_server)
    try:
        _build(cluster, database_url, haproxy, redis_server, localstripe, smtpd)
        yield cluster
    finally:
        services = list(cluster.services.values())
        for service in services:  # all at once: each may take seconds to finish what it was doing
            service.send_signal()
        for service in services:
            service.stop()


def _can_connect(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


def _build(cluster: "TwoHosts", database_url, haproxy, redis_server, localstripe, smtpd) -> None:
    tmp = cluster.tmp
    haproxy_pem, certificate = _certificate(tmp / "tls")
    cluster.tls = ssl.create_default_context(cafile=str(certificate))
    cluster.https_port, cluster.http_port = _free_port(), _free_port()
    cluster.web_port = _port_free_on(list(HOSTS.values()))
    cluster.public_host = f"127.0.0.1:{cluster.https_port}"
    site_url = f"https://{cluster.public_host}"

    # Shared services: Redis, SMTP, Stripe's stand-in (trusting our certificate for its webhooks).
    redis_port, smtp_port, stripe_port = _free_port(), _free_port(), _free_port()
    plain = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    redis = cluster.start_service(
        "redis",
        [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        env=plain,
    )
    smtp = cluster.start_service(
        "smtp",
        [str(smtpd), "-n", "-l", f"127.0.0.1:{smtp_port}", "-c", "aiosmtpd.handlers.Mailbox", str(cluster.mail_dir)],
        env=plain,
    )
    (tmp / "localstripe-tmp").mkdir()
    stripe = cluster.start_service(
        "localstripe",
        [localstripe, "--port", str(stripe_port), "--from-scratch"],
        env=plain | {"SSL_CERT_FILE": str(certificate), "TMPDIR": str(tmp / "localstripe-tmp")},
    )
    cluster.stripe_url = f"http://127.0.0.1:{stripe_port}"
    s3 = cluster.s3_server
    bucket = BUCKET + xdist_suffix().replace("_", "-")
    s3.client().create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": s3.region})
    s3.client().put_bucket_policy(Bucket=bucket, Policy=s3.public_images_policy().replace(s3.bucket, bucket))
    for service, port in ((redis, redis_port), (smtp, smtp_port), (stripe, stripe_port)):
        _wait(service.name, lambda port=port: _can_connect(port), service.process, service.log)
    cluster.lap("shared services started")

    # The environment file of each host, from the template: the same values, except where the
    # host listens and its local folders (nothing may rely on a disk the hosts share).
    cluster.env = {
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "SECRET_KEY": secrets.token_urlsafe(60),
        "DATABASE_URL": _fresh_database(database_url),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": site_url,
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_REGION_NAME": s3.region,
        "AWS_S3_ENDPOINT_URL": s3.url,
        "AWS_ACCESS_KEY_ID": s3.access_key,
        "AWS_SECRET_ACCESS_KEY": s3.secret_key,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "DEFAULT_FROM_EMAIL": "Thrive <hello@thrive.example>",
        "STAFF_NOTIFICATION_EMAIL": STAFF_EMAIL,
        "STRIPE_SECRET_KEY": f"sk_test_{_random(32)}",
        "STRIPE_PUBLISHABLE_KEY": f"pk_test_{_random(32)}",
        "STRIPE_WEBHOOK_SECRET": f"whsec_{_random(32)}",
        "STRIPE_API_BASE": cluster.stripe_url,
    }
    template = (DEPLOY / "thrive.env.example").read_text()
    for name, address in HOSTS.items():
        local = tmp / f"host-{name}"
        local.mkdir()
        per_host = {
            "THRIVE_WEB_BIND": f"{address}:{cluster.web_port}",
            "THRIVE_VAR_DIR": str(local / "var"),
            "STATIC_ROOT": str(local / "static"),
            "MEDIA_ROOT": str(local / "media"),
        }
        cluster.env_files[name] = local / "thrive.env"
        cluster.env_files[name].write_text(fill_environment_template(template, cluster.env | per_host))

    # The release, as on a host: collectstatic (host A's, copied to B as the same build) while
    # migrate runs, then the demo content, the test's own content, and the periodic tasks.
    with ThreadPoolExecutor(1) as pool:
        static = pool.submit(cluster.manage, "collectstatic", "--noinput", "-v", "0")
        cluster.manage("migrate", "--noinput", "-v", "0")
        cluster.lap("migrated")
        cluster.manage("seed_demo", settings="config.settings.dev")
        cluster.lap("seeded")
        static.result()
        cluster.lap("static files collected")
    shutil.copytree(tmp / "host-A" / "static", tmp / "host-B" / "static")
    totp_secret = base64.b32encode(secrets.token_bytes(20)).decode()
    setup = SETUP % {"staff": STAFF_EMAIL, "member": MEMBER_EMAIL, "totp_secret": totp_secret, "intro": NOTICE}
    cluster.made = json.loads(cluster.shell(setup).splitlines()[-1]) | {"totp_secret": totp_secret}
    cluster.made["password"] = (tmp / "seed-var" / "demo_staff_password").read_text().strip()
    cluster.lap("test content made")
    # The hosts (the periodic tasks queued meanwhile), then HAProxy in front of them.
    for name in HOSTS:
        cluster.start_host(name, wait=False)
    cluster.manage("schedule_tasks")
    for name in HOSTS:
        cluster.wait_for_host(name)
    cluster.lap("hosts started")
    (tmp / "haproxy-global.cfg").write_text(
        "global\n"
        "    maxconn 512\n"
        "    log stdout format raw local0\n"
        f"    stats socket {cluster.haproxy_socket} mode 600 level admin\n"
    )
    proxy = cluster.start_service(
        "haproxy",
        [haproxy, "-db", "-f", str(tmp / "haproxy-global.cfg"), "-f", str(DEPLOY / "haproxy.cfg")],
        env=plain
        | {
            "THRIVE_HTTP_BIND": f"127.0.0.1:{cluster.http_port}",
            "THRIVE_HTTPS_BIND": f"127.0.0.1:{cluster.https_port}",
            "THRIVE_TLS_CERT": str(haproxy_pem),
            "THRIVE_PUBLIC_HOST": "127.0.0.1",
            "THRIVE_WEB1": f"{HOSTS['A']}:{cluster.web_port}",
            "THRIVE_WEB2": f"{HOSTS['B']}:{cluster.web_port}",
        },
    )
    _wait("HAProxy", cluster.haproxy_socket.exists, proxy.process, proxy.log)
    for backend in ("thrive_web", "thrive_web_running"):
        cluster.wait_for_haproxy({"web1": "UP", "web2": "UP"}, backend=backend)
    localstripe_register_webhook(
        url=f"{site_url}/payments/stripe/webhook/",
        secret=cluster.env["STRIPE_WEBHOOK_SECRET"],
        api_base=cluster.stripe_url,
    )
    cluster.lap("HAProxy started")
