"""manage.py restore FOLDER (`make restore FROM=...`): a backup put back into an empty database and
an empty bucket or media folder; see core/backups.py."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder (made by `manage.py backup`) into this site's database and file storage. "
        "Both must be empty unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="the backup folder (holding manifest.json)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore even into a database with tables or a storage with files: the backup's tables are "
            "dropped and recreated, its files replace those of the same names (nothing else is removed)",
        )

    def handle(self, *args, **options):
        try:
            restored = backup_restore(source=options["source"], force=options["force"], say=self.stdout.write)
        except BackupError as error:
            raise CommandError(f"Restore refused or failed: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {restored['tables']} tables ({restored['rows']} rows) and {restored['files']} files "
                f"from {options['source']}"
            )
        )
