"""The filtersets that a list page, its API list and its Excel export share (one class each)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from federation.api_fields import ScopedFilterSet
from federation.scope import restrict
from orgtree import elections
from orgtree.choices import Form, Kind
from orgtree.models import Person, Term, Unit
from orgtree.models.person import PoliticalStatus

TOWNSHIP_KINDS = (Kind.TOWNSHIP, Kind.STREET)


def units_in_scope(request):
    if request is None:
        return Unit.objects.none()
    return restrict(Unit.objects.all(), request.user)


@extend_schema_field(OpenApiTypes.INT)
class UnitChoiceFilter(django_filters.ModelChoiceFilter):
    """A unit by id, among those in the requester's scope (an id outside it is a 400, like a missing one)."""


class UnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or code"))
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices, label=_("Kind"))
    form = django_filters.MultipleChoiceFilter(choices=Form.choices, label=_("Organizational form"))
    code = django_filters.CharFilter(field_name="code", label=_("Division code"))
    within = UnitChoiceFilter(queryset=units_in_scope, method="filter_within", label=_("Within unit (id)"))
    parent = UnitChoiceFilter(queryset=units_in_scope, label=_("Parent unit (id)"))
    status = django_filters.ChoiceFilter(
        choices=[("open", _("Open")), ("closed", _("Closed"))], method="filter_status", label=_("Status")
    )

    class Meta:
        model = Unit
        fields = ["q", "kind", "form", "code", "within", "parent", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if value.isdigit():
            return queryset.filter(Q(code__startswith=value) | Q(name__contains=value))
        return queryset.filter(Q(name__contains=value) | Q(short_name__contains=value))

    def filter_within(self, queryset, name, unit: Unit):
        return queryset.within(unit) if unit else queryset

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(closed_on__isnull=True)
        if value == "closed":
            return queryset.filter(closed_on__isnull=False)
        return queryset


class PersonFilterSet(django_filters.FilterSet):
    """The people directory: the page and `/api/people/` filter through this one class."""

    q = django_filters.CharFilter(method="search", label=_("Name, phone or unit"))
    unit = UnitChoiceFilter(queryset=units_in_scope, label=_("Registered at (unit id)"))
    political_status = django_filters.ChoiceFilter(choices=PoliticalStatus.choices, label=_("political status"))

    class Meta:
        model = Person
        fields = ["q", "unit", "political_status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__contains=value) | Q(phone__startswith=value) | Q(unit__name__contains=value))


class VillageFilterSet(django_filters.FilterSet):
    """The 会改联 grid: the villages of one township, those not yet converted. `unit` is the unit whose
    grid it is; the township choices are its townships only (a city's select is not the whole tree)."""

    township = UnitChoiceFilter(
        queryset=Unit.objects.none(), method="filter_township", label=_("Township"), empty_label=_("All townships")
    )
    show = django_filters.ChoiceFilter(
        choices=[("todo", _("Not yet converted"))], method="filter_show", label=_("Show"), empty_label=_("All")
    )

    class Meta:
        model = Unit
        fields = ["township", "show"]

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        townships = Unit.objects.none()
        if unit is not None:
            townships = (
                Unit.objects.open().within(unit).filter(kind__in=TOWNSHIP_KINDS).order_by("code", "pk").only("name")
            )
        self.filters["township"].queryset = townships

    def filter_township(self, queryset, name, township: Unit):
        return queryset.within(township) if township else queryset

    def filter_show(self, queryset, name, value):
        return queryset.exclude(form=Form.FEDERATION) if value == "todo" else queryset


class TermFilterSet(ScopedFilterSet):
    """Terms: `/api/terms/` and the renewals page. `renewal` picks the overdue, due-soon or delayed ones."""

    renewal = django_filters.ChoiceFilter(
        choices=[("overdue", _("Overdue")), ("due_soon", _("Due soon")), ("delayed", _("Delayed"))],
        method="filter_renewal",
        label=_("Renewals"),
        empty_label=None,
    )

    class Meta:
        model = Term
        fields = ["unit", "number", "renewal"]

    def filter_renewal(self, queryset, name, value):
        return elections.renewal_terms(queryset, value) if value else queryset
