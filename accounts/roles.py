"""Staff roles are Wagtail groups; every view that shows personal data checks them itself."""

from functools import wraps

from django.core.exceptions import PermissionDenied

EDITORS = "Editors"
TRAINERS = "Trainers"
EVENT_STAFF = "Event staff"
FINANCE = "Finance"
MEMBERSHIP = "Membership"
CHAPTER_ORGANISERS = "Chapter organisers"  # scoped to one chapter: organised_chapter_id()
COMMUNICATIONS = "Communications"  # sends newsletters; the only role that sees subscribers
STAFF_GROUPS = (EDITORS, TRAINERS, EVENT_STAFF, FINANCE, MEMBERSHIP, CHAPTER_ORGANISERS, COMMUNICATIONS)


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


def organised_chapter_id(user) -> int | None:
    """The chapter a chapter organiser organises (cms.ChapterOrganiser), or None: not in the
    group, or not assigned a chapter (then they see no chapter's people at all). One query,
    once per request. Superusers and the network-wide roles are not scoped: ask has_role."""
    if not user.is_authenticated or not user.is_active or CHAPTER_ORGANISERS not in roles_of(user):
        return None
    cached = getattr(user, "_thrive_chapter", False)
    if cached is False:
        from cms.models import ChapterOrganiser  # noqa: PLC0415 - imported while models load (training.admin_forms)

        cached = ChapterOrganiser.objects.filter(user=user).values_list("chapter_id", flat=True).first()
        user._thrive_chapter = cached
    return cached


def scoped_to_chapter(user, *network_roles: str) -> tuple[bool, int | None]:
    """(allowed, chapter id) for a screen that `network_roles` see whole and chapter
    organisers see for their own chapter only: (True, None) for a network-wide role or a
    superuser, (True, id) for an assigned organiser, (False, None) for anyone else."""
    if has_role(user, *network_roles):
        return True, None
    chapter_id = organised_chapter_id(user)
    return chapter_id is not None, chapter_id


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
