"""Finding a member by a piece of their name at any size, on PostgreSQL: a trigram index
(pg_trgm) on the upper-cased display and certificate names, the very expressions Django's
`icontains` compares (`UPPER("display_name"::text) LIKE UPPER('%amani%')`). Over 100,000
members the search scanned them all (650 ms a page); with the index it takes a few ms.

Not declared on the model: Django's GinIndex would be written on SQLite too, which has no
such index. pg_trgm is a trusted extension (PostgreSQL 13 and later), so the database's owner
may add it; where it cannot be added the migration goes on without the index and member
search scans, as before, rather than failing the deploy.
"""

from django.db import DatabaseError, migrations, transaction

INDEX = "accounts_member_name_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        print(f"\n  accounts 0009: no pg_trgm ({error}); member search by name will scan.")
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON accounts_memberprofile USING gin "
        "(upper(display_name::text) gin_trgm_ops, upper(certificate_name::text) gin_trgm_ops)"
    )
    # Statistics on the indexed expressions: without them the planner guesses that a piece of a
    # name is common and walks the whole name order instead (230 ms for a name found once).
    schema_editor.execute("ANALYZE accounts_memberprofile")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_member_name_index")]

    operations = [migrations.RunPython(create_index, drop_index)]
