"""The demo logins `make run` prints and `manage.py seed_demo` creates (cms writes them;
core's `serve_local` reads them, so they live below both)."""

from config import env

DEMO_STAFF_EMAIL = "staff@thrive.example"
PASSWORD_FILE = env.VAR_DIR / "demo_staff_password"
