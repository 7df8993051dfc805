from django.core.management.base import BaseCommand

from orgtree.coverage import backfill


class Command(BaseCommand):
    help = "Store weekly coverage snapshots for past Mondays (from the recorded dates); existing weeks are kept."

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, default=12)

    def handle(self, *args, **options):
        stored = backfill(options["weeks"])
        self.stdout.write(self.style.SUCCESS(f"stored {stored} snapshots over {options['weeks']} weeks"))
