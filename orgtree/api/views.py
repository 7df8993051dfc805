from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from federation import scope
from federation.api import bilingual_definitions
from orgtree import coverage, elections, services
from orgtree.api.committee_serializers import TermSerializer
from orgtree.api.serializers import CloseSerializer, UnitSerializer, UnitUpdateSerializer
from orgtree.filtersets import UnitFilterSet
from orgtree.models import Unit

coverage_docs = bilingual_definitions(
    "Figures over the whole subtree, open units only. Keys (English / 中文):", coverage.FIGURES.definitions()
)


class UnitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Units in the requester's subtree. Units are closed, never deleted."""

    filterset_class = UnitFilterSet
    serializer_class = UnitSerializer

    def get_queryset(self):
        return scope.restrict(Unit.objects.all(), self.request.user).order_by("tree_id", "lft")

    def get_serializer_class(self):
        return UnitUpdateSerializer if self.action in ("update", "partial_update") else UnitSerializer

    def _require_change(self, unit):
        if not scope.can(self.request.user, scope.CHANGE, unit):
            raise PermissionDenied(scope.ROLE_MESSAGE)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        parent = data.pop("parent", None)
        serializer.instance = services.create_unit(self.request.user, parent, source="api", **data)

    def perform_update(self, serializer):
        unit = serializer.instance
        self._require_change(unit)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        parent = data.pop("parent", unit.parent) if "parent" in data else unit.parent
        if parent is not None and parent.pk != unit.parent_id:
            unit = services.move_unit(self.request.user, unit, parent, version=version, source="api")
            version = None
        serializer.instance = services.update_unit(self.request.user, unit, data, version=version, source="api")

    @extend_schema(responses=None)
    @action(detail=True, methods=["get"])
    def renewals(self, request, pk=None):
        """Overdue, due-soon (settings: 90 days) and delayed terms in the subtree, with counts per child."""
        unit = self.get_object()
        found = elections.renewals(unit)
        children = list(unit.children.open().order_by("code", "pk"))
        counts = elections.renewal_counts_per_child(children, found["today"])

        def rows(terms):
            return TermSerializer(
                terms.select_related("unit").prefetch_related("delays").order_by("due_on")[:500], many=True
            ).data

        return Response(
            {
                "today": found["today"],
                "due_soon_until": found["soon"],
                **elections.overdue_counts(found["overdue"]),
                "due_soon_count": found["due_soon"].count(),
                "overdue": rows(found["overdue"]),
                "due_soon": rows(found["due_soon"]),
                "delayed": rows(found["delayed"]),
                "by_child": [{"unit": c.pk, "name": c.name, **counts[c.pk]} for c in children],
            }
        )

    @extend_schema(
        description=coverage_docs,
        responses=None,
        parameters=[
            OpenApiParameter("by", str, enum=["children"], description="children: the same figures per child unit"),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="figures as of this date (default today)"),
        ],
    )
    @action(detail=True, methods=["get"])
    def coverage(self, request, pk=None):
        """Coverage figures of the subtree (open units only)."""
        unit = self.get_object()
        try:
            day = coverage.parse_day(request.query_params.get("as_of"))
        except ValueError as exc:
            raise ValidationError({"as_of": [str(exc)]}) from exc
        if request.query_params.get("by") == "children":
            rows = coverage.coverage_by_child(unit, day)
            return Response(
                {
                    "unit": unit.pk,
                    "as_of": day,
                    "children": [
                        {"unit": child.pk, "name": child.name, "kind": child.kind, **figures} for child, figures in rows
                    ],
                }
            )
        return Response({"unit": unit.pk, "name": unit.name, "as_of": day, **coverage.coverage(unit, day)})

    @extend_schema(request=CloseSerializer, responses=UnitSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        unit = self.get_object()
        self._require_change(unit)
        form = CloseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        unit = services.close_unit(
            request.user,
            unit,
            form.validated_data["closed_on"],
            note=form.validated_data["note"],
            version=form.validated_data.get("version"),
            source="api",
        )
        return Response(UnitSerializer(unit, context=self.get_serializer_context()).data)
