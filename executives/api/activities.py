"""API of activities and points (积分考评): activities (create, correct with `version`, photo), points rules,
evaluations, the activity types, and a unit's ranking. Rows and ids are scoped like every list; writes
go through executives.activities."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from executives import activities, points
from executives.forms_activities import ActivityFilterSet
from executives.models import Activity, ActivityType, Evaluation, Grade, PointsRule
from executives.views.activities import year_from
from federation import scope
from federation.api_fields import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from federation.viewsets import ScopedViewSet, ServiceCreateMixin


def types_in_use(queryset, user):
    return queryset.filter(active=True)


class ActivityTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityType
        fields = ["id", "name", "order", "active"]


class ActivitySerializer(ScopedModelSerializer):
    activity_type = ScopedPrimaryKeyRelatedField(queryset=ActivityType.objects.all(), scope_queryset=types_in_use)
    photo = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "unit",
            "person",
            "activity_type",
            "held_on",
            "place",
            "position",
            "participants",
            "note",
            "withdrawn",
            "photo",
            "version",
        ]
        read_only_fields = ["withdrawn", "photo", "version"]

    def get_photo(self, obj: Activity) -> str | None:
        return obj.photo_name or None


class CorrectionSerializer(ScopedModelSerializer):
    """PATCH: the fields to correct, and the `version` the correction is based on."""

    activity_type = ScopedPrimaryKeyRelatedField(queryset=ActivityType.objects.all(), scope_queryset=types_in_use)
    version = serializers.IntegerField(required=False)

    class Meta:
        model = Activity
        fields = [
            "person",
            "activity_type",
            "held_on",
            "place",
            "position",
            "participants",
            "note",
            "withdrawn",
            "version",
        ]


class PhotoSerializer(serializers.Serializer):
    photo = serializers.FileField()


class ActivityViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin):
    """Activities of units in the requester's subtree; filter with `within`, `unit`, `person`,
    `activity_type`, `year`, `withdrawn`. PATCH corrects (send `version`), POST <id>/photo/ adds a photo."""

    base_queryset = Activity.objects.order_by("-held_on", "-pk")
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet

    def create_with(self, user, unit, data):
        return activities.record_activity(user, unit, source="api", **data)

    @extend_schema(request=CorrectionSerializer, responses=ActivitySerializer)
    def partial_update(self, request, pk=None):
        activity = self.get_object()
        form = CorrectionSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        version = data.pop("version", None)
        activity = activities.correct_activity(request.user, activity, version=version, source="api", **data)
        return Response(ActivitySerializer(activity, context=self.get_serializer_context()).data)

    @extend_schema(request={"multipart/form-data": PhotoSerializer}, responses=ActivitySerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def photo(self, request, pk=None):
        activity = self.get_object()
        form = PhotoSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        activity = activities.attach_photo(request.user, activity, form.validated_data["photo"], source="api")
        return Response(ActivitySerializer(activity, context=self.get_serializer_context()).data)


class PointsRuleSerializer(ScopedModelSerializer):
    activity_type = ScopedPrimaryKeyRelatedField(queryset=ActivityType.objects.all(), scope_queryset=types_in_use)
    points = serializers.IntegerField(allow_null=True, required=False)

    class Meta:
        model = PointsRule
        fields = ["id", "unit", "activity_type", "from_year", "points", "version"]
        read_only_fields = ["version"]
        validators: list = []  # (unit, type, year) is the service's: setting it again changes it


class PointsRuleViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin):
    """The rules units in the requester's subtree set. POST sets one (a county or above, its editors):
    the same unit, type and year again changes its points; empty points inherit from above again."""

    base_queryset = PointsRule.objects.order_by("unit", "-from_year", "activity_type")
    serializer_class = PointsRuleSerializer
    filterset_fields = ["unit", "from_year"]

    def create_with(self, user, unit, data):
        return activities.set_rule(
            user, unit, data["activity_type"], data["from_year"], data.get("points"), source="api"
        )


class EvaluationSerializer(ScopedModelSerializer):
    grade = serializers.ChoiceField(choices=Grade.choices)
    version = serializers.IntegerField(required=False)

    class Meta:
        model = Evaluation
        fields = ["id", "unit", "person", "year", "grade", "note", "evaluated_by", "version"]
        read_only_fields = ["evaluated_by"]
        validators: list = []  # one per executive and year: posting again changes it (send `version`)


class EvaluationViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin):
    """Yearly evaluations of the executives in the requester's subtree. POST records one (or changes it):
    only the level that manages the committee, i.e. the editors of the committee unit's parent."""

    base_queryset = Evaluation.objects.order_by("-year", "unit", "person")
    serializer_class = EvaluationSerializer
    filterset_fields = ["unit", "person", "year", "grade"]

    def create_with(self, user, unit, data):
        return activities.evaluate(
            user,
            unit,
            data["person"],
            data["year"],
            data["grade"],
            data.get("note", ""),
            version=data.get("version"),
            source="api",
        )


class ActivityTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """The activity types (the same for everyone)."""

    queryset = ActivityType.objects.all()
    serializer_class = ActivityTypeSerializer
    pagination_class = None


class RankingView(APIView):
    """GET /api/units/<id>/ranking/?year=: the executives of a township or county ranked by points."""

    @extend_schema(
        responses=None, parameters=[OpenApiParameter("year", int, description="the year (default: this year)")]
    )
    def get(self, request, pk):
        unit = scope.restrict(scope.unit_model().objects.all(), request.user).filter(pk=pk).first()
        if unit is None or unit.kind not in points.RANKING_KINDS:
            raise NotFound(_("No such unit in your scope."))
        ranking = points.ranking(unit, year_from(request))
        return Response(
            {
                "unit": unit.pk,
                "year": ranking.year,
                "rules": {str(t): r.points for t, r in ranking.rules.items()},
                "grades": {g.value: n for g, (_label, n) in zip(Grade, ranking.grades, strict=True)},
                "not_evaluated": points.not_evaluated(ranking),
                "executives": [
                    {
                        "rank": r.rank,
                        "person": r.person_id,
                        "name": r.name,
                        "unit": r.unit_id,
                        "role": r.role,
                        "activities": r.activities,
                        "points": r.points,
                        "grade": r.evaluation.grade if r.evaluation else None,
                    }
                    for r in ranking.rows
                ],
            }
        )
