from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgtreeConfig(AppConfig):
    name = "orgtree"
    verbose_name = _("Organization tree")

    def ready(self):
        # Imported here: models and serializers load only once the app registry is ready.
        from federation import api, imports, notices
        from orgtree import plugs
        from orgtree.api.serializers import UnitSerializer
        from orgtree.elections import notify_overdue
        from orgtree.models import Unit

        notices.daily(notify_overdue)
        plugs.register()
        api.show_conflicts_with(Unit, UnitSerializer)
        imports.register("conversion_import", "orgtree.conversion_excel.ConversionImporter")
        imports.register("regionalization_import", "orgtree.regionalization_excel.RegionalizationImporter")
