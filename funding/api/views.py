from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from federation import scope
from federation.api_fields import ScopedModelSerializer
from federation.viewsets import ScopedViewSet, ServiceCreateMixin
from funding import compliance, results, services
from funding.models import FundingRecord, FundingStandard, Project, WomenPopulation
from orgtree.models import Unit


def _money(figures):
    """Decimals as strings: JSON numbers would be floats, and floats cannot hold cents."""
    return {k: str(v) if not isinstance(v, int) else v for k, v in figures.items()}


def _counts(counts):
    return {key: counts[key] for key in compliance.STANDARDS}


class UnitFundingView(APIView):
    """GET /api/units/<id>/funding/ (?year=, ?by=children)."""

    @extend_schema(
        responses=None,
        description=(
            "Funding compliance over the subtree for a year: for each standard (per_woman, township_funds, "
            "village_funds_in_budget, chair_pay) how many units meet, miss or cannot be measured (unknown: no "
            "population or pay figures); the standards in force at the unit (value, set by unit, from year); money "
            "recorded (yuan, strings) by category and projects. by=children gives the same per child."
        ),
        parameters=[OpenApiParameter("year", OpenApiTypes.INT), OpenApiParameter("by", str, enum=["children"])],
    )
    def get(self, request, pk):
        unit = scope.restrict(Unit.objects.all(), request.user).filter(pk=pk).first()
        if unit is None:
            raise NotFound(_("No such unit in your scope."))
        value = request.query_params.get("year", "")
        try:
            year = services.check_year(int(value)) if value else timezone.localdate().year
        except (ValueError, DjangoValidationError) as exc:
            raise serializers.ValidationError({"year": [_("Enter a year such as 2025.")]}) from exc
        report = results.Report(unit, year)
        if request.query_params.get("by") == "children":
            children = list(unit.children.open().order_by("code", "name", "pk"))
            by_child = report.by_child(children)
            money = compliance.money(unit, year, children)
            return Response(
                {
                    "unit": unit.pk,
                    "year": year,
                    "children": [
                        {
                            "unit": c.pk,
                            "name": c.name,
                            "kind": c.kind,
                            "compliance": _counts(by_child[c.pk]),
                            "money": _money(money[c.pk]),
                        }
                        for c in children
                    ],
                }
            )
        standards, _chain = compliance.standards_in_force(unit, year)
        return Response(
            {
                "unit": unit.pk,
                "name": unit.name,
                "year": year,
                "compliance": _counts(report.overall()),
                "standards": {
                    field: {
                        "value": str(v[0]) if not isinstance(v[0], bool) else v[0],
                        "set_by": v[1],
                        "from_year": v[2],
                    }
                    for field, v in standards.items()
                },
                "money": _money(compliance.money(unit, year)),
            }
        )


class FundingRecordSerializer(ScopedModelSerializer):
    budgeted = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    disbursed = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)

    class Meta:
        model = FundingRecord
        fields = ["id", "unit", "year", "category", "source", "budgeted", "disbursed", "note", "version"]
        read_only_fields = ["version"]
        validators = []  # the service upserts the line (unit, year, category, source)


class FundingRecordViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin):
    """Funding lines; POST creates or updates the line (unit, year, category, source)."""

    base_queryset = FundingRecord.objects.order_by("unit", "-year", "category", "source")
    serializer_class = FundingRecordSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        year = self.request.query_params.get("year", "")
        return qs.filter(year=year) if year.isdigit() else qs

    def create_with(self, user, unit, data):
        return services.record_funding(user, unit, data, source="api")[0]


class PopulationSerializer(ScopedModelSerializer):
    class Meta:
        model = WomenPopulation
        fields = ["id", "unit", "year", "women"]
        validators = []


class PopulationViewSet(ScopedViewSet, mixins.ListModelMixin, ServiceCreateMixin):
    base_queryset = WomenPopulation.objects.order_by("unit", "-year")
    serializer_class = PopulationSerializer

    def create_with(self, user, unit, data):
        return services.record_population(user, unit, data["year"], data["women"], source="api")[0]


class ProjectSerializer(ScopedModelSerializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        model = Project
        fields = ["id", "unit", "name", "year", "amount", "source", "beneficiaries", "status", "version"]
        read_only_fields = ["version"]


class ProjectViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin):
    base_queryset = Project.objects.order_by("-year", "name", "pk")
    serializer_class = ProjectSerializer

    def create_with(self, user, unit, data):
        return services.record_project(user, unit, data, source="api")


class StandardSerializer(ScopedModelSerializer):
    class Meta:
        model = FundingStandard
        fields = [
            "id",
            "unit",
            "year",
            "per_woman",
            "township_funds",
            "village_funds_in_budget",
            "chair_pay_ratio",
            "note",
        ]
        validators = []


class StandardViewSet(ScopedViewSet, mixins.ListModelMixin, ServiceCreateMixin):
    """Standards set by units in the requester's subtree; POST (the unit's admins) sets a unit's year."""

    base_queryset = FundingStandard.objects.order_by("unit", "-year")
    serializer_class = StandardSerializer

    def create_with(self, user, unit, data):
        return services.set_standard(user, unit, data.pop("year"), source="api", **data)


router = SimpleRouter()
router.register("funding-records", FundingRecordViewSet, basename="funding-record")
router.register("women-population", PopulationViewSet, basename="women-population")
router.register("projects", ProjectViewSet, basename="project")
router.register("funding-standards", StandardViewSet, basename="funding-standard")
