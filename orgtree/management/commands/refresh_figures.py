from django.core.management.base import BaseCommand

from orgtree.coverage import refresh_all


class Command(BaseCommand):
    help = "Recompute every unit's stored figures (after bulk loads that bypass the services; nightly on beat)."

    def handle(self, *args, **options):
        self.stdout.write(self.style.SUCCESS(f"figures changed for {refresh_all()} units"))
