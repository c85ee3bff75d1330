"""A member's erasure, as the task queue applies it (the personal-data contract, core/hooks.py).

Tasks take primary keys, and a few take an address (the notice to a ticket's earlier holder,
an event's cancellation). At erasure:
- a queued task (READY, whenever it is due) that names one of the member's rows through an
  argument its app declared (`PersonalData.tasks`), or that holds the member's address, is
  deleted: the email it would send (a booking confirmation, an offer) must not go out;
- a task that has run, or is running, keeps its row (the queue's history) with the address
  replaced wherever it appears (arguments, return value, traceback).
Tasks that must still run (a refund, a cancellation at Stripe) are declared with no such
argument by their app, so they stay queued. Whatever runs anyway (a task already running, a
housekeeping run) meets erased addresses, which `core.email.email_send` never delivers to.
"""

import json
import re

from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.personal_data import ERASED_EMAIL_DOMAIN, Member, PersonalData, Rows, declared_tasks

ADDRESS_REPLACEMENT = f"erased{ERASED_EMAIL_DOMAIN}"


def _naming_rows(found: Rows) -> set:
    pks = set()
    references = {path: arguments for path, arguments in declared_tasks().items() if arguments}
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path__in=references)
    for task_id, path, args_kwargs in queued.values_list("pk", "task_path", "args_kwargs"):
        kwargs = (args_kwargs or {}).get("kwargs", {})
        if any(kwargs.get(argument) in found.get(label, ()) for argument, label in references[path].items()):
            pks.add(task_id)
    return pks


def _holding_address(member: Member) -> set:
    if not member.email:
        return set()
    holding = (
        Q(arguments__icontains=member.email)
        | Q(returned__icontains=member.email)
        | Q(traceback__icontains=member.email)
    )
    rows = DBTaskResult.objects.annotate(
        arguments=Cast("args_kwargs", TextField()), returned=Cast("return_value", TextField())
    ).filter(holding)
    return set(rows.values_list("pk", flat=True))


def queue_member_rows(member: Member, found: Rows) -> Rows:
    return {DBTaskResult._meta.label: _naming_rows(found) | _holding_address(member)}


def _without(value, pattern: re.Pattern):
    if value is None:
        return None
    return json.loads(pattern.sub(ADDRESS_REPLACEMENT, json.dumps(value)))


def queue_erase_member(member: Member, found: Rows) -> None:
    tasks = DBTaskResult.objects.filter(pk__in=found.get(DBTaskResult._meta.label, ()))
    tasks.filter(status=TaskResultStatus.READY).delete()
    if not member.email:
        return
    pattern = re.compile(re.escape(member.email), re.IGNORECASE)
    for task in tasks.exclude(status=TaskResultStatus.READY):
        task.args_kwargs = _without(task.args_kwargs, pattern)
        task.return_value = _without(task.return_value, pattern)
        task.traceback = pattern.sub(ADDRESS_REPLACEMENT, task.traceback)
        task.save(update_fields=["args_kwargs", "return_value", "traceback"])


PERSONAL_DATA = PersonalData(
    personal={DBTaskResult._meta.label: ("args_kwargs", "return_value", "traceback")},
    not_personal={
        f"{DBTaskResult._meta.label}.status": "a status",
        f"{DBTaskResult._meta.label}.task_path": "which task",
        f"{DBTaskResult._meta.label}.worker_ids": "which workers ran it",
        f"{DBTaskResult._meta.label}.queue_name": "a queue name",
        f"{DBTaskResult._meta.label}.backend_name": "a backend name",
        f"{DBTaskResult._meta.label}.exception_class_path": "an exception's class",
        "taskworker.WorkerHeartbeat": "worker ids and host names",
    },
    rows=queue_member_rows,
    erase=queue_erase_member,
    order=100,
)
