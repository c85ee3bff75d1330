"""The personal-data registry (core.personal_data): every text column of every installed model
is declared either personal (and erased by an app's answer) or not personal (with a reason),
and every task our apps define says which of its arguments name a member's rows."""

import importlib

from django.apps import apps
from django.tasks import Task

from core.personal_data import (
    acting_staff_fields,
    answers,
    declared_fields,
    declared_tasks,
    stored_models,
    text_fields,
)

# Wagtail defines this model only when the database is SQLite.
ONLY_ON_SOME_DATABASES = {"wagtailsearch.SQLiteFTSIndexEntry"}
OUR_APPS = (
    "core",
    "cms",
    "accounts",
    "payments",
    "certificates",
    "training",
    "events",
    "voices",
    "newsletters",
    "taskworker",
    "volunteers",
    "fundraising",
)


def _undeclared() -> list[str]:
    personal, not_personal = declared_fields()
    missing = []
    for model in stored_models():
        label = model._meta.label
        for field in text_fields(model):
            name = f"{label}.{field.name}"
            if name not in personal and name not in not_personal and label not in not_personal:
                missing.append(name)
    return missing


def test_every_text_column_of_every_installed_model_is_declared_personal_or_not():
    assert _undeclared() == [], (
        "Text, email or JSON fields no app declares in its answer to the personal-data contract "
        "(core/hooks.py PERSONAL_DATA_HOOK): add each to its app's PersonalData, as personal "
        "(and erase it) or as not personal (with the reason)"
    )


def test_declarations_name_real_fields_and_do_not_contradict_each_other():
    personal, not_personal = declared_fields()
    # Every installed model, those without a table on this database too (Wagtail's SQLite index).
    models = {model._meta.label: model for model in apps.get_models(include_auto_created=True)}
    problems = []
    for name in [*personal, *not_personal]:
        label, _, field = name.rpartition(".") if name.count(".") == 2 else (name, "", "")
        if label not in models and label not in ONLY_ON_SOME_DATABASES:
            problems.append(f"{name}: no such model")
        elif label in models and field and field not in {f.name for f in text_fields(models[label])}:
            problems.append(f"{name}: no such text field")
    personal_models = {name.rpartition(".")[0] for name in personal}
    problems += [f"{name}: declared personal and not personal" for name in personal if name in not_personal]
    problems += [
        f"{label}: has personal fields, declare the others one by one" for label in personal_models & set(not_personal)
    ]
    assert problems == []


def test_fields_the_export_does_not_follow_are_foreign_keys_to_an_account():
    accounts = {apps.get_model("accounts", "User"), apps.get_model("accounts", "MemberProfile")}
    problems = []
    for name in acting_staff_fields():
        label, _, field_name = name.rpartition(".")
        try:
            field = apps.get_model(label)._meta.get_field(field_name)
        except LookupError:
            problems.append(f"{name}: no such field")
            continue
        if not (field.many_to_one or field.one_to_one) or field.related_model not in accounts:
            problems.append(f"{name}: not a foreign key to an account")
    assert problems == []


def test_the_registry_sees_through_a_model_nobody_declared(monkeypatch):
    import core.personal_data

    bare = core.personal_data.PersonalData()
    everything = answers()
    events = next(answer for answer in everything if "events.Registration" in answer.personal)
    stripped = [bare if answer is events else answer for answer in everything]
    monkeypatch.setattr(core.personal_data, "answers", lambda: stripped)
    missing = _undeclared()
    assert "events.Registration.email" in missing and "events.Registration.attendee_name" in missing


def _our_tasks() -> set[str]:
    found = set()
    for app in OUR_APPS:
        try:
            module = importlib.import_module(f"{app}.tasks")
        except ModuleNotFoundError:
            continue
        found |= {f"{module.__name__}.{name}" for name, value in vars(module).items() if isinstance(value, Task)}
    return found


def test_every_task_our_apps_define_is_declared_with_the_rows_its_arguments_name():
    tasks = declared_tasks()
    assert sorted(_our_tasks() - set(tasks)) == []
    assert sorted(set(tasks) - _our_tasks()) == []
    labels = {model._meta.label for model in stored_models()}
    assert [
        (path, label) for path, arguments in tasks.items() for label in arguments.values() if label not in labels
    ] == []
