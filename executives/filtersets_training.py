"""The filtersets the training list page and the API share."""

import django_filters
from django.utils.translation import gettext_lazy as _

from executives.models import Attendance, TrainingSession
from executives.models.training import training_types
from federation.api_fields import ScopedFilterSet
from federation.widgets import DateInput


class TrainingSessionFilterSet(ScopedFilterSet):
    """`/api/training-sessions/` and a unit's training page: by type and by period (start date)."""

    type = django_filters.ChoiceFilter(choices=training_types, label=_("Training type"), empty_label=_("All"))
    starts_from = django_filters.DateFilter(
        field_name="starts_on", lookup_expr="gte", label=_("Starting from"), widget=DateInput
    )
    starts_until = django_filters.DateFilter(
        field_name="starts_on", lookup_expr="lte", label=_("Starting until"), widget=DateInput
    )

    class Meta:
        model = TrainingSession
        fields = ["unit", "type", "starts_from", "starts_until"]


class AttendanceFilterSet(ScopedFilterSet):
    class Meta:
        model = Attendance
        fields = ["session", "person"]
