"""The one filterset of the register: the list page (a unit's 应建尽建台账 tab) and /api/register/organizations/."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from federation import scope
from federation.api_fields import ScopedFilterSet
from orgtree.models import Unit
from register.figures import built, counted
from register.models import Coverage, Organization, OrgKind, Subtype
from register.models.organization import AREA_KINDS, Status

YES_NO = [("yes", pgettext_lazy("boolean", "Yes")), ("no", pgettext_lazy("boolean", "No"))]
CURRENT = [("current", _("Not ceased")), ("closed", _("Ceased")), ("all", _("All"))]


def _areas(request):
    return scope.restrict(Unit.objects.filter(kind__in=AREA_KINDS), getattr(request, "user", None))


@extend_schema_field(OpenApiTypes.INT)
class AreaFilter(django_filters.ModelChoiceFilter):
    """A unit by id (its subtree), among the area units of the requester's scope."""


class OrganizationFilterSet(ScopedFilterSet):
    """By kind, subtype, status (built / should build, not yet built / need not build), how it is
    covered, party organization, the area unit (its subtree: `area`; the unit itself: `unit`), the
    committee, and whether it is closed (`state`: current by default on the page; the API lists all
    unless asked)."""

    kind = django_filters.ChoiceFilter(choices=OrgKind.choices, label=_("kind"), empty_label=_("All"))
    subtype = django_filters.ChoiceFilter(choices=Subtype.choices, label=_("subtype"), empty_label=_("All"))
    status = django_filters.ChoiceFilter(
        choices=Status.choices, method="filter_status", label=_("Status"), empty_label=_("All")
    )
    coverage = django_filters.ChoiceFilter(choices=Coverage.choices, label=_("how it is covered"), empty_label=_("All"))
    party = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_party", label=_("has a party organization"), empty_label=_("All")
    )
    area = AreaFilter(queryset=_areas, method="filter_area", label=_("Area unit"), empty_label=_("All"))
    state = django_filters.ChoiceFilter(
        choices=CURRENT, method="filter_state", label=_("Ceased or not"), empty_label=None
    )
    q = django_filters.CharFilter(method="filter_q", label=_("Name or credit code"))

    class Meta:
        model = Organization
        fields = ["unit", "committee", "kind", "subtype", "status", "coverage", "party", "area", "state", "q"]

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["state"].required = False
        if areas is not None:  # the page: its unit and its area subunits, not every unit of the scope
            self.filters["area"].queryset = areas
            self.form.fields["area"].queryset = areas

    def filter_status(self, queryset, name, value):
        if value == Status.BUILT:
            return queryset.filter(built())
        if value == Status.SHOULD_BUILD:
            return queryset.filter(counted()).exclude(built())
        if value == Status.NOT_REQUIRED:
            return queryset.exclude(counted())
        return queryset

    def filter_party(self, queryset, name, value):
        return queryset.filter(has_party_org=value == "yes") if value else queryset

    def filter_area(self, queryset, name, value):
        return queryset.filter(value.subtree_q("unit__")) if value else queryset

    def filter_state(self, queryset, name, value):
        if value == "current":
            return queryset.filter(closed_on__isnull=True)
        if value == "closed":
            return queryset.filter(closed_on__isnull=False)
        return queryset

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(credit_code=value.upper()))
