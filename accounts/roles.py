"""Staff roles are Wagtail groups; every view that shows personal data checks them itself."""

from functools import wraps

from django.core.exceptions import PermissionDenied

EDITORS = "Editors"
TRAINERS = "Trainers"
EVENT_STAFF = "Event staff"
FINANCE = "Finance"
MEMBERSHIP = "Membership"
STAFF_GROUPS = (EDITORS, TRAINERS, EVENT_STAFF, FINANCE, MEMBERSHIP)


def roles_of(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_thrive_roles", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=STAFF_GROUPS).values_list("name", flat=True))
        user._thrive_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    """True if the user holds any of `roles`. Superusers hold every role."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(roles_of(user) & set(roles))


def is_staff_member(user) -> bool:
    """Anyone who works in the admin: a Wagtail group, staff flag or superuser."""
    return user.is_authenticated and (user.is_superuser or user.is_staff or bool(roles_of(user)))


def role_required(*roles: str):
    """Refuse (403) a signed-in user without one of `roles`. Use inside the admin, where
    Wagtail has already sent anonymous visitors to sign in."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
