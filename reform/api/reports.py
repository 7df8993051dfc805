"""报送 in the API: reporting plans, reports (draft, submit, accept, return) and completeness and
timeliness by child. Every write goes through reform.reports; out-of-scope ids answer like missing ones."""

import datetime

import django_filters
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.api import unit_in_scope
from federation.api_fields import ScopedFilterSet, ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from federation.viewsets import ScopedViewSet
from orgtree.models import Unit
from reform import reports
from reform.api.serializers import campaigns_in_reach
from reform.models import Campaign, Report, ReportPlan, ReportState

TEXT = {"required": False, "allow_blank": True, "max_length": reports.TEXT_MAX}


class ReportPlanSerializer(ScopedModelSerializer):
    """A reporting plan (报送要求). `campaign`: its dates are the default; `due_days`: default
    BANYAN["REPORT_DUE_DAYS"]; `version` on update is the one read (a stale one is a 409)."""

    campaign = ScopedPrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), scope_queryset=campaigns_in_reach, required=False, allow_null=True
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    starts_on = serializers.DateField(required=False)
    due_days = serializers.IntegerField(required=False, min_value=0, max_value=366)
    submitting_kind = serializers.ChoiceField(choices=reports.SUBMITTING_KINDS, required=False)
    version = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)

    class Meta:
        model = ReportPlan
        fields = [
            "id",
            "unit",
            "campaign",
            "name",
            "cadence",
            "submitting_kind",
            "starts_on",
            "ends_on",
            "due_days",
            "created_at",
            "version",
        ]
        read_only_fields = ["created_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["unit"].read_only = True
        return fields


class ReportSerializer(ScopedModelSerializer):
    """A unit's report of one period: `figures` (filled from the stored figures at the period's end,
    frozen at submission) and `change` are read-only; `timeliness` is on_time, late, overdue or pending."""

    plan = ScopedPrimaryKeyRelatedField(queryset=ReportPlan.objects.all(), scope_queryset=reports.plans_in_reach)
    unit = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.all())
    period_end = serializers.DateField()
    progress = serializers.CharField(**TEXT)
    problems = serializers.CharField(**TEXT)
    next_steps = serializers.CharField(**TEXT)
    timeliness = serializers.SerializerMethodField()
    version = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)

    class Meta:
        model = Report
        fields = [
            "id",
            "plan",
            "unit",
            "period_start",
            "period_end",
            "figures",
            "change",
            "progress",
            "problems",
            "next_steps",
            "state",
            "timeliness",
            "first_submitted_at",
            "submitted_at",
            "submitted_by",
            "decided_at",
            "decided_by",
            "comment",
            "version",
        ]
        read_only_fields = [
            "period_start",
            "figures",
            "change",
            "state",
            "first_submitted_at",
            "submitted_at",
            "submitted_by",
            "decided_at",
            "decided_by",
            "comment",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            for name in ("plan", "unit", "period_end"):
                fields[name].read_only = True
        return fields

    def get_timeliness(self, report) -> str:
        return reports.timeliness_of(report)


class SubmitSerializer(serializers.Serializer):
    progress = serializers.CharField(**TEXT)
    problems = serializers.CharField(**TEXT)
    next_steps = serializers.CharField(**TEXT)
    version = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=reports.TEXT_MAX)
    version = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)


def _plans(request):
    return reports.plans_in_reach(ReportPlan.objects.all(), getattr(request, "user", None))


class ReportFilterSet(ScopedFilterSet):
    plan = django_filters.ModelChoiceFilter(queryset=_plans, label=gettext_lazy("plan"))
    state = django_filters.ChoiceFilter(choices=ReportState.choices, label=gettext_lazy("state"))
    period_end = django_filters.DateFilter(label=gettext_lazy("period end"))

    class Meta:
        model = Report
        fields = ["unit", "plan", "state", "period_end"]


class ReportPlanViewSet(
    ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin
):
    """Reporting plans set in the requester's subtrees or above them; created and changed by the
    editors and admins of the setting unit (or above)."""

    base_queryset = ReportPlan.objects.select_related("unit", "campaign").order_by("-starts_on", "pk")
    serializer_class = ReportPlanSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return reports.plans_in_reach(self.base_queryset, self.request.user).distinct()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        unit = data.pop("unit")
        serializer.instance = reports.create_plan(self.request.user, unit, source="api", **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        data.pop("unit", None)
        serializer.instance = reports.update_plan(
            self.request.user, serializer.instance, version=version, source="api", **data
        )


class ReportViewSet(
    ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin
):
    """Reports of units in the requester's subtree (filters: unit, plan, period_end, state). POST
    opens a draft for a period (with its texts); PUT/PATCH saves a draft or returned one; `submit/`
    by the unit's editors; `accept/` and `return/` (a comment required) by the level above."""

    base_queryset = Report.objects.select_related("plan", "unit").order_by("-period_end", "unit__code", "pk")
    serializer_class = ReportSerializer
    filterset_class = ReportFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        user, plan, unit, end = self.request.user, data["plan"], data["unit"], data["period_end"]
        existing = Report.objects.filter(plan=plan, unit=unit, period_end=end).first()
        if existing is not None:
            raise ValidationError(
                {
                    "period_end": [
                        _("A report of this unit for this period exists already (%(id)d).") % {"id": existing.pk}
                    ]
                }
            )
        texts = {k: data[k] for k in reports.TEXT_FIELDS if k in data}
        serializer.instance = reports.open_report(user, plan, unit, end, source="api", **texts)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        texts = {k: data[k] for k in reports.TEXT_FIELDS if k in data}
        serializer.instance = reports.save_draft(
            self.request.user, serializer.instance, version=data.get("version"), source="api", **texts
        )

    @extend_schema(request=SubmitSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = self.get_object()
        form = SubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        version = data.pop("version", None)
        report = reports.submit(request.user, report, version=version, source="api", **data)
        return Response(ReportSerializer(report, context=self.get_serializer_context()).data)

    def _decide(self, request, accept):
        report = self.get_object()
        form = DecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        report = reports.decide(
            request.user, report, accept, data["comment"], version=data.get("version"), source="api"
        )
        return Response(ReportSerializer(report, context=self.get_serializer_context()).data)

    @extend_schema(request=DecisionSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._decide(request, True)

    @extend_schema(request=DecisionSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._decide(request, False)


class UnitReportsCompletenessView(APIView):
    """GET /api/units/<id>/reports/completeness/?plan=&period_end=: completeness and timeliness of a
    plan's period by child of the unit (default: the latest ended period)."""

    @extend_schema(
        responses=None,
        parameters=[
            OpenApiParameter("plan", int, required=True, description="a reporting plan concerning the unit"),
            OpenApiParameter("period_end", str, description="YYYY-MM-DD, the last day of one of the plan's periods"),
        ],
    )
    def get(self, request, pk):
        unit = unit_in_scope(request, pk)
        raw = request.query_params.get("plan", "")
        plan = None
        if raw.isascii() and raw.isdigit() and len(raw) < 19:
            plan = reports.plans_in_reach(reports.plans_concerning(unit), request.user).filter(pk=int(raw)).first()
        if plan is None:
            raise ValidationError({"plan": [_("No such reporting plan concerns this unit.")]})
        raw_end = request.query_params.get("period_end")
        if raw_end:
            try:
                end = datetime.date.fromisoformat(raw_end)
            except ValueError as exc:
                raise ValidationError({"period_end": [_("period_end must be a date like 2024-06-30.")]}) from exc
            first, last = reports.period_ending(plan, end)
        else:
            ended = reports.ended_periods(plan, timezone.localdate())
            if not ended:
                raise ValidationError({"period_end": [_("No period of this plan has ended yet.")]})
            first, last = ended[-1]
        children = [c for c in unit.children.open().order_by("code", "name", "pk") if reports.alive_on(c, last)]
        found = reports.completeness(unit, plan, last, children)
        return Response(
            {
                "unit": unit.pk,
                "plan": plan.pk,
                "period_start": first,
                "period_end": last,
                "due_on": reports.due_on(plan, last),
                "total": found["total"],
                "children": [
                    {"unit": c.pk, "name": c.name, "kind": c.kind, **counts} for c, counts in found["children"]
                ],
            }
        )
