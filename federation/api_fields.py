"""Related fields and id filters that look objects up only inside the requester's scope.

An id outside her subtree must answer exactly like an id of no object (same status, same
message): otherwise every foreign key is an oracle for what exists elsewhere in the country.
So the lookup itself goes through `restrict()`; services still re-check the scope after it.
"""

import django_filters
from django.db import models
from django_filters.rest_framework import DjangoFilterBackend, FilterSet
from rest_framework import serializers

from federation.scope import VIEW, restrict


def request_user(context):
    request = context.get("request") if context else None
    return getattr(request, "user", None)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object by id among those the requester may `scope_action` (view by default).
    `scope_queryset(queryset, user)` replaces restrict() where another rule decides what she may
    name (e.g. campaigns of the units above her). Without a request nothing is found."""

    def __init__(self, scope_action=VIEW, scope_queryset=None, **kwargs):
        self.scope_action = scope_action
        self.scope_queryset = scope_queryset
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        assert queryset is not None  # a writable related field has one (DRF asserts it)
        user = request_user(self.context)
        if self.scope_queryset is not None:
            return self.scope_queryset(queryset, user) if user is not None else queryset.none()
        return restrict(queryset, user, self.scope_action)


class ScopedModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose every writable foreign key is a ScopedPrimaryKeyRelatedField."""

    serializer_related_field = ScopedPrimaryKeyRelatedField


def _scoped_remote_queryset(field):
    model = field.remote_field.model

    def queryset(request):
        return restrict(model._default_manager.all(), getattr(request, "user", None))

    return queryset


class ScopedFilterSet(FilterSet):
    """Filters on foreign keys (`?unit=`, `?term=`) accept only ids in the requester's scope: any
    other id is a 400 exactly like an id of no object."""

    FILTER_DEFAULTS = {
        **FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {
            "filter_class": django_filters.ModelChoiceFilter,
            "extra": lambda f: {"queryset": _scoped_remote_queryset(f)},
        },
        models.OneToOneField: {
            "filter_class": django_filters.ModelChoiceFilter,
            "extra": lambda f: {"queryset": _scoped_remote_queryset(f)},
        },
    }


class ScopedFilterBackend(DjangoFilterBackend):
    """The API's filter backend: filtersets built from `filterset_fields` are ScopedFilterSets."""

    filterset_base = ScopedFilterSet
