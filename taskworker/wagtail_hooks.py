from wagtail import hooks

from core.hooks import PERSONAL_DATA_HOOK


@hooks.register(PERSONAL_DATA_HOOK)
def personal_data():
    from taskworker.erasure import PERSONAL_DATA  # the task queue's models: loaded once the apps are

    return PERSONAL_DATA
