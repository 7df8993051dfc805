from django.contrib import admin

from executives.models import ActivityType


@admin.register(ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin):
    """The list of activity types (积分考评) is the system administrator's: added, renamed, reordered or
    retired (not in use), never deleted, so past activities keep their type."""

    list_display = ["name", "order", "active"]
    list_editable = ["order", "active"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False
