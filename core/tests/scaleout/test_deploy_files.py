"""deploy/ is complete and consistent (fast checks; test_two_hosts.py runs it for real).

- The environment file template lists every variable the production processes read (config/env.py,
  config/settings/production.py, config/gunicorn.py, gunicorn's own FORWARDED_ALLOW_IPS, the web
  unit's THRIVE_WEB_BIND) and nothing they do not; it cannot be used unfilled.
- The systemd units say nothing the two-host test does not apply or knowingly leave to systemd,
  and start what README "Deploying at scale" says.
- HAProxy accepts deploy/haproxy.cfg.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import _missing_service
from core.tests.scaleout.systemd import (
    ENV_FILE,
    INSTALL_DIR,
    Unit,
    fill_environment_template,
    parse_environment_file,
    required_variables,
    template_variables,
)

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
READ = re.compile(r"""(?:env_(?:str|int|bool|list)|os\.environ\.get|getenv)\(\s*["']([A-Z][A-Z0-9_]*)["']""")
# Read by development settings only (config/settings/dev.py), never by production.
DEVELOPMENT_ONLY = {"DEBUG"}
# Read by others than our code: gunicorn (its trusted proxy addresses), the web unit (its address).
READ_ELSEWHERE = {"FORWARDED_ALLOW_IPS", "THRIVE_WEB_BIND", "DJANGO_SETTINGS_MODULE"}


def variables_read() -> set[str]:
    names = set()
    for path in ("env.py", "gunicorn.py", "settings/production.py"):
        names |= set(READ.findall((ROOT / "config" / path).read_text()))
    return names - DEVELOPMENT_ONLY


def test_the_environment_template_lists_every_variable_production_reads_and_no_other():
    listed = set(template_variables((DEPLOY / "thrive.env.example").read_text()))
    read = variables_read()
    assert read - listed == set(), "read by the site but missing from deploy/thrive.env.example"
    assert listed - read - READ_ELSEWHERE == set(), "listed in deploy/thrive.env.example but read by nothing"
    assert {"SECRET_KEY", "DATABASE_URL", "STRIPE_SECRET_KEY", "AWS_STORAGE_BUCKET_NAME"} <= read  # the parse works


def test_the_environment_template_marks_what_is_required_and_cannot_be_used_unfilled():
    template = (DEPLOY / "thrive.env.example").read_text()
    required = set(required_variables(template))
    assert {
        "THRIVE_WEB_BIND",
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "ALLOWED_HOSTS",
        "SITE_URL",
        "AWS_STORAGE_BUCKET_NAME",
        "STRIPE_SECRET_KEY",
        "STRIPE_PUBLISHABLE_KEY",
        "STRIPE_WEBHOOK_SECRET",
    } <= required
    with pytest.raises(ValueError, match="required and left empty: THRIVE_WEB_BIND, SECRET_KEY"):
        fill_environment_template(template, {})
    with pytest.raises(ValueError, match="not in the environment template: NOT_A_SETTING"):
        fill_environment_template(template, dict.fromkeys(required, "x") | {"NOT_A_SETTING": "1"})
    # Filled in, it reads back as written, a value with spaces included.
    values = dict.fromkeys(required, "x") | {"DEFAULT_FROM_EMAIL": "Thrive <hello@thrive.example>"}
    read = parse_environment_file(fill_environment_template(template, values))
    assert {name: read[name] for name in values} == values
    assert read["TRUSTED_PROXY_COUNT"] == "1" and "DJANGO_SETTINGS_MODULE" not in read  # the units set it


def test_the_units_start_gunicorn_and_the_task_worker_with_the_environment_file(tmp_path):
    env_file = tmp_path / "thrive.env"
    env_file.write_text("THRIVE_WEB_BIND=10.0.0.11:8000\nSECRET_KEY=s\n")
    base = {"PATH": "/usr/bin:/bin", "HOME": "/root", "SOMETHING_ELSE": "not passed on"}
    venv = ROOT / ".venv" / "bin"
    web = Unit.read(DEPLOY / "thrive-web.service")
    argv, env, cwd = web.command(root=ROOT, venv_bin=venv, env_file=env_file, base_env=base)
    assert argv == [str(venv / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi:application"] + [
        "--bind",
        "10.0.0.11:8000",
    ]
    assert cwd == ROOT and "SOMETHING_ELSE" not in env
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production" and env["SECRET_KEY"] == "s"
    worker = Unit.read(DEPLOY / "thrive-worker@.service")
    argv, env, cwd = worker.command(root=ROOT, venv_bin=venv, env_file=env_file, base_env=base)
    assert argv == [str(venv / "python"), "manage.py", "task_worker", "--queue-name", "default", "--no-reload"]
    # What the test cannot do without systemd and root is named, not silently dropped.
    assert {"User", "Restart", "ProtectSystem", "KillMode"} <= set(web.not_applied)
    assert {"User", "Restart", "MemoryMax"} <= set(worker.not_applied)
    for unit in (web, worker):
        assert unit.one("EnvironmentFile") == ENV_FILE and unit.one("WorkingDirectory") == INSTALL_DIR
    # The environment file wins over the unit's Environment= (systemd.exec(5)).
    env_file.write_text("THRIVE_WEB_BIND=x:1\nDJANGO_SETTINGS_MODULE=elsewhere\n")
    assert web.command(root=ROOT, venv_bin=venv, env_file=env_file, base_env=base)[1]["DJANGO_SETTINGS_MODULE"] == (
        "elsewhere"
    )


def test_deploy_manage_runs_manage_py_with_the_environment_file(tmp_path):
    env_file = tmp_path / "thrive.env"
    env_file.write_text('SECRET_KEY=from-the-file\nDEFAULT_FROM_EMAIL="Thrive <hello@thrive.example>"\n')
    manage = DEPLOY / "manage"
    assert os.access(manage, os.X_OK)
    script = manage.read_text()
    assert 'THRIVE_ENV_FILE:-/etc/thrive/thrive.env' in script and "exec .venv/bin/python manage.py" in script
    # The file is read with sh as systemd reads it: the quoted value keeps its spaces.
    shown = subprocess.run(
        ["sh", "-c", f'set -a; . "{env_file}"; set +a; printf "%s|%s" "$SECRET_KEY" "$DEFAULT_FROM_EMAIL"'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert shown == "|".join(parse_environment_file(env_file.read_text()).values())


def test_haproxy_accepts_the_configuration(tmp_path):
    haproxy = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")
    if haproxy is None:
        _missing_service("needs HAProxy: apt-get install haproxy")
    pem = tmp_path / "site.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=thrive.example"]
        + ["-keyout", str(pem), "-out", str(tmp_path / "cert.pem")],
        check=True,
        capture_output=True,
    )
    pem.write_bytes((tmp_path / "cert.pem").read_bytes() + pem.read_bytes())
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "THRIVE_HTTP_BIND": ":80",
        "THRIVE_HTTPS_BIND": ":443",
        "THRIVE_TLS_CERT": str(pem),
        "THRIVE_PUBLIC_HOST": "thrive.example",
        "THRIVE_WEB1": "10.0.0.11:8000",
        "THRIVE_WEB2": "10.0.0.12:8000",
    }
    result = subprocess.run([haproxy, "-c", "-f", str(DEPLOY / "haproxy.cfg")], env=env, capture_output=True, text=True)
    assert result.returncode == 0 and "Configuration file is valid" in result.stdout + result.stderr, result.stderr
    config = (DEPLOY / "haproxy.cfg").read_text()
    # Every variable it names is one this test (and so deploy/README.md) sets.
    assert set(re.findall(r"\$\{(THRIVE_[A-Z0-9_]+)", config)) == set(env) - {"PATH"}
    assert "uri /readyz" in config and "option forwardfor" in config
