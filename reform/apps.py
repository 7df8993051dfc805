from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReformConfig(AppConfig):
    """破难行动: campaigns, checklists, problems and key tasks (see the reform issue)."""

    name = "reform"
    verbose_name = _("Reform")

    def ready(self):
        # Imported here: apps.py loads before the app registry is ready (these load models).
        from federation import notices
        from orgtree.signals import figures_changed
        from reform import plugs
        from reform.reports import notify_missing
        from reform.services import follow_figures, notify_overdue

        notices.daily(notify_overdue)
        notices.daily(notify_missing)
        plugs.register()
        figures_changed.connect(follow_figures, dispatch_uid="reform.follow_figures")
