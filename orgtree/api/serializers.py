from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from federation.api_fields import ScopedPrimaryKeyRelatedField
from federation.scope import CHANGE
from orgtree.models import Unit


class ScopedUnitField(ScopedPrimaryKeyRelatedField):
    """An open unit by id, looked up only among the units the requester may change."""

    default_error_messages = {"does_not_exist": _("No unit with id {pk_value} in your scope.")}

    def __init__(self, **kwargs):
        super().__init__(scope_action=CHANGE, queryset=Unit.objects.open(), **kwargs)


class UnitSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:unit-detail")
    parent = ScopedUnitField(required=False, allow_null=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    form_display = serializers.CharField(source="get_form_display", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "url",
            "kind",
            "kind_display",
            "form",
            "form_display",
            "name",
            "short_name",
            "code",
            "subtype",
            "parent",
            "opened_on",
            "closed_on",
            "secretary_is_woman",
            "director_is_woman",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["closed_on", "version", "created_at", "updated_at"]
        # Code uniqueness among open units is a conditional rule: Unit.clean() words it in Chinese.
        validators = []


class UnitUpdateSerializer(UnitSerializer):
    """On update, `version` is what the client last read: a stale one answers 409."""

    version = serializers.IntegerField(required=False)

    class Meta(UnitSerializer.Meta):
        read_only_fields = ["closed_on", "created_at", "updated_at"]


class CloseSerializer(serializers.Serializer):
    closed_on = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False)
