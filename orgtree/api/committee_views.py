from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from federation.viewsets import ScopedViewSet
from orgtree import changes, committees, elections
from orgtree.api.committee_serializers import (
    AppointSerializer,
    CandidateSerializer,
    DutyAreaSerializer,
    ElectionSerializer,
    LeaveSerializer,
    OfficeDutiesSerializer,
    OfficerSerializer,
    OfficeSerializer,
    PersonSerializer,
    TermDelaySerializer,
    TermSerializer,
)
from orgtree.filtersets import PersonFilterSet, TermFilterSet
from orgtree.models import DutyArea, Election, Office, Person, Term


class AmendmentSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
    changes = serializers.DictField(help_text="{field: [before, after]}")


class PersonViewSet(
    ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin
):
    base_queryset = Person.objects.filter(merged_into__isnull=True).select_related("unit").order_by("name", "pk")
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        unit = data.pop("unit")
        serializer.instance = committees.create_person(self.request.user, unit, source="api", **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        serializer.instance = committees.update_person(
            self.request.user, serializer.instance, data, version=version, source="api"
        )


class OfficeViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    base_queryset = (
        Office.objects.select_related("person", "unit").prefetch_related("duties").order_by("unit", "role", "pk")
    )
    serializer_class = OfficeSerializer
    filterset_fields = ["unit", "term", "role", "vice_chair_type", "end_reason", "appointment"]

    @extend_schema(request=LeaveSerializer, responses=OfficeSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        """能进能出: she leaves during the term; the office ends with its reason."""
        office = self.get_object()
        form = LeaveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        office = changes.leave_office(request.user, office, source="api", **form.validated_data)
        return Response(OfficeSerializer(office, context=self.get_serializer_context()).data)

    @extend_schema(request=AppointSerializer, responses=OfficeSerializer)
    @action(detail=False, methods=["post"])
    def appoint(self, request):
        """选聘 / 挂职: a unit above appoints a vice-chair for a period, without an election."""
        form = AppointSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        unit = data.pop("unit")
        office = changes.appoint_vice_chair(request.user, unit, source="api", **data)
        return Response(OfficeSerializer(office, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=OfficeDutiesSerializer, responses=OfficeSerializer)
    @action(detail=True, methods=["put"])
    def duties(self, request, pk=None):
        """执委分工: the duty areas of this seat (the whole list, replacing the previous one)."""
        office = self.get_object()
        form = OfficeDutiesSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        committees.set_duties(request.user, office, form.validated_data["duties"], source="api")
        return Response(OfficeSerializer(self.get_queryset().get(pk=office.pk)).data)


class DutyAreaListView(generics.ListAPIView):
    """The duty areas (执委分工) an office can carry, in their order; `active` false: no longer offered."""

    queryset = DutyArea.objects.order_by("order", "pk")
    serializer_class = DutyAreaSerializer
    pagination_class = None


class TermViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    base_queryset = Term.objects.prefetch_related("delays").order_by("unit", "-number")
    serializer_class = TermSerializer
    filterset_class = TermFilterSet

    @extend_schema(request=TermDelaySerializer, responses=TermDelaySerializer)
    @action(detail=True, methods=["post"])
    def delay(self, request, pk=None):
        term = self.get_object()
        form = TermDelaySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = {k: v for k, v in form.validated_data.items() if k != "previous_due_on"}
        delay = committees.delay_term(request.user, term, source="api", **data)
        return Response(TermDelaySerializer(delay).data, status=201)


class ElectionViewSet(
    ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin
):
    """Draft → results → certified. Certified elections refuse every change (record an amendment)."""

    base_queryset = Election.objects.select_related("unit").prefetch_related("candidates__person", "officers")
    serializer_class = ElectionSerializer
    filterset_fields = ["unit", "kind", "status"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        unit = data.pop("unit")
        serializer.instance = elections.create_election(self.request.user, unit, source="api", **data)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "unit"}
        serializer.instance = elections.save_figures(self.request.user, serializer.instance, data, source="api")

    @extend_schema(request=CandidateSerializer, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def candidates(self, request, pk=None):
        election = self.get_object()
        form = CandidateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        name = data.pop("person")["name"]
        candidate = elections.add_candidate(request.user, election, name=name, source="api", **data)
        return Response(CandidateSerializer(candidate).data, status=201)

    @extend_schema(request=OfficerSerializer(many=True), responses=OfficerSerializer(many=True))
    @action(detail=True, methods=["put"], pagination_class=None)  # the whole list, never a page of it
    def officers(self, request, pk=None):
        election = self.get_object()
        form = OfficerSerializer(data=request.data, many=True, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        entries = [{**row, "person_id": row.pop("person").pk} for row in form.validated_data]
        officers = elections.set_officers(request.user, election, entries)
        return Response(OfficerSerializer(officers, many=True).data)

    @extend_schema(request=None, responses=TermSerializer)
    @action(detail=True, methods=["post"])
    def certify(self, request, pk=None):
        term = elections.certify_election(request.user, self.get_object(), source="api")
        return Response(TermSerializer(term).data, status=201)

    @extend_schema(request=AmendmentSerializer, responses=AmendmentSerializer)
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        election = self.get_object()
        form = AmendmentSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        amendment = elections.amend_election(
            request.user, election, form.validated_data["reason"], form.validated_data["changes"], source="api"
        )
        return Response(AmendmentSerializer(amendment).data, status=201)
