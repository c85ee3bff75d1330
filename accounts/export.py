"""Everything Thrive holds about a member, for the member to download.

Found by following every foreign key that points at the member's account or profile (so a
new model is included without anyone remembering to add it), except those an app declares as
naming the staff member who acted on someone else's row (`PersonalData.acting_staff`), plus
every row an app's answer to the personal-data contract finds (`core.personal_data`: by
account and by the address, guest bookings, form submissions and queued tasks included):
exactly the rows erasure later erases. Secrets are left out: password hash, link tokens, two-factor secrets, sessions.
"""

import json

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from accounts.models import MemberProfile, User
from core.personal_data import Member, acting_staff_fields, member_rows

SECRET_FIELDS = {"password", "token_hash", "data", "session_key", "session_data"}


def _models_referring_to(targets: tuple[type[models.Model], ...]):
    not_followed = acting_staff_fields()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                (field.many_to_one or field.one_to_one)
                and field.concrete
                and field.related_model in targets
                and f"{model._meta.label}.{field.name}" not in not_followed
            ):
                yield model, field


def rows_referring_to(user: User) -> dict[str, set]:
    """{model label: set of primary keys} of every row that refers to this member."""
    profile = MemberProfile.objects.filter(user=user).first()
    found: dict[str, set] = {User._meta.label: {user.pk}}
    for model, field in _models_referring_to((User, MemberProfile)):
        target = user if field.related_model is User else profile
        if target is None:
            continue
        pks = set(model._default_manager.filter(**{field.name: target}).values_list("pk", flat=True))
        if pks:
            found.setdefault(model._meta.label, set()).update(pks)
    for label, pks in member_rows(Member(user_id=user.pk, email=user.email.strip().lower())).items():
        found.setdefault(label, set()).update(pks)
    return found


def member_export(user: User) -> dict:
    """A JSON-ready dict: {model label: [rows]}, each row its fields minus secrets."""
    export: dict[str, list[dict]] = {}
    for label, pks in sorted(rows_referring_to(user).items()):
        model = apps.get_model(label)
        serialised = serializers.serialize("python", model._default_manager.filter(pk__in=pks).order_by("pk"))
        # A session's id is its key: whoever holds it is signed in as the member.
        hidden_id = model._meta.pk.name in SECRET_FIELDS
        export[label] = [
            {
                "id": "(hidden)" if hidden_id else row["pk"],
                **{k: v for k, v in row["fields"].items() if k not in SECRET_FIELDS},
            }
            for row in serialised
        ]
    return json.loads(json.dumps(export, cls=DjangoJSONEncoder))
