from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from federation import audit, figures, scope, writes
from federation.admin import ScopedAdminMixin
from orgtree.choices import GRASSROOTS_KINDS
from orgtree.models import Unit
from reform.models import Campaign, ChecklistTemplate, Milestone, TemplateItem
from reform.services import new_version


class TemplateItemInline(admin.TabularInline):
    model = TemplateItem
    extra = 0


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    """Templates are the system administrator's: a published version is read-only; "new version"
    copies it into a draft that can be edited and then published."""

    list_display = ["name", "version", "published_on", "based_on"]
    inlines = [TemplateItemInline]
    actions = ["make_new_version"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and (obj is None or not obj.is_published)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.action(description="新建版本（复制为草稿）")
    def make_new_version(self, request, queryset):
        for template in queryset:
            new_version(request.user, template)


class MilestoneForm(forms.ModelForm):
    coverage_key = forms.ChoiceField(
        label=_("coverage figure"),
        choices=lambda: [
            (key, f"{label} ({key})")
            for key, label in [*figures.figure_set("coverage").choices(), *figures.evaluated_choices()]
        ],
    )

    class Meta:
        model = Milestone
        fields = ["phase", "due_on", "coverage_key", "target", "description"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    form = MilestoneForm
    extra = 1


@admin.register(Campaign)
class CampaignAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Campaigns of the units the staff user administers; milestones are coverage figures by a date."""

    list_display = ["name", "unit", "starts_on", "ends_on"]
    inlines = [MilestoneInline]
    exclude = ["created_by"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = scope.restrict(Unit.objects.open(), request.user, scope.ADMIN).exclude(
                kind__in=GRASSROOTS_KINDS
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        scope.require(request.user, scope.ADMIN, obj.unit)
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        fields = [name for name in form.changed_data if name in {f.name for f in obj._meta.concrete_fields}]
        before = {name: audit.jsonable(form.initial.get(name)) for name in fields} if change else {}
        if change:
            writes.record_change(obj, request.user, audit.diff(before, audit.snapshot(obj, fields)), source="admin")
        else:
            writes.create(obj, request.user, fields, source="admin")
