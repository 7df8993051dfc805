from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from federation.scope import scope_units
from orgtree.conversion_excel import ConversionImporter


class Command(BaseCommand):
    help = "Import a filled-in 会改联 workbook with the same checks and scope as the upload page."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="whose scope applies and who is recorded as the author")
        parser.add_argument("--dry-run", action="store_true", help="check only")

    def handle(self, *args, **options):
        try:
            user = get_user_model().objects.get(username=options["user"], is_active=True)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"no active user {options['user']}") from exc
        units = scope_units(user, "change")
        if not units and not user.is_superuser:
            raise CommandError(f"{user} has no scope to change anything")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        reader = ConversionImporter(user, None).read(path.read_bytes())
        for p in reader.problems:
            self.stderr.write(f"{p.sheet or '-'} row {p.row or '-'} {p.column or '-'}: {p.message}")
        if reader.problems:
            raise CommandError(f"{len(reader.problems)} problems; nothing was imported")
        self.stdout.write(f"{len(reader.conversions)} villages checked")
        if options["dry_run"]:
            return
        changed = reader.commit()
        self.stdout.write(self.style.SUCCESS(f"imported {len(reader.conversions)} villages, {changed} changed"))
