from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "federation"
    verbose_name = _("Federation")

    def ready(self):
        # Imported here: apps.py loads before the app registry is ready (security loads models).
        from federation import datacache, security

        security.connect()
        datacache.connect()
