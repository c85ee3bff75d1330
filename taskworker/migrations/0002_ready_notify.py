"""PostgreSQL: a task that becomes ready (queued, or queued again after a lost worker) notifies
channel `taskworker_ready` when its transaction commits, so an idle `task_worker` starts it at
once instead of at its next poll (taskworker.worker.ResilientWorker.wait_for_work). The
notifications of one transaction are folded into one by PostgreSQL. Nothing on other databases."""

from django.db import migrations

CHANNEL = "taskworker_ready"  # taskworker.worker.READY_CHANNEL


def _table(apps) -> str:
    return apps.get_model("django_tasks_database", "DBTaskResult")._meta.db_table


def trigger_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(_table(apps))
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION taskworker_ready_notify() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{CHANNEL}', ''); RETURN NULL; END $$"
    )
    schema_editor.execute(
        f"CREATE TRIGGER taskworker_ready_notify AFTER INSERT OR UPDATE OF status ON {table} "
        "FOR EACH ROW WHEN (NEW.status = 'READY') EXECUTE FUNCTION taskworker_ready_notify()"
    )


def trigger_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS taskworker_ready_notify ON {schema_editor.quote_name(_table(apps))}")
    schema_editor.execute("DROP FUNCTION IF EXISTS taskworker_ready_notify()")


class Migration(migrations.Migration):
    dependencies = [
        ("taskworker", "0001_worker_heartbeat"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(trigger_create, trigger_drop)]
