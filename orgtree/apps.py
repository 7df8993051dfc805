from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgtreeConfig(AppConfig):
    name = "orgtree"
    verbose_name = _("Organization tree")

    def ready(self):
        from federation import notices
        from orgtree.elections import notify_overdue

        notices.daily(notify_overdue)
