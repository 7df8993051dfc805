from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from federation import locks, scope
from federation.api_fields import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from orgtree.models import Unit
from reform.models import (
    Approval,
    Campaign,
    ChecklistItem,
    Evidence,
    KeyTask,
    Milestone,
    Pilot,
    Problem,
    ProblemStatus,
    Visit,
)
from reform.services import PILOT_FIELDS, PROBLEM_FIELDS, VISIT_FIELDS


class ChecklistItemSerializer(ScopedModelSerializer):
    number = serializers.CharField(source="template_item.number", read_only=True)
    text = serializers.CharField(source="template_item.text", read_only=True)
    area = serializers.CharField(source="template_item.area", read_only=True)
    value_type = serializers.CharField(source="template_item.value_type", read_only=True)
    target = serializers.DecimalField(
        source="template_item.target", max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )
    at_most = serializers.BooleanField(source="template_item.at_most", read_only=True)
    automatic = serializers.BooleanField(source="template_item.automatic", read_only=True)
    template = serializers.IntegerField(source="assignment.template_id", read_only=True)

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "unit",
            "template",
            "number",
            "text",
            "area",
            "value_type",
            "target",
            "at_most",
            "automatic",
            "value_yes",
            "value_number",
            "value_text",
            "note",
            "met",
            "status",
            "review_comment",
            "filled_at",
            "reviewed_at",
            "version",
        ]
        read_only_fields = fields


class FillSerializer(serializers.Serializer):
    value = serializers.JSONField(help_text="yes/no: true or false; number or percentage: a number; text: a string")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False)


class ReviewSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    version = serializers.IntegerField(required=False)


class ProblemSerializer(ScopedModelSerializer):
    class Meta:
        model = Problem
        fields = ["id", "unit", *PROBLEM_FIELDS, "version"]
        read_only_fields = ["status", "rectification", "resolved_on", "verified_on", "version"]


class ProblemMoveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ProblemStatus.choices)
    rectification = serializers.CharField(required=False, allow_blank=True, default="")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    version = serializers.IntegerField(required=False)


def campaigns_in_reach(queryset, user):
    """Campaigns a writer may hang a task on: those of her units and of the units above them."""
    if not user.is_authenticated or user.is_superuser:
        return scope.restrict(queryset, user)
    above = {a.pk for unit in scope.scope_units(user) for a in unit.lineage()}
    return scope.restrict(queryset, user) | queryset.filter(unit__in=above)


class KeyTaskSerializer(ScopedModelSerializer):
    campaign = ScopedPrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), scope_queryset=campaigns_in_reach, required=False, allow_null=True
    )

    class Meta:
        model = KeyTask
        fields = ["id", "campaign", "unit", "title", "deadline", "progress", "status", "note", "version"]
        read_only_fields = ["status", "version"]


class ProgressSerializer(serializers.Serializer):
    progress = serializers.IntegerField(min_value=0, max_value=100)
    note = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False)


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "phase", "due_on", "coverage_key", "target", "description"]


class CampaignSerializer(ScopedModelSerializer):
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "name", "unit", "starts_on", "ends_on", "description", "milestones"]


class EvidenceSerializer(serializers.ModelSerializer):
    file = serializers.FileField(write_only=True, help_text="PDF, JPG, PNG, DOCX or XLSX; at most 10 MB")

    class Meta:
        model = Evidence
        fields = ["id", "name", "content_type", "size", "uploaded_at", "file"]
        read_only_fields = ["name", "content_type", "size", "uploaded_at"]


class VisitSerializer(ScopedModelSerializer):
    """A visit; `visited`: ids of units strictly below `unit` (checked by the service); `version` on
    update is the one read (a stale one is a conflict)."""

    visited = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.all(), many=True)
    version = serializers.IntegerField(required=False)
    problems = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = ["id", "unit", "visited", *VISIT_FIELDS, "recorded_by", "problems", "version"]
        read_only_fields = ["recorded_by", "problems"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["unit"].read_only = True  # the visiting unit is not changed
        return fields


class PilotSerializer(ScopedModelSerializer):
    """A pilot (试点): marked by the level above for a unit below it; an update sets only `ended_on`
    (with the `version` read: a stale one is a conflict)."""

    version = serializers.IntegerField(required=False)

    class Meta:
        model = Pilot
        fields = ["id", "unit", *PILOT_FIELDS, "marked_by", "version"]
        read_only_fields = ["marked_by"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            for name in ("unit", "topic", "since"):
                fields[name].read_only = True  # a pilot's unit, topic and start are not changed, only ended
            fields["ended_on"].required = True
            fields["ended_on"].allow_null = False
        else:
            fields["ended_on"].read_only = True  # a new pilot is open
        return fields

    def validate(self, attrs):
        if self.instance is not None and attrs.get("ended_on") is None:  # a PATCH may leave it out
            raise serializers.ValidationError({"ended_on": _("Give the day the pilot ended.")})
        return attrs


class VisitProblemSerializer(serializers.Serializer):
    unit = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.all(), help_text="one of the units visited")
    area = serializers.CharField()
    description = serializers.CharField(required=False, allow_blank=True, default="")
    deadline = serializers.DateField()
    responsible = serializers.CharField(max_length=50)


class ApprovalSerializer(ScopedModelSerializer):
    """An approval (审核) as the API shows it; `figures`: the set's figures kept when it was approved."""

    set_label = serializers.CharField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    decided_unit_name = serializers.CharField(source="decided_unit.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Approval
        fields = [
            "id",
            "unit",
            "set_name",
            "set_label",
            "campaign",
            "phase",
            "state",
            "state_label",
            "figures",
            "submitted_by",
            "submitted_at",
            "decided_by",
            "decided_unit",
            "decided_unit_name",
            "decided_at",
            "comment",
            "unlock_reason",
            "version",
        ]
        read_only_fields = fields


class ApprovalSubmitSerializer(serializers.Serializer):
    """POST /api/approvals/: the unit submits a figure set, for a campaign's phase or none; a returned or
    unlocked approval is submitted again (give the version read)."""

    unit = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.all())
    set_name = serializers.ChoiceField(choices=[])
    campaign = ScopedPrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), scope_queryset=campaigns_in_reach, required=False, allow_null=True
    )
    phase = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    version = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)

    def get_fields(self):
        fields = super().get_fields()
        fields["set_name"].choices = locks.choices()
        return fields


class ApprovalDecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    version = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)


class UnlockRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    version = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)


class UnlockDecisionSerializer(serializers.Serializer):
    grant = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    version = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)
