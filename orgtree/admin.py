from django.contrib import admin

from federation.admin import ScopedAdminMixin
from orgtree.committees import save_duty_area
from orgtree.models import DutyArea, Unit


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


@admin.register(DutyArea)
class DutyAreaAdmin(admin.ModelAdmin):
    """The list of duty areas (执委分工) is the system administrator's: added, renamed, reordered or set
    out of use here (never deleted: seats keep the areas they carried), through the service that
    records history."""

    list_display = ["name", "order", "active"]
    list_editable = ["order", "active"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        save_duty_area(request.user, obj, source="admin")
