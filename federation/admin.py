from django.contrib import admin

from federation import scope
from federation.models import ChangeRecord, UserScope


class ScopedAdminMixin:
    """Admin lists and forms see only the staff user's subtree; nothing is deleted."""

    def get_queryset(self, request):
        return scope.restrict(super().get_queryset(request), request.user, scope.VIEW)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UserScope)
class UserScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role", "created_at"]
    list_filter = ["role"]
    raw_id_fields = ["unit"]
    search_fields = ["user__username", "unit__name", "unit__code"]

    def get_queryset(self, request):
        # Scopes are listed for the units the staff user administers.
        return scope.restrict(super().get_queryset(request), request.user, scope.ADMIN)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or (obj is None or scope.can(request.user, scope.ADMIN, obj.unit))

    def has_add_permission(self, request):
        return request.user.is_superuser or bool(scope.scope_units(request.user, scope.ADMIN))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            from orgtree.models import Unit

            kwargs["queryset"] = scope.restrict(Unit.objects.open(), request.user, scope.ADMIN)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        scope.require(request.user, scope.ADMIN, obj.unit)
        super().save_model(request, obj, form, change)


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """History of the staff user's subtree, by the unit each record belongs to; read-only."""

    list_display = ["at", "user", "source", "action", "object_repr", "unit"]
    list_filter = ["action", "source"]
    list_select_related = ["user", "unit"]
    search_fields = ["object_repr"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
