from django.core.management.base import BaseCommand

from funding.results import refresh_all


class Command(BaseCommand):
    help = "Recompute every unit's stored funding compliance (after bulk loads that bypass the services; nightly)."

    def handle(self, *args, **options):
        self.stdout.write(self.style.SUCCESS(f"compliance rows written or deleted: {refresh_all()}"))
