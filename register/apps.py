from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    """应建尽建: the register (台账) of organizations that may need a women's organization — agencies and
    institutions, non-public enterprises, social organizations, new-domain places and groups — whether each
    should build one, how it is covered and by which committee, its 包建 leader and the 通讯录."""

    name = "register"
    verbose_name = _("Organization register")

    def ready(self):
        # Imported here: apps.py loads before the app registry is ready (plugs loads models).
        from register import plugs

        plugs.register()
