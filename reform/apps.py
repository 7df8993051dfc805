from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReformConfig(AppConfig):
    """破难行动: campaigns, checklists, problems and key tasks (see the reform issue)."""

    name = "reform"
    verbose_name = _("Reform")

    def ready(self):
        from federation import notices
        from reform.services import notify_overdue

        notices.daily(notify_overdue)
