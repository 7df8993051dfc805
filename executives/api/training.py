"""Training API: sessions and attendance of the requester's subtree, written through the services,
and the training figures of a unit (GET /api/units/<id>/training/, ?by=children)."""

from django.db.models import Count
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from executives import training as services
from executives.figures import FIGURES, TRAINING_KEYS, training_by_child, training_figures
from executives.filtersets_training import AttendanceFilterSet, TrainingSessionFilterSet
from executives.models import Attendance, TrainingSession
from federation.api import bilingual_definitions, unit_figures, unit_in_scope
from federation.api_fields import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from federation.viewsets import ScopedViewSet, ServiceCreateMixin
from orgtree.models import Person

FIELDS = ["level", "title", "type", "starts_on", "ends_on", "hours", "place", "trainers"]


class TrainingSessionSerializer(ScopedModelSerializer):
    attendances = serializers.SerializerMethodField()

    class Meta:
        model = TrainingSession
        fields = ["id", "unit", *FIELDS, "closed_on", "attendances", "version"]
        read_only_fields = ["closed_on", "version"]
        extra_kwargs = {"level": {"required": False}}

    def get_attendances(self, obj) -> int:
        found = getattr(obj, "attendance_count", None)  # annotated on lists: no query per row
        return obj.attendances.count() if found is None else found


class SessionEditSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(required=False)

    class Meta:
        model = TrainingSession
        fields = [*FIELDS, "version"]
        extra_kwargs = {name: {"required": False} for name in FIELDS}


class SessionCloseSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False)


class SessionAttendeesSerializer(serializers.Serializer):
    people = serializers.ListField(
        child=ScopedPrimaryKeyRelatedField(queryset=Person.objects.all()), allow_empty=False, max_length=2000
    )


class TrainingAttendanceSerializer(ScopedModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["id", "session", "person", "name", "created_at"]
        read_only_fields = fields


class TrainingSessionViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin):
    """Sessions organized in the requester's subtree; filter with `within`, `unit`, `type`,
    `starts_from`, `starts_until`. PATCH edits (with `version`), `close/` closes the attendance,
    `attendance/` adds attendees by person id."""

    base_queryset = TrainingSession.objects.annotate(attendance_count=Count("attendances")).order_by(
        "-starts_on", "-pk"
    )
    serializer_class = TrainingSessionSerializer
    filterset_class = TrainingSessionFilterSet

    def create_with(self, user, unit, data):
        return services.create_session(user, unit, source="api", **data)

    @extend_schema(request=SessionEditSerializer, responses=TrainingSessionSerializer)
    def partial_update(self, request, pk=None):
        session = self.get_object()
        form = SessionEditSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        version = data.pop("version", None)
        session = services.edit_session(request.user, session, data, version=version, source="api")
        return Response(TrainingSessionSerializer(session, context={"request": request}).data)

    @extend_schema(request=SessionCloseSerializer, responses=TrainingSessionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        session = self.get_object()
        form = SessionCloseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        session = services.close_session(
            request.user, session, version=form.validated_data.get("version"), source="api"
        )
        return Response(TrainingSessionSerializer(session, context={"request": request}).data)

    @extend_schema(request=SessionAttendeesSerializer, responses=TrainingAttendanceSerializer(many=True))
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        session = self.get_object()
        form = SessionAttendeesSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        new = services.record_attendance(request.user, session, form.validated_data["people"], source="api")
        return Response(TrainingAttendanceSerializer(new, many=True).data, status=201 if new else 200)


class AttendanceViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Attendances of sessions organized in the requester's subtree; filter with `within`, `session`, `person`."""

    base_queryset = Attendance.objects.select_related("person").order_by("session", "person__name", "pk")
    serializer_class = TrainingAttendanceSerializer
    filterset_class = AttendanceFilterSet


class UnitTrainingView(APIView):
    """GET /api/units/<id>/training/ (?by=children)."""

    @extend_schema(
        description=bilingual_definitions(
            "Training figures over the whole subtree. Keys (English / 中文):",
            FIGURES.definitions(TRAINING_KEYS),
        ),
        responses=None,
        parameters=[
            OpenApiParameter("by", str, enum=["children"], description="children: the same figures per child unit")
        ],
    )
    def get(self, request, pk):
        return unit_figures(request, unit_in_scope(request, pk), training_figures, training_by_child)
