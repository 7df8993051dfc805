"""The people directory in scope, a person's page with her offices, and her record's forms."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from federation import audit, registry, scope
from federation.pages import ObjectMixin, ServiceFormView
from federation.views_lists import ListMixin
from orgtree import committees
from orgtree.filtersets import PersonFilterSet
from orgtree.forms import PersonForm
from orgtree.models import Person


def may_see_id_numbers(user, unit):
    return scope.can(user, scope.ADMIN, unit)


class PersonListView(LoginRequiredMixin, ListMixin, TemplateView):
    """The people in scope through the API's filterset; the export holds what the page shows (no ID numbers)."""

    template_name = "orgtree/person_list.html"
    filterset_class = PersonFilterSet
    filters_shown = ("q", "political_status")
    sorts = {"name": (_("name"), ("name",)), "unit": (_("registered at"), ("unit__code", "name"))}
    default_sort = "name"
    export_title = _("People")
    export_columns = [
        (_("name"), lambda p: p.name),
        (_("registered at"), lambda p: p.unit.name),
        (_("political status"), lambda p: p.get_political_status_display()),
    ]

    def list_queryset(self):
        return scope.restrict(Person.objects.filter(merged_into__isnull=True).select_related("unit"), self.request.user)


class PersonDetailView(ObjectMixin, TemplateView):
    template_name = "orgtree/person_detail.html"
    queryset = Person.objects.all()

    def get_context_data(self, **kwargs):
        person = self.object
        context = super().get_context_data(
            person=person,
            # her offices in the viewer's scope only (a seat in another county stays out, like its records)
            offices=scope.restrict(person.offices.all(), self.request.user)
            .select_related("unit", "term")
            .prefetch_related("duties")
            .order_by("-started_on"),
            show_id_number=may_see_id_numbers(self.request.user, person.unit),
            can_change=scope.can(self.request.user, scope.CHANGE, person.unit),
            history=audit.readable(audit.history_of(person, self.request.user)[:30]),
            viewer=self.request.user,
            **kwargs,
        )
        context["panels"] = person_panels(person, context)
        return context


def person_panels(person, context):
    """The sections the apps registered for a person's page (federation.registry.person_panels) that have
    something to show: [{"template", "context"}]. Each reads only rows inside the viewer's scope."""
    built = ((panel, panel.build(person, context)) for panel in registry.person_panels())
    return [{"template": panel.template, "context": found} for panel, found in built if found is not None]


class PersonCreateView(ServiceFormView):
    form_class = PersonForm
    success_message = _("Added %(name)s.")

    @property
    def title(self):
        return _("Add a person to %(name)s") % {"name": self.unit.name}

    def perform(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        return committees.create_person(self.request.user, self.unit, **data)


class PersonEditView(ObjectMixin, ServiceFormView):
    form_class = PersonForm
    queryset = Person.objects.all()
    success_message = _("Saved %(name)s.")

    @property
    def title(self):
        return _("Edit %(name)s") % {"name": self.object.name}

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": Person.objects.get(pk=self.object.pk),
            "show_id_number": may_see_id_numbers(self.request.user, self.unit),
        }

    def perform(self, form):
        changes = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        return committees.update_person(self.request.user, self.object, changes, version=form.cleaned_data["version"])


class DuplicatesView(LoginRequiredMixin, TemplateView):
    """Records that may be the same woman (same name and birth date, or same name in one unit)."""

    template_name = "orgtree/person_duplicates.html"

    def get_context_data(self, **kwargs):
        groups = committees.possible_duplicates(self.request.user)
        # Merging needs the right to change both records: a viewer sees the groups, not the form.
        ids = {p.pk for group in groups for p in group}
        changeable = (
            set(
                scope.restrict(Person.objects.filter(pk__in=ids), self.request.user, scope.CHANGE).values_list(
                    "pk", flat=True
                )
            )
            if ids
            else set()
        )
        return super().get_context_data(
            groups=[(group, all(p.pk in changeable for p in group)) for group in groups], **kwargs
        )

    def post(self, request):
        people = scope.restrict(Person.objects.all(), request.user, scope.CHANGE)
        keep = people.filter(pk=request.POST.get("keep") or 0).first()
        duplicate = people.filter(pk=request.POST.get("duplicate") or 0).first()
        if keep is None or duplicate is None:
            raise Http404
        try:
            committees.merge_people(request.user, keep, duplicate)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("orgtree:person_duplicates")
        messages.success(request, _("Merged into %(name)s.") % {"name": keep.name})
        return redirect(keep)


class IdClashesView(LoginRequiredMixin, TemplateView):
    """ID numbers given for someone the writer could not see: the admins above both records decide."""

    template_name = "orgtree/id_clashes.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(clashes=committees.open_clashes(self.request.user)[:200], **kwargs)

    def post(self, request):
        clash = committees.open_clashes(request.user).filter(pk=request.POST.get("clash") or 0).first()
        if clash is None:
            raise Http404
        committees.resolve_clash(request.user, clash, request.POST.get("note", ""))
        messages.success(request, _("Marked as resolved."))
        return redirect("orgtree:id_clashes")
