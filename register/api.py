"""The register's API: /api/register/organizations/ (list with the page's filters, retrieve, create, PATCH
with the version, `close/`), /api/units/<id>/register/ (the figures, ?by=children) and
/api/units/<id>/register/rule/ (the build rule in force; PUT sets it). Rows are those of the requester's
subtree; every id given is looked up through the scope (another county's answers like a missing id)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.api import bilingual_definitions, unit_figures, unit_in_scope
from federation.api_fields import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from federation.viewsets import ScopedViewSet, ServiceCreateMixin
from orgtree.models import Person, Unit
from register import rules, services
from register.figures import FIGURES, register_by_child, register_figures
from register.filtersets import OrganizationFilterSet
from register.models import BuildRule, Organization
from register.models.organization import AREA_KINDS
from register.models.rule import RULE_KINDS

WRITABLE = list(services.EDITABLE_FIELDS)


class OrganizationSerializer(ScopedModelSerializer):
    unit = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.filter(kind__in=AREA_KINDS), label=_("registered under"))
    committee = ScopedPrimaryKeyRelatedField(
        queryset=Unit.objects.all(), label=_("women's organization"), required=False, allow_null=True
    )
    patron = ScopedPrimaryKeyRelatedField(
        queryset=Person.objects.all(), label=_("responsible leader"), required=False, allow_null=True
    )
    status = serializers.CharField(read_only=True)
    version = serializers.IntegerField(required=False)

    class Meta:
        model = Organization
        fields = ["id", "unit", *WRITABLE, "should_build", "status", "closed_on", "version", "updated_at"]
        read_only_fields = ["should_build", "closed_on", "updated_at"]
        # The service checks the credit code (once among open organizations) and the rest, in Chinese.
        validators: list = []


class OrganizationEditSerializer(OrganizationSerializer):
    class Meta(OrganizationSerializer.Meta):
        fields = [*WRITABLE, "version"]
        extra_kwargs = {name: {"required": False} for name in WRITABLE}


class OrganizationCloseSerializer(serializers.Serializer):
    closed_on = serializers.DateField(label=_("closed on"))
    note = serializers.CharField(label=_("Note"), max_length=200, required=False, allow_blank=True)
    version = serializers.IntegerField(required=False)


class OrganizationViewSet(
    ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, mixins.UpdateModelMixin
):
    """The register's organizations in the requester's subtree. Filters as on the page: `kind`,
    `subtype`, `status` (built, should_build: not yet built, not_required), `coverage`, `party`
    (yes/no), `area` (a unit's subtree), `unit` (registered on that unit itself), `committee`, `state`
    (current, closed, all; default all), `q`, `within`. PATCH changes fields (with `version`: 409 when
    stale); `close/` closes one (it is kept)."""

    base_queryset = Organization.objects.select_related("committee").order_by("kind", "name", "pk")
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create_with(self, user, unit, data):
        data.pop("version", None)
        return services.create_organization(user, unit, source="api", **data)

    @extend_schema(request=OrganizationEditSerializer, responses=OrganizationSerializer)
    def partial_update(self, request, *args, **kwargs):
        org = self.get_object()
        form = OrganizationEditSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        version = data.pop("version", None)
        org = services.update_organization(request.user, org, data, version=version, source="api")
        return Response(OrganizationSerializer(org, context=self.get_serializer_context()).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=OrganizationCloseSerializer, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        org = self.get_object()
        form = OrganizationCloseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        org = services.close_organization(
            request.user, org, data["closed_on"], note=data.get("note", ""), version=data.get("version"), source="api"
        )
        return Response(OrganizationSerializer(org, context=self.get_serializer_context()).data)


class UnitRegisterView(APIView):
    """GET /api/units/<id>/register/ (?by=children)."""

    @extend_schema(
        description=bilingual_definitions(
            "Organization coverage with denominators over the whole subtree (own agencies: the unit's own, "
            "not summed). Keys (English / 中文):",
            FIGURES.definitions(),
        ),
        responses=None,
        parameters=[
            OpenApiParameter("by", str, enum=["children"], description="children: the same figures per child unit")
        ],
    )
    def get(self, request, pk):
        unit = unit_in_scope(request, pk)
        return unit_figures(request, unit, register_figures, lambda u: register_by_child(u))


class RuleSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(required=False)

    class Meta:
        model = BuildRule
        fields = [*services.RULE_FIELDS, "version"]
        extra_kwargs = {name: {"required": False} for name in services.RULE_FIELDS}


class UnitRuleView(APIView):
    """GET /api/units/<id>/register/rule/: the build rule in force beneath a county or a level above
    (`from`: the unit whose rule it is, null for the default); PUT sets the unit's own (with `version`,
    0 when it has none yet) and answers with `changed`, the organizations whose answer changed."""

    def _unit(self, request, pk):
        unit = unit_in_scope(request, pk)
        if unit.kind not in RULE_KINDS:
            raise serializers.ValidationError({"unit": _("A build rule is set by a county or a level above.")})
        return unit

    def _shown(self, unit):
        rule = rules.rule_for(unit)
        data = {name: getattr(rule, name) for name in services.RULE_FIELDS}
        own = rule.unit_id == unit.pk
        return {"unit": unit.pk, "from": rule.unit_id, **data, "version": rule.version if own else 0}

    @extend_schema(responses=None)
    def get(self, request, pk):
        return Response(self._shown(self._unit(request, pk)))

    @extend_schema(request=RuleSerializer, responses=None)
    def put(self, request, pk):
        unit = self._unit(request, pk)
        form = RuleSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        version = data.pop("version", None)
        _rule, changed = services.set_rule(request.user, unit, data, version=version, source="api")
        return Response({**self._shown(unit), "changed": changed})
