"""Issue 13, item 15: production refuses the demo secrets published in this repository (the
Stripe keys, webhook secret and localstripe address, the test and benchmark SECRET_KEYs):
`make check-deploy` fails with them and passes with real-looking values; the web server's
entry point refuses to load."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from core.deploy_checks import published_secret_problems

ROOT = Path(__file__).resolve().parents[2]

REAL_LOOKING = {
    "STRIPE_SECRET_KEY": "sk_live_" + "51Hx" + secrets.token_hex(24),
    "STRIPE_PUBLISHABLE_KEY": "pk_live_" + "51Hx" + secrets.token_hex(24),
    "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(16),
    "STRIPE_API_BASE": "https://api.stripe.com",
}


def _published_values() -> dict[str, set[str]]:
    """Every Stripe-like value and SECRET_KEY literal written in the repository's tracked files."""
    found = subprocess.run(
        ["git", "grep", "-ohE", r"\b((sk|pk|rk)_(test|live)_[A-Za-z0-9_.]*|whsec_[A-Za-z0-9_.]*)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    keys = subprocess.run(
        ["git", "grep", "-ohE", r"SECRET_KEY\"?\s*[:=]\s*\"[^\"]+\""],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return {
        "STRIPE_SECRET_KEY": {value for value in found if value.startswith(("sk_", "rk_"))},
        "STRIPE_PUBLISHABLE_KEY": {value for value in found if value.startswith("pk_")},
        "STRIPE_WEBHOOK_SECRET": {value for value in found if value.startswith("whsec_")},
        # Production settings refuse keys under 50 characters before any check runs.
        "SECRET_KEY": {key for line in keys if len(key := re.search(r"\"([^\"]+)\"$", line).group(1)) >= 50},
    }


def _ids(**overrides) -> set[str]:
    values = {"SECRET_KEY": secrets.token_urlsafe(60)} | REAL_LOOKING | overrides
    with override_settings(**values):
        return {problem.id for problem in published_secret_problems()}


def test_real_looking_production_values_raise_no_problem():
    assert _ids() == set()


def test_every_demo_stripe_value_and_secret_key_written_in_the_repository_is_refused():
    published = _published_values()
    assert "sk_test_thrive_localstripe" in published["STRIPE_SECRET_KEY"]
    assert "whsec_thrive_localstripe" in published["STRIPE_WEBHOOK_SECRET"]
    assert len(published["SECRET_KEY"]) >= 3
    expected = {"STRIPE_SECRET_KEY": "thrive.E102", "STRIPE_PUBLISHABLE_KEY": "thrive.E102"}
    expected |= {"STRIPE_WEBHOOK_SECRET": "thrive.E104", "SECRET_KEY": "thrive.E101"}
    for name, values in published.items():
        for value in values:
            assert expected[name] in _ids(**{name: value}), (name, value)


@pytest.mark.parametrize(
    "api_base", ["http://127.0.0.1:8420", "http://localhost:8420", "https://localstripe.internal", "http://api.stripe.com"]
)
def test_stripe_api_base_pointing_at_a_local_stand_in_is_refused(api_base):
    assert _ids(STRIPE_API_BASE=api_base) == {"thrive.E105"}


def test_a_test_mode_stripe_key_is_a_warning():
    assert _ids(STRIPE_SECRET_KEY="sk_test_" + secrets.token_hex(24)) == {"thrive.W103"}


def _production_env(tmp_path, **values) -> dict:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("STRIPE_", "DJANGO_", "SECRET_KEY"))
    }
    return env | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "THRIVE_VAR_DIR": str(tmp_path),
    } | values


def _make_check_deploy(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "check-deploy"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_make_check_deploy_passes_with_real_looking_values(tmp_path):
    result = _make_check_deploy(_production_env(tmp_path, **REAL_LOOKING))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_make_check_deploy_fails_with_the_demo_stripe_values(tmp_path):
    result = _make_check_deploy(_production_env(tmp_path, STRIPE_API_BASE="http://127.0.0.1:8420"))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for check_id in ("thrive.E102", "thrive.E104", "thrive.E105"):
        assert check_id in output, output


def test_production_refuses_the_published_secret_key_on_any_checked_command(tmp_path):
    env = _production_env(tmp_path, **REAL_LOOKING) | {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "test-only-secret-key-not-for-any-real-site-0123456789abcdefghij",
        "ALLOWED_HOSTS": "thrive.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "thrive.E101" in result.stderr + result.stdout


def test_the_web_server_entry_point_refuses_to_load_with_demo_values(tmp_path):
    base = _production_env(tmp_path) | {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "thrive.example",
    }
    load = [sys.executable, "-c", "import config.wsgi"]
    refused = subprocess.run(load, cwd=ROOT, env=base, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr and "thrive.E104" in refused.stderr
    started = subprocess.run(load, cwd=ROOT, env=base | REAL_LOOKING, capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr
