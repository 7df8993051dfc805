from typing import TYPE_CHECKING

from django.contrib import admin
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from federation import audit, scope
from federation.models import ChangeRecord, SecurityEvent, UserScope


class ReadOnlyAdminMixin:
    """Records of what happened: never added, changed or deleted through the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin  # what the mixins are mixed into, for the type checker
else:
    _ModelAdmin = object


class ScopedAdminMixin(_ModelAdmin):
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
            kwargs["queryset"] = scope.restrict(scope.unit_model().objects.open(), request.user, scope.ADMIN)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        scope.require(request.user, scope.ADMIN, obj.unit)
        super().save_model(request, obj, form, change)


class SourceFilter(admin.SimpleListFilter):
    title = _("source")
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return list(audit.SOURCES.items())

    def queryset(self, request, queryset):
        return queryset.filter(source=self.value()) if self.value() else queryset


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """History of the staff user's subtree, by the unit each record belongs to; read-only and readable."""

    list_display = ["at_shown", "who", "source_shown", "action", "object_shown", "unit"]
    list_filter = ["action", SourceFilter]
    list_select_related = ["user", "unit"]
    search_fields = ["object_repr"]
    readonly_fields = ("at_shown", "who", "source_shown", "action", "object_shown", "unit", "changes_shown", "note")
    fields = readonly_fields

    @admin.display(description=_("time"), ordering="at")
    def at_shown(self, obj):
        return date_format(timezone.localtime(obj.at), audit.DATETIME)

    @admin.display(description=_("user"))
    def who(self, obj):
        return audit.author(obj)

    @admin.display(description=_("source"))
    def source_shown(self, obj):
        return audit.source_label(obj.source)

    @admin.display(description=_("object"))
    def object_shown(self, obj):
        return obj.object_repr

    @admin.display(description=_("changes"))
    def changes_shown(self, obj):
        return format_html_join("", "<p>{}：{} → {}</p>", audit.readable([obj])[0].changes)


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The security log: read by system administrators only, never edited."""

    list_display = ["at", "kind", "username", "actor", "ip_address", "path", "detail"]
    list_filter = ["kind"]
    search_fields = ["username", "ip_address", "detail"]
    date_hierarchy = "at"

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser
