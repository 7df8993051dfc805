from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    """Funding standards, records and projects (see the funding issue)."""

    name = "funding"
    verbose_name = _("Funding")

    def ready(self):
        # Imported here: apps.py loads before the app registry is ready (plugs loads models).
        from funding import plugs, results

        plugs.register()
        results.connect()
