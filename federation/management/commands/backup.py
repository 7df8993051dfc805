import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from federation.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one .tar (docs/operations.md)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="the archive to write; '-' writes it to standard output "
            "(default: var/backups/banyan-YYYYMMDD-HHMMSS.tar)",
        )

    def handle(self, *args, output=None, **options):
        if output == "-":
            target, report = sys.stdout.buffer, self.stderr
        else:
            target = output or settings.VAR_DIR / "backups" / f"banyan-{timezone.localtime():%Y%m%d-%H%M%S}.tar"
            report = self.stdout
        try:
            manifest = backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if output == "-":
            sys.stdout.buffer.flush()
        where = "standard output" if output == "-" else str(target)
        report.write(
            f"backed up the {manifest['engine']} database and {manifest['media_files']} uploaded files to {where}"
        )
