"""API views shared by every app: rows limited to the requester's subtree, creation through one service."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, viewsets

from federation import scope


class ScopedViewSet(viewsets.GenericViewSet):
    """Rows whose unit lies in the requester's subtree; `within=<unit id>` narrows to a subtree."""

    base_queryset = None

    def get_queryset(self):
        qs = scope.restrict(self.base_queryset, self.request.user)
        within = self.request.query_params.get("within")
        if within:
            units = scope.restrict(scope.unit_model().objects.all(), self.request.user)
            unit = units.filter(pk=within).first() if within.isdigit() else None
            if unit is None:
                raise serializers.ValidationError({"within": _("No such unit in your scope.")})
            qs = qs.filter(unit.subtree_q(f"{scope.scope_path(qs.model)}"))
        return qs


if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView as _View  # what the mixin is mixed into
else:
    _View = object


class ServiceCreateMixin(mixins.CreateModelMixin, _View):
    """POST hands the validated data to one service: `create_with(user, unit, data)` returns the
    object. The serializer's scoped fields only find what the requester may see (400 otherwise,
    exactly like a missing id); the service checks she may change it (403)."""

    def create_with(self, user, unit, data):
        raise NotImplementedError

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        unit = data.pop("unit")
        serializer.instance = self.create_with(self.request.user, unit, data)
