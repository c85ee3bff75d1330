"""The private calendar secret moves to accounts (`accounts.CalendarFeed`, see accounts 0006):
its table is renamed to accounts_calendarfeed with its rows, and the model leaves training's
state. Going back renames the table back."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_calendar_feed"),
        ("training", "0004_editors_edit_snippets"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="CalendarFeed", table="accounts_calendarfeed"),
            ],
            state_operations=[
                migrations.DeleteModel(name="CalendarFeed"),
            ],
        ),
    ]
