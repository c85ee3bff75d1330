"""The Cohort snippet's form in the Wagtail admin."""

from collections import Counter

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminModelForm

from accounts.roles import TRAINERS


def trainer_labels(users) -> dict[int, str]:
    """How each trainer reads in the picker: the staff name on the account, else the display
    name they chose; the sign-in address only when there is no name at all. Two trainers
    with the same name are told apart by their account number, never by more personal data."""
    names = {}
    for user in users:
        profile = getattr(user, "member_profile", None)
        names[user.pk] = user.get_full_name() or (profile.display_name if profile is not None else "")
    repeated = Counter(name for name in names.values() if name)
    labels = {}
    for user in users:
        name = names[user.pk]
        if not name:
            labels[user.pk] = user.email
        elif repeated[name] > 1:
            labels[user.pk] = f"{name} (account {user.pk})"
        else:
            labels[user.pk] = name
    return labels


class CohortForm(WagtailAdminModelForm):
    """Trainers are picked by name among the people in the Trainers group (and whoever
    already trains this cohort, so saving never drops a trainer who left the group)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("trainers")
        if field is None:
            return
        in_group = Group.objects.filter(name=TRAINERS).values("user")
        current = self.instance.trainers.values("pk") if self.instance.pk else []
        trainers = (
            get_user_model()
            .objects.filter(Q(pk__in=in_group, is_active=True) | Q(pk__in=current))
            .select_related("member_profile")
            .order_by("first_name", "last_name", "member_profile__display_name", "pk")
        )
        labels = trainer_labels(list(trainers))
        field.queryset = trainers
        field.label_from_instance = lambda user: labels.get(user.pk, user.email)
        field.help_text = _("People in the Trainers group. To list someone here, add them to that group.")
