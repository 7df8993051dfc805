"""Contact-with-women API: contact lists (one per executive, POST creates or updates, PATCH with the
version), the contact log, named contacts (masked for viewers; `erase/`), and the figures of a unit.
Rows are those of the requester's subtree; every id given is looked up through the scope."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from executives import contacts
from executives.figures import CONTACT_KEYS, FIGURES, contact_figures, contacts_by_child, period_from
from executives.models import ContactList, ContactVisit, NamedContact
from executives.models.contacts import COUNT_FIELDS
from federation import scope
from federation.api import bilingual_definitions, unit_figures, unit_in_scope
from federation.api_fields import ScopedModelSerializer, ScopedPrimaryKeyRelatedField, request_user
from federation.viewsets import ScopedViewSet
from orgtree.models import Office

OPEN_OFFICES = Office.objects.filter(ended_on__isnull=True)


class UnitContactsView(APIView):
    """GET /api/units/<id>/contacts/ (?by=children, ?from=, ?to=)."""

    @extend_schema(
        description=bilingual_definitions(
            "Contact with women over the whole subtree; the contact log counted from `from` to `to` "
            "(YYYY-MM-DD, default this calendar year). Keys (English / 中文):",
            FIGURES.definitions(CONTACT_KEYS),
        ),
        responses=None,
        parameters=[
            OpenApiParameter("by", str, enum=["children"], description="children: the same figures per child unit"),
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
        ],
    )
    def get(self, request, pk):
        unit = unit_in_scope(request, pk)
        try:
            period = period_from(request.query_params)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return unit_figures(
            request,
            unit,
            lambda u: contact_figures(u, period),
            lambda u: contacts_by_child(u, period),
            **{"from": period[0], "to": period[1]},
        )


class ContactListSerializer(ScopedModelSerializer):
    # Declared: the one-to-one key would otherwise carry a uniqueness check (the service upserts).
    office = ScopedPrimaryKeyRelatedField(queryset=OPEN_OFFICES, label=_("executive"))
    version = serializers.IntegerField(required=False)

    class Meta:
        model = ContactList
        fields = ["id", "office", "unit", *COUNT_FIELDS, "women", "note", "version", "updated_at"]
        read_only_fields = ["unit", "women", "updated_at"]


class ContactListViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin):
    """Executives' contact lists; POST (office and counts) creates or updates the office's list, PATCH
    changes the counts given. Both take the `version` last seen (409 with the current list otherwise)."""

    base_queryset = ContactList.objects.select_related("office").order_by("unit_id", "office_id")
    serializer_class = ContactListSerializer
    filterset_fields = ["office", "unit"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        office, version = data.pop("office"), data.pop("version", None)
        serializer.instance = contacts.save_contact_list(
            self.request.user, office, data, version=version, source="api"
        )[0]

    @extend_schema(request=ContactListSerializer, responses=ContactListSerializer)
    def partial_update(self, request, pk=None):
        current = self.get_object()
        serializer = self.get_serializer(current, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("office", None)
        version = data.pop("version", None)
        values = {name: getattr(current, name) for name in (*COUNT_FIELDS, "note")} | data
        saved = contacts.save_contact_list(request.user, current.office, values, version=version, source="api")[0]
        return Response(self.get_serializer(saved).data)


class ContactVisitSerializer(ScopedModelSerializer):
    office = ScopedPrimaryKeyRelatedField(queryset=OPEN_OFFICES, label=_("executive"))
    version = serializers.IntegerField(required=False)

    class Meta:
        model = ContactVisit
        fields = ["id", "office", "unit", "date", "way", "women", "note", "version", "created_at"]
        read_only_fields = ["unit", "created_at"]


class ContactVisitViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin):
    """The contact log, newest first; POST records an entry, PATCH corrects one (with `version`)."""

    base_queryset = ContactVisit.objects.order_by("-date", "-pk")
    serializer_class = ContactVisitSerializer
    filterset_fields = ["office", "unit", "way"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = contacts.log_visit(self.request.user, data.pop("office"), source="api", **data)

    @extend_schema(request=ContactVisitSerializer, responses=ContactVisitSerializer)
    def partial_update(self, request, pk=None):
        """Correct an entry's date, way, number of women or note (its executive stays); with `version`."""
        current = self.get_object()
        serializer = self.get_serializer(current, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("office", None)
        version = data.pop("version", None)
        saved = contacts.correct_visit(request.user, current, data, version=version, source="api")
        return Response(self.get_serializer(saved).data)


class NamedContactSerializer(ScopedModelSerializer):
    office = ScopedPrimaryKeyRelatedField(queryset=OPEN_OFFICES, label=_("executive"))
    version = serializers.IntegerField(required=False)
    erased = serializers.BooleanField(read_only=True)

    class Meta:
        model = NamedContact
        fields = ["id", "office", "unit", "name", "category", "erased", "erased_at", "version"]
        read_only_fields = ["erased_at"]

    def to_representation(self, contact):
        data = super().to_representation(contact)
        changeable = self.context.get("changeable")
        if changeable is None:  # one object: asked once
            may_change = scope.can(request_user(self.context), scope.CHANGE, contact.unit)
        else:
            may_change = contact.unit_id in changeable
        data["name"] = contacts.shown_name(contact, may_change)
        return data


class EraseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, label=_("reason"))
    version = serializers.IntegerField(required=False)


class NamedContactViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin):
    """Named contacts (name, village, category); names in clear only for those who may change the
    village, masked for viewers (王**). PATCH corrects one; `erase/` blanks her for good (PIPL)."""

    base_queryset = NamedContact.objects.select_related("unit").order_by("unit_id", "pk")
    serializer_class = NamedContactSerializer
    filterset_fields = ["office", "unit"]

    def list(self, request, *args, **kwargs):
        rows = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(rows)
        shown = list(page if page is not None else rows)
        units = {c.unit for c in shown}
        context = {**self.get_serializer_context(), "changeable": scope.permitted(request.user, scope.CHANGE, units)}
        data = NamedContactSerializer(shown, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = contacts.add_named_contact(
            self.request.user,
            data.pop("office"),
            unit=data.get("unit"),
            name=data.get("name", ""),
            category=data.get("category", ""),
            source="api",
        )

    @extend_schema(request=NamedContactSerializer, responses=NamedContactSerializer)
    def partial_update(self, request, pk=None):
        current = self.get_object()
        serializer = self.get_serializer(current, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("office", None)
        version = data.pop("version", None)
        saved = contacts.update_named_contact(request.user, current, data, version=version, source="api")
        return Response(self.get_serializer(saved).data)

    @extend_schema(request=EraseSerializer, responses=NamedContactSerializer)
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        current = self.get_object()
        form = EraseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        saved = contacts.erase_named_contact(
            request.user,
            current,
            form.validated_data["reason"],
            version=form.validated_data.get("version"),
            source="api",
        )
        return Response(self.get_serializer(saved).data)
