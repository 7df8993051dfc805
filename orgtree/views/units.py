"""Pages of the unit tree: thin views over the filterset, the scope and the services."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from federation import audit, scope
from federation.pages import ServiceFormView, UnitMixin
from federation.views_lists import ListMixin
from orgtree import services
from orgtree.filtersets import UnitFilterSet
from orgtree.forms import CloseForm, MoveForm, UnitForm
from orgtree.models import Unit
from orgtree.rollups import grassroots_per_child


class UnitListView(LoginRequiredMixin, ListMixin, TemplateView):
    """Search and filter the units in scope (the API's filterset), sort, page, export."""

    template_name = "orgtree/unit_list.html"
    filterset_class = UnitFilterSet
    filter_defaults = {"status": "open"}
    filters_shown = ("q", "kind", "form", "code", "status")
    sorts = {
        "code": (gettext_lazy("Division code"), ("code",)),
        "name": (gettext_lazy("Name"), ("name",)),
        "kind": (gettext_lazy("Kind"), ("kind", "code")),
    }
    default_sort = "code"
    export_title = gettext_lazy("Units")
    export_columns = [
        (gettext_lazy("Name"), lambda u: u.name),
        (gettext_lazy("Kind"), lambda u: u.get_kind_display()),
        (gettext_lazy("Organizational form"), lambda u: u.get_form_display()),
        (gettext_lazy("Division code"), lambda u: u.code),
        (gettext_lazy("Parent unit"), lambda u: u.parent.name if u.parent else ""),
        (gettext_lazy("Closed on"), lambda u: u.closed_on),
    ]

    def list_queryset(self):
        return scope.restrict(Unit.objects.all(), self.request.user).select_related("parent")


class UnitDetailView(UnitMixin, TemplateView):
    template_name = "orgtree/unit_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        show_closed = self.request.GET.get("closed") == "1"
        children = self.unit.children.all() if show_closed else self.unit.children.open()
        children = list(children.order_by("code", "name", "pk"))
        counts = grassroots_per_child(children)
        for child in children:
            child.grassroots = counts.get(child.pk, 0)
        can_change = scope.can(user, scope.CHANGE, self.unit)
        return super().get_context_data(
            children=children,
            show_closed=show_closed,
            history=audit.readable(audit.history_of(self.unit, user)[:50]),
            can_change=can_change,
            can_restructure=can_change and scope.can_restructure(user, self.unit),
            **kwargs,
        )


class UnitCreateView(ServiceFormView):
    form_class = UnitForm
    success_message = _("Created %(name)s.")

    @property
    def title(self):
        return _("New unit under %(name)s") % {"name": self.unit.name}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "parent": self.unit}

    def perform(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        return services.create_unit(self.request.user, self.unit, **data)


class UnitEditView(ServiceFormView):
    form_class = UnitForm
    success_message = _("Saved %(name)s.")

    @property
    def title(self):
        return _("Edit %(name)s") % {"name": self.unit.name}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Unit.objects.get(pk=self.unit.pk)}

    def current_form(self, current):
        return UnitForm(instance=current)

    def perform(self, form):
        changes = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        return services.update_unit(self.request.user, self.unit, changes, version=form.cleaned_data["version"])


class UnitMoveView(ServiceFormView):
    form_class = MoveForm
    success_message = _("Moved %(name)s.")

    @property
    def title(self):
        return _("Move %(name)s") % {"name": self.unit.name}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"version": self.unit.version}

    def perform(self, form):
        return services.move_unit(
            self.request.user, self.unit, form.cleaned_data["parent"], version=form.cleaned_data["version"]
        )


class UnitCloseView(ServiceFormView):
    form_class = CloseForm
    success_message = _("Closed %(name)s.")

    @property
    def title(self):
        return _("Close %(name)s") % {"name": self.unit.name}

    def get_initial(self):
        return {"version": self.unit.version}

    def perform(self, form):
        data = form.cleaned_data
        return services.close_unit(
            self.request.user, self.unit, data["closed_on"], note=data["note"], version=data["version"]
        )
