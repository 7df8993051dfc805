from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.api import bilingual_definitions, unit_figures, unit_in_scope
from federation.viewsets import ScopedViewSet, ServiceCreateMixin
from orgtree.coverage import alive, coverage
from reform import added, approvals, services, visits
from reform.api.serializers import (
    ApprovalDecisionSerializer,
    ApprovalSerializer,
    ApprovalSubmitSerializer,
    CampaignSerializer,
    ChecklistItemSerializer,
    EvidenceSerializer,
    FillSerializer,
    KeyTaskSerializer,
    PilotSerializer,
    ProblemMoveSerializer,
    ProblemSerializer,
    ProgressSerializer,
    ReviewSerializer,
    UnlockDecisionSerializer,
    UnlockRequestSerializer,
    VisitProblemSerializer,
    VisitSerializer,
)
from reform.figures import FIGURES, reform_by_child, reform_figures
from reform.filtersets import ApprovalFilterSet, ChecklistItemFilterSet, ProblemFilterSet, VisitFilterSet
from reform.models import Approval, Campaign, ChecklistItem, KeyTask, Pilot, Problem, Visit


class UnitReformView(APIView):
    """GET /api/units/<id>/reform/ (?by=children)."""

    @extend_schema(
        description=bilingual_definitions(
            "Checklists, problems and key tasks over the whole subtree (open units). Keys (English / 中文):",
            FIGURES.definitions(),
        ),
        responses=None,
        parameters=[
            OpenApiParameter("by", str, enum=["children"], description="children: the same figures per child unit")
        ],
    )
    def get(self, request, pk):
        return unit_figures(request, unit_in_scope(request, pk), reform_figures, reform_by_child)


class UnitExecutivesAddedView(APIView):
    """GET /api/units/<id>/executives-added/ (?since=, ?as_of=, ?by=children): 新增执委."""

    @extend_schema(
        description=bilingual_definitions(
            "Executives added since a date (default: the start of the latest campaign covering the unit, "
            "else the setting EXECUTIVES_ADDED_SINCE), up to as_of (default today). Keys (English / 中文):",
            added.FIGURES.definitions(),
        ),
        responses=None,
        parameters=[
            OpenApiParameter("since", str, description="YYYY-MM-DD"),
            OpenApiParameter("as_of", str, description="YYYY-MM-DD"),
            OpenApiParameter("by", str, enum=["children"], description="children: the same figures per child unit"),
        ],
    )
    def get(self, request, pk):
        unit = unit_in_scope(request, pk)
        days = {}
        for name in ("since", "as_of"):
            value = (request.query_params.get(name) or "").strip()
            try:
                day = parse_date(value) if value else None
            except ValueError:  # well formed, no such day (2025-02-30)
                day = None
            if value and day is None:
                raise ValidationError({name: [_("Enter a date such as 2025-01-31.")]})
            days[name] = day
        day = days["as_of"] or timezone.localdate()
        since = days["since"] or added.default_since([unit], day)[unit.pk]
        if since > day:
            raise ValidationError({"since": [_("The end of the period comes before its start.")]})
        return unit_figures(
            request,
            unit,
            lambda u: added.added_figures(u, since, day),
            lambda u: added.added_by_child(u.children.filter(alive(day)).order_by("code", "name", "pk"), since, day),
            since=since,
            as_of=day,
        )


class EvidenceMixin:
    """POST <id>/evidence/ (multipart `file`): attach a document, checked like on the page."""

    evidence_target = ""

    @extend_schema(request={"multipart/form-data": EvidenceSerializer}, responses=EvidenceSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def evidence(self, request, pk=None):
        target = self.get_object()
        form = EvidenceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        evidence = services.attach_evidence(
            request.user, form.validated_data["file"], source="api", **{self.evidence_target: target}
        )
        return Response(EvidenceSerializer(evidence).data, status=201)


class ChecklistItemViewSet(EvidenceMixin, ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Checklist items of units in the requester's subtree; filter with `within`, `unit`, `status`, `met`."""

    base_queryset = ChecklistItem.objects.select_related("template_item", "assignment").order_by("unit", "pk")
    evidence_target = "item"
    serializer_class = ChecklistItemSerializer
    filterset_class = ChecklistItemFilterSet

    @extend_schema(request=FillSerializer, responses=ChecklistItemSerializer)
    @action(detail=True, methods=["post"])
    def fill(self, request, pk=None):
        item = self.get_object()
        data = self._valid(FillSerializer, request)
        item = services.fill(request.user, item, data["value"], data["note"], version=data.get("version"), source="api")
        return Response(ChecklistItemSerializer(item).data)

    @extend_schema(request=ReviewSerializer, responses=ChecklistItemSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        item = self.get_object()
        data = self._valid(ReviewSerializer, request)
        item = services.review(
            request.user, item, data["accept"], data["comment"], version=data.get("version"), source="api"
        )
        return Response(ChecklistItemSerializer(item).data)

    def _valid(self, serializer_class, request):
        form = serializer_class(data=request.data)
        form.is_valid(raise_exception=True)
        return form.validated_data


class ProblemViewSet(
    EvidenceMixin, ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin
):
    base_queryset = Problem.objects.order_by("deadline", "pk")
    evidence_target = "problem"
    serializer_class = ProblemSerializer
    filterset_class = ProblemFilterSet

    def create_with(self, user, unit, data):
        return services.report_problem(user, unit, source="api", **data)

    @extend_schema(request=ProblemMoveSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        problem = self.get_object()
        form = ProblemMoveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        problem = services.move_problem(
            request.user,
            problem,
            data["status"],
            rectification=data["rectification"],
            comment=data["comment"],
            version=data.get("version"),
            source="api",
        )
        return Response(ProblemSerializer(problem).data)


class KeyTaskViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin):
    """Key tasks by deadline (倒排工期)."""

    base_queryset = KeyTask.objects.order_by("deadline", "pk")
    serializer_class = KeyTaskSerializer

    def create_with(self, user, unit, data):
        return services.create_task(user, unit, source="api", **data)

    @extend_schema(request=ProgressSerializer, responses=KeyTaskSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        task = self.get_object()
        form = ProgressSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        task = services.report_progress(
            request.user, task, data["progress"], data.get("note"), version=data.get("version"), source="api"
        )
        return Response(KeyTaskSerializer(task).data)


class CampaignViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Campaigns owned by units in the requester's subtree; `status/` gives each milestone's state."""

    base_queryset = Campaign.objects.prefetch_related("milestones").order_by("-starts_on", "pk")
    serializer_class = CampaignSerializer

    @extend_schema(responses=None)
    @action(detail=True, methods=["get"])
    def status(self, request, pk=None):
        campaign = self.get_object()
        figures = coverage(campaign.unit)
        return Response(
            {
                "campaign": campaign.pk,
                "unit": campaign.unit_id,
                "milestones": [
                    {
                        "id": m.pk,
                        "phase": m.phase,
                        "due_on": m.due_on,
                        "coverage_key": m.coverage_key,
                        "target": m.target,
                        **services.milestone_status(m, campaign.unit, figures),
                    }
                    for m in campaign.milestones.all()
                ],
            }
        )


class UnitVisitsView(APIView):
    """GET /api/units/<id>/visits/ (?by=children): visits made by units of the subtree this year."""

    @extend_schema(
        description=bilingual_definitions(
            "Visits (调研 / 督战) made by units of the subtree this calendar year. Keys (English / 中文):",
            visits.FIGURES.definitions(),
        ),
        responses=None,
        parameters=[
            OpenApiParameter("by", str, enum=["children"], description="children: the same figures per child unit")
        ],
    )
    def get(self, request, pk):
        first, last = visits.period_of()
        return unit_figures(
            request, unit_in_scope(request, pk), visits.visit_figures, visits.visits_by_child, since=first, until=last
        )


class VisitViewSet(
    ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin
):
    """Visits made by units in the requester's subtree (调研 / 督战); `problem/` makes a finding a problem."""

    base_queryset = Visit.objects.prefetch_related("visited", "problems").order_by("-date", "-pk")
    serializer_class = VisitSerializer
    filterset_class = VisitFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        unit, visited = data.pop("unit"), data.pop("visited")
        serializer.instance = services.record_visit(self.request.user, unit, visited, source="api", **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        data.pop("unit", None)
        visited = data.pop("visited", None)
        serializer.instance = services.correct_visit(
            self.request.user, serializer.instance, visited, version=version, source="api", **data
        )

    @extend_schema(request=VisitProblemSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"])
    def problem(self, request, pk=None):
        visit = self.get_object()
        form = VisitProblemSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        unit = data.pop("unit")
        problem = services.problem_from_visit(request.user, visit, unit, source="api", **data)
        return Response(ProblemSerializer(problem).data, status=201)


class PilotViewSet(
    ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin
):
    """Pilots (试点) of units in the requester's subtree: marked by the level above (POST), ended by it
    (PUT/PATCH `ended_on` with the `version` read). `?current=1` lists the open ones only."""

    base_queryset = Pilot.objects.select_related("unit").order_by("-since", "pk")
    serializer_class = PilotSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @extend_schema(parameters=[OpenApiParameter("current", bool, description="only pilots not ended")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        rows = super().get_queryset()
        if self.action == "list" and self.request.query_params.get("current") in ("1", "true"):
            rows = rows.filter(ended_on__isnull=True)
        return rows

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.mark_pilot(
            self.request.user, data["unit"], data["topic"], data["since"], source="api"
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.end_pilot(
            self.request.user, serializer.instance, data["ended_on"], version=data.get("version"), source="api"
        )


class ApprovalViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """审核与锁定: approvals of units in the requester's subtree (filter `unit`, `set_name`, `state`,
    `phase`, `within`). POST submits a figure set (the unit's editors); `approve/` and `return/` (the
    level above), `unlock-request/` (the unit), `unlock/` grants or refuses it (the level above)."""

    base_queryset = Approval.objects.select_related("unit", "decided_unit").order_by("-submitted_at", "-pk")
    serializer_class = ApprovalSerializer
    filterset_class = ApprovalFilterSet

    def _valid(self, serializer_class):
        form = serializer_class(data=self.request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        return dict(form.validated_data)

    def _answer(self, approval, status=200):
        return Response(ApprovalSerializer(approval, context=self.get_serializer_context()).data, status=status)

    @extend_schema(request=ApprovalSubmitSerializer, responses=ApprovalSerializer)
    def create(self, request):
        data = self._valid(ApprovalSubmitSerializer)
        approval = approvals.submit(
            request.user,
            data["unit"],
            data["set_name"],
            campaign=data.get("campaign"),
            phase=data.get("phase", ""),
            version=data.get("version"),
            source="api",
        )
        return self._answer(approval, 201)

    @extend_schema(request=ApprovalDecisionSerializer, responses=ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        approval = self.get_object()
        data = self._valid(ApprovalDecisionSerializer)
        approval = approvals.approve(request.user, approval, data["comment"], version=data.get("version"), source="api")
        return self._answer(approval)

    @extend_schema(request=ApprovalDecisionSerializer, responses=ApprovalSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        approval = self.get_object()
        data = self._valid(ApprovalDecisionSerializer)
        approval = approvals.return_approval(
            request.user, approval, data["comment"], version=data.get("version"), source="api"
        )
        return self._answer(approval)

    @extend_schema(request=UnlockRequestSerializer, responses=ApprovalSerializer)
    @action(detail=True, methods=["post"], url_path="unlock-request", url_name="unlock-request")
    def unlock_request(self, request, pk=None):
        approval = self.get_object()
        data = self._valid(UnlockRequestSerializer)
        approval = approvals.request_unlock(
            request.user, approval, data["reason"], version=data.get("version"), source="api"
        )
        return self._answer(approval)

    @extend_schema(request=UnlockDecisionSerializer, responses=ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def unlock(self, request, pk=None):
        approval = self.get_object()
        data = self._valid(UnlockDecisionSerializer)
        approval = approvals.decide_unlock(
            request.user, approval, data["grant"], data["comment"], version=data.get("version"), source="api"
        )
        return self._answer(approval)
