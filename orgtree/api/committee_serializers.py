from rest_framework import serializers

from federation import scope
from federation.api_fields import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from orgtree import elections
from orgtree.api.serializers import ScopedUnitField
from orgtree.committees import PERSON_FIELDS
from orgtree.models import (
    Appointment,
    Candidate,
    DutyArea,
    Election,
    LeaveReason,
    Office,
    OfficerChoice,
    Person,
    Term,
    TermDelay,
    ViceChairType,
)


class PersonSerializer(ScopedModelSerializer):
    unit = ScopedUnitField()
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=18)
    version = serializers.IntegerField(required=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50),
        required=False,
        label=Person._meta.get_field("tags").verbose_name,
        help_text=Person._meta.get_field("tags").help_text,
    )

    class Meta:
        model = Person
        fields = ["id", *PERSON_FIELDS, "version", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def to_representation(self, person):
        data = super().to_representation(person)
        request = self.context.get("request")
        if data.get("id_number") and not scope.can(request.user, scope.ADMIN, person.unit):
            data["id_number"] = person.masked_id_number
        return data


class DutyAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = DutyArea
        fields = ["id", "name", "order", "active"]
        read_only_fields = fields


def _offered_or_held(queryset, user):
    """Duty areas anyone signed in may name (the list is no unit's); the service refuses one out of use
    that the seat does not already carry."""
    return queryset


class OfficeDutiesSerializer(serializers.Serializer):
    duties = ScopedPrimaryKeyRelatedField(
        many=True,
        queryset=DutyArea.objects.all(),
        scope_queryset=_offered_or_held,
        label=Office._meta.get_field("duties").verbose_name,
    )


class OfficeSerializer(ScopedModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    # The title as the unit's form has it (主任 on a 妇委会): orgtree.models.committee.role_title.
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    duties = DutyAreaSerializer(many=True, read_only=True)

    class Meta:
        model = Office
        fields = [
            "id",
            "person",
            "person_name",
            "unit",
            "term",
            "role",
            "role_label",
            "vice_chair_type",
            "started_on",
            "ended_on",
            "on_party_committee",
            "on_villagers_committee",
            "is_party_secretary",
            "is_village_director",
            "election",
            "duties",
            "end_reason",
            "end_note",
            "appointment",
            "appointed_by",
            "appointed_until",
        ]


class LeaveSerializer(serializers.Serializer):
    """能进能出: she left during the term (orgtree.changes.leave_office)."""

    ended_on = serializers.DateField()
    reason = serializers.ChoiceField(choices=LeaveReason.choices)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AppointSerializer(serializers.Serializer):
    """选聘 / 挂职 (orgtree.changes.appoint_vice_chair): the unit and the appointing unit are among
    those the requester may change."""

    unit = ScopedUnitField()
    appointed_by = ScopedUnitField()
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    appointment = serializers.ChoiceField(choices=Appointment.choices)
    vice_chair_type = serializers.ChoiceField(
        choices=ViceChairType.choices, required=False, allow_blank=True, default=""
    )
    started_on = serializers.DateField()
    appointed_until = serializers.DateField()


class TermDelaySerializer(ScopedModelSerializer):
    class Meta:
        model = TermDelay
        fields = [
            "id",
            "party_approval",
            "federation_approval",
            "approved_on",
            "previous_due_on",
            "new_due_on",
            "reason",
        ]
        read_only_fields = ["previous_due_on"]


class TermSerializer(ScopedModelSerializer):
    delays = TermDelaySerializer(many=True, read_only=True)

    class Meta:
        model = Term
        fields = ["id", "unit", "number", "started_on", "due_on", "original_due_on", "ended_on", "election", "delays"]
        read_only_fields = ["original_due_on"]


class CandidateSerializer(ScopedModelSerializer):
    name = serializers.CharField(source="person.name")
    id_number = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=18)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "person",
            "name",
            "id_number",
            "approve",
            "disapprove",
            "abstain",
            "write_in",
            "drawn_from",
            "elected",
        ]
        read_only_fields = ["person", "elected"]


class OfficerSerializer(ScopedModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = OfficerChoice
        fields = [
            "person",
            "role",
            "role_label",
            "vice_chair_type",
            "on_party_committee",
            "on_villagers_committee",
            "is_party_secretary",
            "is_village_director",
        ]


class ElectionSerializer(ScopedModelSerializer):
    unit = ScopedUnitField()
    candidates = CandidateSerializer(many=True, read_only=True)
    officers = OfficerSerializer(many=True, read_only=True)
    violations = serializers.SerializerMethodField()

    class Meta:
        model = Election
        fields = [
            "id",
            "unit",
            "status",
            *elections.FIGURE_FIELDS,
            "candidates",
            "officers",
            "violations",
            "certified_at",
            "certified_by",
        ]
        read_only_fields = ["status", "certified_at", "certified_by"]

    def get_violations(self, election) -> list[str]:
        return [] if election.is_certified else [str(v) for v in elections.violations(election)]
