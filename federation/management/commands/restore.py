import sys

from django.core.management.base import BaseCommand, CommandError

from federation.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files with a backup made by `backup` "
        "(docs/operations.md). Stop the web server and workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive; '-' reads it from standard input")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="do not ask for confirmation"
        )

    def handle(self, *args, file, interactive=True, **options):
        if interactive and file == "-":
            raise CommandError("reading the backup from standard input needs --noinput")
        if interactive:
            answer = input(
                "This replaces the whole database and every uploaded file with the backup's. Type 'yes' to continue: "
            )
            if answer.strip() != "yes":
                raise CommandError("restore cancelled")
        try:
            manifest = restore(sys.stdin.buffer if file == "-" else file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"restored the {manifest['engine']} database of {manifest['created']} and {manifest['media_files']} "
                "uploaded files; run `manage.py migrate` if the code is newer than the backup"
            )
        )
