from django.contrib import admin

from federation.admin import ScopedAdminMixin
from orgtree.models import Unit


@admin.register(Unit)
class UnitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: units are written through the pages and the API, which go through the services
    (validation, tree lock, scope re-check, history). A second write path here would bypass them."""

    list_display = ["name", "kind", "form", "code", "parent", "closed_on"]
    list_filter = ["kind", "form"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    show_full_result_count = False  # an exact COUNT(*) over the national tree is not worth it

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
