"""A unit's committee (current term, offices, past terms), the renewals watch list, delayed renewals."""

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from federation import registry, scope
from federation.pages import ServiceFormView, UnitMixin
from federation.views_lists import ListMixin
from federation.workbook import Workbook, download
from orgtree import changes, committees, elections
from orgtree.filtersets import TermFilterSet
from orgtree.forms import AppointForm, CommitteeDutiesForm, LeaveForm, TermDelayForm
from orgtree.models import DutyArea, Election, Office, Role, Term
from orgtree.models.committee import role_title


class CommitteeView(UnitMixin, TemplateView):
    template_name = "orgtree/committee.html"

    def get_context_data(self, **kwargs):
        terms = list(
            Term.objects.filter(unit=self.unit)
            .select_related("election")
            # Its members today, or when it ended (not those who left during it).
            .annotate(
                seats=Count(
                    "offices", filter=Q(offices__ended_on__isnull=True) | Q(offices__ended_on__gte=F("ended_on"))
                )
            )
            .order_by("-number")
        )
        current = next((t for t in terms if t.ended_on is None), None)
        # Every office of the running term at once: the members today, and apart those who left
        # during it (能进能出); the vacancies are counted from the same rows.
        seats = (
            list(
                Office.objects.filter(term=current)
                .select_related("person", "unit", "appointed_by")
                .prefetch_related("duties")
                .order_by("role", "pk")
            )
            if current
            else []
        )
        offices = [o for o in seats if o.ended_on is None]
        context = super().get_context_data(
            current=current,
            offices=offices,
            appointed=[o for o in offices if o.appointment],
            former=changes.former_members(current, seats) if current else [],
            vacancies=changes.vacancies(current, seats) if current else 0,
            terms=terms,
            today=timezone.localdate(),
            elections=Election.objects.filter(unit=self.unit).order_by("-pk")[:20],
            delays=current.delays.all() if current else [],
            can_change=scope.can(self.request.user, scope.CHANGE, self.unit),
            **kwargs,
        )
        context["panels"] = committee_panels(self.unit, context)
        return context


def committee_panels(unit, context):
    """The sections the apps registered for the committee page (federation.registry.committee_panels)
    that have something to show: [{"template", "context"}]."""
    built = ((panel, panel.build(unit, context)) for panel in registry.committee_panels())
    return [{"template": panel.template, "context": found} for panel, found in built if found is not None]


def current_offices(unit):
    """The seats of `unit`'s running term with their people and duty areas (a fixed number of queries)."""
    return (
        Office.objects.filter(unit=unit, term__unit=unit, term__ended_on=None, ended_on=None)
        .select_related("person", "unit")
        .prefetch_related("duties")
        .order_by("role", "pk")
    )


class CommitteeDutiesView(ServiceFormView):
    """执委分工: the duty areas of every seat of the current committee, ticked on one page."""

    form_class = CommitteeDutiesForm
    template_name = "orgtree/committee_duties.html"
    success_message = gettext_lazy("Duties of %(name)s saved.")

    @property
    def title(self):
        return _("Duties of the committee of %(name)s") % {"name": self.unit.name}

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "offices": current_offices(self.unit),
            "areas": list(DutyArea.objects.order_by("order", "pk")),
        }

    def perform(self, form):
        committees.set_committee_duties(self.request.user, self.unit, form.duties())
        return self.unit

    def get_success_url(self, obj):
        return reverse("orgtree:committee", args=[self.unit.pk])


class CommitteeExportView(UnitMixin, View):
    """The current committee as .xlsx: name, role, duty areas, the two committees."""

    def get(self, request, pk):
        book = Workbook()
        sheet = book.sheet(_("Committee"))
        sheet.append([self.unit.name])
        sheet.append([_("name"), _("role"), _("duty areas"), _("Two committees")], bold=True)
        for office in current_offices(self.unit):
            role = office.get_role_display()
            if office.vice_chair_type:
                role = f"{role}（{office.get_vice_chair_type_display()}）"
            two = [
                str(label)
                for flag, label in (
                    (office.on_party_committee, _("party committee")),
                    (office.on_villagers_committee, _("villagers' committee")),
                )
                if flag
            ]
            sheet.append([office.person.name, role, "、".join(a.name for a in office.duties.all()), " ".join(two)])
        sheet.widths([16, 20, 40, 24])
        return download(book.to_bytes(), f"{self.unit.name}-{_('Committee')}.xlsx")


class RenewalsView(UnitMixin, ListMixin, TemplateView):
    """Overdue, due-soon or delayed renewals in the subtree, one paged list at a time (the API's
    filterset), with counts per child."""

    template_name = "orgtree/renewals.html"
    filterset_class = TermFilterSet
    filter_defaults = {"renewal": "overdue"}
    filters_shown = ("renewal",)
    sorts = {
        "due_on": (gettext_lazy("renewal due on"), ("due_on", "unit__code")),
        "unit": (gettext_lazy("unit"), ("unit__code", "due_on")),
    }
    default_sort = "due_on"
    export_title = gettext_lazy("Renewals")
    export_columns = [
        (gettext_lazy("unit"), lambda t: t.unit.name),
        (gettext_lazy("Division code"), lambda t: t.unit.code),
        (gettext_lazy("term"), lambda t: t.number),
        (gettext_lazy("originally due on"), lambda t: t.original_due_on),
        (gettext_lazy("renewal due on"), lambda t: t.due_on),
    ]

    def list_queryset(self):
        return Term.objects.filter(self.unit.subtree_q("unit__")).select_related("unit")

    def get_context_data(self, **kwargs):
        found = elections.renewals(self.unit)
        children = list(self.unit.children.open().order_by("code", "name", "pk"))
        counts = elections.renewal_counts_per_child(children, found["today"])
        rows = [(c, counts[c.pk]) for c in children if counts[c.pk]["overdue"] or counts[c.pk]["due_soon"]]
        states = dict(TermFilterSet.base_filters["renewal"].extra["choices"])
        return super().get_context_data(
            list_title=states.get(self.filter_data().get("renewal"), gettext_lazy("Renewals")),
            **elections.overdue_counts(found["overdue"]),
            due_soon_count=found["due_soon"].count(),
            child_rows=rows,
            today=found["today"],
            soon=found["soon"],
            **kwargs,
        )


class TermDelayView(ServiceFormView):
    form_class = TermDelayForm
    success_message = gettext_lazy("Renewal of %(name)s delayed.")

    @property
    def title(self):
        return _("Delay the renewal of %(name)s") % {"name": self.unit.name}

    def perform(self, form):
        term = Term.objects.filter(unit=self.unit, ended_on__isnull=True).first()
        if term is None:
            raise ValidationError(_("%(name)s has no running term to delay.") % {"name": self.unit.name})
        committees.delay_term(self.request.user, term, **form.cleaned_data)
        return self.unit

    def get_success_url(self, obj):
        return reverse("orgtree:committee", args=[self.unit.pk])


class OfficeLeaveView(ServiceFormView):
    """能进能出: record that a member left during the term (a phone form from the committee page)."""

    form_class = LeaveForm
    success_message = gettext_lazy("Recorded: %(name)s left.")

    @property
    def title(self):
        return _("A member leaves the committee of %(name)s") % {"name": self.unit.name}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "unit": self.unit}

    def get_initial(self):
        office = self.request.GET.get("office", "")
        return {"office": office} if office.isdigit() else {}

    def perform(self, form):
        data = form.cleaned_data
        return changes.leave_office(
            self.request.user, data["office"], ended_on=data["ended_on"], reason=data["reason"], note=data["note"]
        )

    def get_success_url(self, obj):
        return reverse("orgtree:committee", args=[self.unit.pk])


class AppointView(ServiceFormView):
    """选聘 / 挂职: a unit above appoints a vice-chair for a period, without an election."""

    form_class = AppointForm
    success_message = gettext_lazy("Appointment recorded: %(name)s.")

    @property
    def title(self):
        return _("Appoint a %(title)s of %(name)s") % {
            "title": role_title(Role.VICE_CHAIR, self.unit.form),
            "name": self.unit.name,
        }

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "units": changes.appointing_units(self.request.user, self.unit)}

    def perform(self, form):
        return changes.appoint_vice_chair(self.request.user, self.unit, **form.cleaned_data)

    def get_success_url(self, obj):
        return reverse("orgtree:committee", args=[self.unit.pk])
