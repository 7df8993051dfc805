from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExecutivesConfig(AppConfig):
    """执委作用发挥: what executives do — rotating chair, contact with women, training, activities and
    points, yearly evaluation (see the executives issue). Duties and changes mid-term are the
    committee's own (orgtree)."""

    name = "executives"
    verbose_name = _("Executives at work")

    def ready(self):
        # Imported here: apps.py loads before the app registry is ready (plugs loads models).
        from executives import plugs

        plugs.register()
