"""The filtersets that the reform list pages and their API lists share (one class each)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from federation import locks
from federation.api_fields import ScopedFilterSet
from federation.widgets import DateInput
from reform.models import (
    UNRESOLVED,
    Approval,
    ApprovalState,
    Area,
    ChecklistItem,
    ItemStatus,
    Problem,
    ProblemStatus,
    Visit,
    VisitKind,
)


class ProblemFilterSet(ScopedFilterSet):
    """`/api/problems/` and the problem list: `status` also takes "unresolved" (open or rectifying) and "all"."""

    status = django_filters.ChoiceFilter(
        choices=[("unresolved", _("Unresolved")), ("all", _("All")), *ProblemStatus.choices],
        method="filter_status",
        label=_("Status"),
        empty_label=None,
    )
    area = django_filters.ChoiceFilter(choices=Area.choices, label=_("area"), empty_label=_("All"))

    class Meta:
        model = Problem
        fields = ["unit", "status", "area"]

    def filter_status(self, queryset, name, value):
        if value == "unresolved":
            return queryset.filter(status__in=UNRESOLVED)
        if value in ProblemStatus.values:
            return queryset.filter(status=value)
        return queryset


class ChecklistItemFilterSet(ScopedFilterSet):
    """`/api/checklist-items/` and a unit's checklist page: by unit, status and whether the target is met."""

    status = django_filters.ChoiceFilter(choices=ItemStatus.choices, label=_("Status"), empty_label=_("All"))
    met = django_filters.ChoiceFilter(
        choices=[("true", _("met")), ("false", _("not met"))],
        method="filter_met",
        label=_("Target"),
        empty_label=_("All"),
    )

    class Meta:
        model = ChecklistItem
        fields = ["unit", "status", "met"]

    def filter_met(self, queryset, name, value):
        return queryset.filter(met=value == "true") if value else queryset


class VisitFilterSet(ScopedFilterSet):
    """`/api/visits/` and a unit's visits page: by visiting unit, kind and date range."""

    kind = django_filters.ChoiceFilter(choices=VisitKind.choices, label=_("kind"), empty_label=_("All"))
    since = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("Visited from"), widget=DateInput)
    until = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("Visited until"), widget=DateInput)

    class Meta:
        model = Visit
        fields = ["unit", "kind", "since", "until"]


class ApprovalFilterSet(ScopedFilterSet):
    """`/api/approvals/` and the 审核 page: by unit, figure set, state and phase."""

    state = django_filters.ChoiceFilter(choices=ApprovalState.choices, label=_("state"), empty_label=_("All"))
    set_name = django_filters.ChoiceFilter(choices=locks.choices, label=_("figure set"), empty_label=_("All"))
    phase = django_filters.CharFilter(label=_("phase"))

    class Meta:
        model = Approval
        fields = ["unit", "set_name", "state", "phase"]
