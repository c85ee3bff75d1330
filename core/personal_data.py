"""Personal data: which fields hold it, how a member's rows are found, and how they are erased.

Every app answers the `thrive_personal_data` hook (contract in core/hooks.py) with one
`PersonalData`: the fields of its models that hold personal data (erased by its `erase`),
the text fields that do not (with the reason), the function that finds a member's rows
(the data export shows exactly those, `accounts.export`) and the function that erases them
(`accounts.erasure`, when Membership confirms an erasure). Third-party models are answered
for by the app that uses them (Wagtail's by cms, allauth's and Django's sessions by accounts,
the task queue by taskworker, the rest of Django and taggit by core, below).
`core/tests/test_personal_data.py` fails when an installed model has a text, email or JSON
field that no answer declares, so a new model holding personal data cannot be forgotten.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, models

from core.hooks import PERSONAL_DATA_HOOK

ERASED_EMAIL_DOMAIN = "@erased.invalid"

Rows = dict[str, set]  # model label -> primary keys


def erased_email(kind: str, pk: int) -> str:
    """The address an erased row gets instead of a person's: unique, and never delivered
    (`core.email.email_send` drops it)."""
    return f"erased-{kind}-{pk}{ERASED_EMAIL_DOMAIN}"


def is_erased_email(address: str) -> bool:
    return address.strip().lower().endswith(ERASED_EMAIL_DOMAIN)


@dataclass(frozen=True)
class Member:
    """Who is being exported or erased: the account, and the address it had (lower case)."""

    user_id: int
    email: str
    revoke_certificates: bool = False


def _no_rows(member: Member, found: Rows) -> Rows:
    return {}


def _nothing_to_erase(member: Member, found: Rows) -> None:
    return None


@dataclass(frozen=True)
class PersonalData:
    """One app's answer.

    personal      {"app.Model": ("field", ...)}: fields holding personal data; `erase`
                  empties or replaces them (or deletes the rows) for the member's rows.
    not_personal  {"app.Model": reason} for a whole model, or {"app.Model.field": reason}:
                  text fields that hold no personal data. A model with personal fields
                  declares its other text fields one by one.
    tasks         {"app.tasks.name": {"argument": "app.Model"}}: every task the app defines,
                  with the arguments that name one of the member's rows. A queued task that
                  names one is deleted at erasure (its email must not go out); `{}` for a
                  task that must still run (a refund, a cancellation at Stripe) or names no
                  one. Tasks holding the address itself are found by it, whatever they are.
    rows          rows(member, found) -> {"app.Model": {pk, ...}}: the member's rows of
                  this app (by account and by address). `found` holds the rows of the
                  answers before this one (by `order`), for answers that find rows about
                  rows (log entries, queued tasks). Reads only.
    erase         erase(member, found): empty the personal fields of the rows in `found`
                  (all answers' rows, found before anything was erased). Runs inside the
                  erasure's transaction, idempotent, sends no email.
    order         rows are found and erased in this order (answers about other apps'
                  rows come last).
    acting_staff  ("app.Model.field", ...): foreign keys to an account that name the staff
                  member who acted on a row about someone else (the staff contact of another
                  member's engagement, who approved or decided it). The data export does not
                  follow them: the row is the other person's, not the staff member's (what
                  staff did stays in the audit log, under their id).
    """

    personal: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    not_personal: dict[str, str] = dataclasses.field(default_factory=dict)
    tasks: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    rows: Callable[[Member, Rows], Rows] = _no_rows
    erase: Callable[[Member, Rows], None] = _nothing_to_erase
    order: int = 50
    acting_staff: tuple[str, ...] = ()


def answers() -> list[PersonalData]:
    from wagtail import hooks  # the hooks are Wagtail's registry; loaded with the apps

    found = [CORE_PERSONAL_DATA] + [get_answer() for get_answer in hooks.get_hooks(PERSONAL_DATA_HOOK)]
    return sorted(found, key=lambda answer: answer.order)


def member_rows(member: Member) -> Rows:
    """Every row holding the member's personal data, as the answers find them."""
    found: Rows = {}
    for answer in answers():
        for label, pks in answer.rows(member, found).items():
            if pks:
                found.setdefault(label, set()).update(pks)
    return found


def member_erase(member: Member) -> Rows:
    """Find the member's rows, then let every answer erase them. Call inside a transaction.
    Returns the rows found (before erasure)."""
    found = member_rows(member)
    for answer in answers():
        answer.erase(member, found)
    return found


TEXT_COLUMN_TYPES = ("varchar", "char", "text", "json", "jsonb")


def text_fields(model: type[models.Model]) -> list[models.Field]:
    """The model's own columns that hold text: char (email, slug, URL, file names), text and
    JSON (Wagtail's StreamFields included), as the database stores them."""
    found = []
    for field in model._meta.local_concrete_fields:
        if isinstance(field, models.UUIDField):  # stored as char(32) on SQLite; never text
            continue
        column_type = (field.db_type(connection) or "").split("(")[0].strip().lower()
        if column_type in TEXT_COLUMN_TYPES or isinstance(field, models.JSONField):
            found.append(field)
    return found


def stored_models() -> list[type[models.Model]]:
    """Every installed model with a table of its own (auto-created many-to-many tables too)."""
    return [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy and m._meta.managed]


def declared_fields() -> tuple[dict[str, str], dict[str, str]]:
    """({"app.Model.field": who erases it}, {"app.Model" or "app.Model.field": why not personal})."""
    personal: dict[str, str] = {}
    not_personal: dict[str, str] = {}
    for answer in answers():
        who = f"{answer.erase.__module__}.{answer.erase.__qualname__}"
        for label, names in answer.personal.items():
            personal.update({f"{label}.{name}": who for name in names})
        not_personal.update(answer.not_personal)
    return personal, not_personal


def acting_staff_fields() -> set[str]:
    """{"app.Model.field", ...}: the foreign keys the data export does not follow (see PersonalData)."""
    return {name for answer in answers() for name in answer.acting_staff}


def declared_tasks() -> dict[str, dict[str, str]]:
    tasks: dict[str, dict[str, str]] = {}
    for answer in answers():
        tasks.update(answer.tasks)
    return tasks


# Core's own answer: its models, and the installed models no app of ours owns.
CORE_PERSONAL_DATA = PersonalData(
    not_personal={
        "core.AuditEvent": "who did what and when, as ids and choices (kept: the audit log)",
        "core.RateCounter": "keyed hashes of who tried too often, expiring within the hour",
        "core.CacheGeneration": "cache version numbers",
        "auth.Permission": "permission names",
        "auth.Group": "role names",
        "contenttypes.ContentType": "model names",
        "taggit.Tag": "tags editors give pages",
    },
    order=0,
)
