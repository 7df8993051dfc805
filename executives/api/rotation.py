"""轮值主席 in the API: a unit's rotating chair this month and its schedule; editors generate it or set a month."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from executives import rotation
from executives.models import RotationMonth
from federation import scope
from federation.api_fields import ScopedPrimaryKeyRelatedField
from orgtree.models import Office, Unit


class MonthField(serializers.CharField):
    def to_internal_value(self, data):
        try:
            return rotation.parse_month(super().to_internal_value(data))
        except Exception as exc:
            raise serializers.ValidationError(_("Enter a month such as 2026-12.")) from exc


class RotationMonthSerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m", read_only=True)
    person = serializers.IntegerField(source="office.person_id", read_only=True)
    person_name = serializers.CharField(source="office.person.name", read_only=True)
    role = serializers.CharField(source="office.role", read_only=True)
    on_committee = serializers.SerializerMethodField()

    class Meta:
        model = RotationMonth
        fields = ["month", "office", "person", "person_name", "role", "on_committee", "note", "version"]
        read_only_fields = fields

    def get_on_committee(self, row: RotationMonth) -> bool:
        """False once her seat has ended (she left the committee after being scheduled)."""
        return row.office.ended_on is None


class GenerateSerializer(serializers.Serializer):
    start = MonthField(help_text="YYYY-MM")
    months = serializers.IntegerField(min_value=1, max_value=rotation.MAX_MONTHS)
    order = ScopedPrimaryKeyRelatedField(many=True, queryset=Office.objects.all())


class MonthSerializer(serializers.Serializer):
    office = ScopedPrimaryKeyRelatedField(queryset=Office.objects.all())
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


def unit_in_scope(request, pk):
    unit = scope.restrict(Unit.objects.all(), request.user).filter(pk=pk).first()
    if unit is None:
        raise NotFound(_("No such unit in your scope."))
    return unit


def answer(unit, request):
    setting = rotation.setting_of(unit)
    value = request.query_params.get("from", "")
    try:
        start = rotation.parse_month(value) if value else None
    except Exception as exc:
        raise serializers.ValidationError({"from": [_("Enter a month such as 2026-12.")]}) from exc
    rows = list(rotation.schedule(unit, start))
    month = rotation.this_month()
    current = next((r for r in rows if r.month == month), None)
    if current is None and start is not None and start > month:
        current = rotation.current_chair(unit)
    return {
        "unit": unit.pk,
        "name": unit.name,
        "enabled": rotation.applies(unit, setting),
        "month": f"{month:%Y-%m}",
        "current": RotationMonthSerializer(current).data if current is not None else None,
        "schedule": RotationMonthSerializer(rows, many=True).data,
    }


class UnitRotationView(APIView):
    """GET /api/units/<id>/rotation/ (?from=YYYY-MM, default three months ago)."""

    @extend_schema(
        responses=None,
        description=(
            "The unit's rotating chair (轮值主席): whether it keeps one (townships and streets by default), "
            "this month's chair (current, null if nobody is scheduled) and the schedule, one chair per month."
        ),
        parameters=[OpenApiParameter("from", OpenApiTypes.STR, description="YYYY-MM")],
    )
    def get(self, request, pk):
        return Response(answer(unit_in_scope(request, pk), request))


class RotationGenerateView(APIView):
    """POST /api/units/<id>/rotation/generate/ {start: "YYYY-MM", months, order: [office ids]}."""

    @extend_schema(request=GenerateSerializer, responses=None)
    def post(self, request, pk):
        unit = unit_in_scope(request, pk)
        form = GenerateSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        data = form.validated_data
        rotation.generate(
            request.user, unit, start=data["start"], months=data["months"], order=data["order"], source="api"
        )
        return Response(answer(unit, request), status=201)


class RotationMonthView(APIView):
    """PUT /api/units/<id>/rotation/<YYYY-MM>/ {office, note, version}: who chairs that month."""

    @extend_schema(request=MonthSerializer, responses=RotationMonthSerializer)
    def put(self, request, pk, month):
        unit = unit_in_scope(request, pk)
        form = MonthSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        try:
            day = rotation.parse_month(month)
        except Exception as exc:
            raise serializers.ValidationError({"month": [_("Enter a month such as 2026-12.")]}) from exc
        data = form.validated_data
        row = rotation.set_month(
            request.user, unit, day, data["office"], version=data["version"], note=data["note"], source="api"
        )
        row = rotation.schedule(unit, row.month, 1).get()
        return Response(RotationMonthSerializer(row).data)
