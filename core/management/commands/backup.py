"""manage.py backup (`make backup`): the database and every stored file in one folder; see core/backups.py."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump --format=custom, or a copy of SQLite's file) and every stored file "
        "(the bucket's objects, or MEDIA_ROOT) into one folder, var/backups/<UTC time>/ by default."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="the folder to create (default: var/backups/<UTC time>)")

    def handle(self, *args, **options):
        try:
            folder = backup_create(output=options["output"], say=self.stdout.write)
        except BackupError as error:
            raise CommandError(f"Backup failed, nothing was kept: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}"))
        self.stdout.write(str(folder))
