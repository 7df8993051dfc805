"""Contact-with-women pages (联系妇女): the committee tab of a unit (its executives with their counts
and last contact, the contact log, named contacts, the figures of the subtree), the edit page of one
executive's contact list, and the correction and erasure of a named contact. Every write goes
through executives.contacts; every lookup through the scope."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from executives import contacts
from executives.figures import CONTACT_KEYS, FIGURES, contact_figures, contacts_by_child, period_from, this_year
from executives.forms_contacts import (
    ContactListForm,
    EraseForm,
    NamedContactEditForm,
    NamedContactForm,
    VisitEditForm,
    VisitForm,
)
from executives.models import ContactList, ContactVisit, NamedContact
from federation import audit, scope
from federation.figures import definitions_sheet
from federation.pages import ActionPage, ObjectMixin, ServiceFormView, UnitMixin
from federation.views_lists import ListMixin
from federation.workbook import Workbook, download
from orgtree.choices import GRASSROOTS_KINDS
from orgtree.models import Office, Unit

HEADLINES = [
    "executives_in_office",
    "executives_with_contacts",
    "executives_with_contacts_rate",
    "women_contacted",
    "contacts_per_executive",
    "contact_visits",
    "contact_visit_women",
]
NAMED_SHOWN = 200


def open_offices(unit):
    return (
        Office.objects.filter(unit=unit, ended_on__isnull=True).select_related("person", "unit").order_by("role", "pk")
    )


def villages_of(unit, user):
    """The open villages and communities of `unit`'s subtree the user may change (a named contact's)."""
    rows = Unit.objects.open().filter(unit.subtree_q(), kind__in=GRASSROOTS_KINDS).order_by("code", "name")
    return scope.restrict(rows, user, scope.CHANGE)


def tab_url(unit):
    return reverse("executives:contacts", args=[unit.pk])


def period_of(request):
    """The period asked for (?from=&to=), or this year with the Chinese message of what was wrong."""
    try:
        return period_from(request.GET), None
    except ValidationError as exc:
        return this_year(), "；".join(exc.messages)


class ContactsView(UnitMixin, ListMixin, ActionPage):
    """The unit's executives with their counts and last contact, the log (paged), named contacts
    (masked for viewers) and the figures of the subtree for a period (?from=&to=, default this year)."""

    template_name = "executives/contacts_tab.html"
    forms = {"visit": VisitForm, "named": NamedContactForm}
    per_page = 20
    export_title = gettext_lazy("Contact log")
    export_columns = [
        (gettext_lazy("date"), lambda v: v.date),
        (gettext_lazy("executive"), lambda v: v.office.person.name),
        (gettext_lazy("way"), lambda v: v.get_way_display()),
        (gettext_lazy("number of women"), lambda v: v.women),
        (gettext_lazy("note"), lambda v: v.note),
    ]

    def list_queryset(self):
        return ContactVisit.objects.filter(unit=self.unit).select_related("office__person").order_by("-date", "-pk")

    def make_form(self, name, **kwargs):
        offices = open_offices(self.unit)
        if name == "named":
            return NamedContactForm(offices=offices, villages=villages_of(self.unit, self.request.user), **kwargs)
        return VisitForm(offices=offices, **kwargs)

    def post(self, request, *args, **kwargs):
        scope.require(request.user, scope.CHANGE, self.unit, message=str(scope.ROLE_MESSAGE))
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        can_change = scope.can(user, scope.CHANGE, self.unit)
        period, period_error = period_of(self.request)
        figures = contact_figures(self.unit, period)
        children = list(self.unit.children.open().order_by("code", "name", "pk"))
        offices = list(open_offices(self.unit))
        lists = {c.office_id: c for c in ContactList.objects.filter(office__in=[o.pk for o in offices])}
        logged = {
            row["office"]: row
            for row in ContactVisit.objects.filter(office__in=[o.pk for o in offices])
            .values("office")
            .annotate(
                last=Max("date"),
                in_period=Count("pk", filter=Q(date__gte=period[0], date__lte=period[1])),
            )
        }
        named = list(
            NamedContact.objects.filter(office__unit=self.unit)
            .select_related("unit", "office__person")
            .order_by("erased_at", "unit__code", "pk")[:NAMED_SHOWN]
        )
        if can_change:
            kwargs.setdefault("visit_form", self.make_form("visit"))
            kwargs.setdefault("named_form", self.make_form("named"))
        return super().get_context_data(
            can_change=can_change,
            period=period,
            period_error=period_error,
            headlines=[(FIGURES[k], figures[k]) for k in HEADLINES],
            columns=[FIGURES[k] for k in HEADLINES],
            child_rows=[(c, [f[k] for k in HEADLINES]) for c, f in contacts_by_child(self.unit, period, children)],
            period_query=f"from={period[0].isoformat()}&to={period[1].isoformat()}",
            executives=[(o, lists.get(o.pk), logged.get(o.pk, {})) for o in offices],
            named=[(c, contacts.shown_name(c, can_change)) for c in named],
            named_more=len(named) == NAMED_SHOWN,
            **kwargs,
        )

    def do_visit(self, form):
        data = dict(form.cleaned_data)
        contacts.log_visit(self.request.user, data.pop("office"), **data)
        return _("Contact recorded.")

    def do_named(self, form):
        data = dict(form.cleaned_data)
        contacts.add_named_contact(self.request.user, data.pop("office"), **data)
        return _("Contact added.")


class ContactFiguresExportView(UnitMixin, View):
    """The contact figures of the unit's children and its total for a period, with the 指标说明 sheet."""

    def get(self, request, pk):
        period, _error = period_of(request)
        keys = CONTACT_KEYS
        book = Workbook()
        sheet = book.sheet(_("Contact with women"))
        sheet.append([f"{self.unit.name} · {period[0].isoformat()} — {period[1].isoformat()}"])
        sheet.append([_("Unit"), *[str(FIGURES.label(k)) for k in keys]], bold=True)
        for child, figures in contacts_by_child(self.unit, period):
            sheet.append([child.name, *[figures[k] for k in keys]])
        total = contact_figures(self.unit, period)
        sheet.append([_("Total"), *[total[k] for k in keys]])
        sheet.freeze()
        definitions_sheet(book, keys)
        return download(book.to_bytes(), f"{self.unit.name}-{_('Contact with women')}-{period[0]:%Y%m%d}.xlsx")


class HistoryMixin:
    def history_rows(self, obj):
        return audit.readable(audit.history_of(obj, self.request.user)[:50]) if obj is not None else []


class ContactListEditView(HistoryMixin, ObjectMixin, ServiceFormView):
    """One executive's contact list: the counts by category and channel, with its history."""

    queryset = Office.objects.filter(ended_on__isnull=True).select_related("person", "unit")
    form_class = ContactListForm
    template_name = "executives/contacts_list_form.html"
    success_message = gettext_lazy("Saved %(name)s.")

    @property
    def title(self):
        return _("Contact list of %(name)s") % {"name": self.object.person.name}

    def current(self):
        return ContactList.objects.filter(office=self.object).first()

    def get_initial(self):
        return ContactListForm.initial_for(self.current())

    def get_context_data(self, **kwargs):
        return super().get_context_data(history=self.history_rows(self.current()), back=tab_url(self.unit), **kwargs)

    def perform(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        return contacts.save_contact_list(self.request.user, self.object, data, version=version)[0]

    def get_success_url(self, obj):
        return tab_url(self.unit)

    def current_form(self, current):
        return ContactListForm(initial=ContactListForm.initial_for(current))


class ContactVisitEditView(HistoryMixin, ObjectMixin, ServiceFormView):
    """Correct one entry of the contact log (a typing error), with its history."""

    queryset = ContactVisit.objects.select_related("office__person")
    form_class = VisitEditForm
    template_name = "executives/contacts_list_form.html"
    success_message = gettext_lazy("Saved %(name)s.")

    @property
    def title(self):
        return _("Correct a contact of %(name)s") % {"name": self.object.office.person.name}

    def get_initial(self):
        return VisitEditForm.initial_for(self.object)

    def get_context_data(self, **kwargs):
        return super().get_context_data(history=self.history_rows(self.object), back=tab_url(self.unit), **kwargs)

    def perform(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        return contacts.correct_visit(self.request.user, self.object, data, version=version)

    def get_success_url(self, obj):
        return tab_url(self.unit)

    def current_form(self, current):
        return VisitEditForm(initial=VisitEditForm.initial_for(current))


class NamedContactMixin(HistoryMixin, ObjectMixin):
    queryset = NamedContact.objects.filter(erased_at__isnull=True).select_related("office__unit")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            history=self.history_rows(self.object), back=tab_url(self.object.office.unit), **kwargs
        )

    def get_success_url(self, obj):
        return tab_url(self.object.office.unit)


class NamedContactEditView(NamedContactMixin, ServiceFormView):
    form_class = NamedContactEditForm
    template_name = "executives/contacts_list_form.html"
    success_message = gettext_lazy("Saved %(name)s.")

    @property
    def title(self):
        return _("Correct a named contact")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "villages": villages_of(self.object.office.unit, self.request.user)}

    def get_initial(self):
        return NamedContactEditForm.initial_for(self.object)

    def perform(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        return contacts.update_named_contact(self.request.user, self.object, data, version=version)


class NamedContactEraseView(NamedContactMixin, ServiceFormView):
    """Erase a named contact on request (PIPL): her name and category are blanked, the erasure recorded."""

    form_class = EraseForm
    template_name = "executives/contacts_list_form.html"
    success_message = gettext_lazy("Erased: %(name)s.")

    @property
    def title(self):
        return _("Erase a named contact")

    def get_initial(self):
        return {"version": self.object.version}

    def get_context_data(self, **kwargs):
        return super().get_context_data(erase=True, shown_name=contacts.shown_name(self.object, True), **kwargs)

    def perform(self, form):
        return contacts.erase_named_contact(
            self.request.user, self.object, form.cleaned_data["reason"], version=form.cleaned_data["version"]
        )
