"""Forms of the activities and points pages (积分考评): phone-first (one column, date picker, number
keyboards), the choices limited to the unit's own executives and service positions."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from executives.activities import MAX_PARTICIPANTS, MAX_POINTS
from executives.models import Activity, ActivityType, Grade
from federation.api_fields import ScopedFilterSet
from federation.widgets import DateInput
from orgtree.models import Person, ServicePosition

NUMBER = {"inputmode": "numeric", "pattern": "[0-9]*"}


def executives_of(unit, current_only=True):
    offices = Q(offices__unit=unit) & (Q(offices__ended_on__isnull=True) if current_only else Q())
    return Person.objects.filter(offices).distinct().order_by("name", "pk")


def positions_near(unit):
    """The open service positions of the unit and of its direct subunits (e.g. a village's 妇女之家)."""
    return (
        ServicePosition.objects.filter(Q(unit=unit) | Q(unit__parent=unit), closed_on__isnull=True)
        .select_related("unit")
        .order_by("unit__code", "unit__name", "kind")
    )


class ActivityForm(forms.Form):
    activity_type = forms.ModelChoiceField(ActivityType.objects.filter(active=True), label=_("Activity type"))
    held_on = forms.DateField(label=_("Held on"), widget=DateInput)
    person = forms.ModelChoiceField(
        Person.objects.none(),
        label=_("Executive"),
        required=False,
        empty_label=_("The unit itself"),
        help_text=_("Leave empty for an activity of the unit rather than of one executive."),
    )
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    position = forms.ModelChoiceField(
        ServicePosition.objects.none(),
        label=_("Service position"),
        required=False,
        help_text=_("Or choose where it was held, e.g. the women's home."),
    )
    participants = forms.IntegerField(
        label=_("Participants"), min_value=0, max_value=MAX_PARTICIPANTS, widget=forms.NumberInput(attrs=NUMBER)
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(label=_("Photo"), required=False, help_text=_("JPG or PNG; at most 10 MB."))

    def __init__(self, *args, unit, current_only=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = executives_of(unit, current_only)
        self.fields["position"].queryset = positions_near(unit)
        self.fields["held_on"].initial = timezone.localdate()

    def values(self):
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["place"] = data.get("place") or ""
        return data


class CorrectionForm(ActivityForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    withdrawn = forms.BooleanField(
        label=_("Withdrawn"), required=False, help_text=_("A withdrawn activity stays in history and earns no points.")
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, unit=unit, current_only=False, **kwargs)


class RulesForm(forms.Form):
    """One points field per activity type; empty inherits from the level above."""

    from_year = forms.IntegerField(label=_("From year"), widget=forms.NumberInput(attrs=NUMBER))

    def __init__(self, *args, types, **kwargs):
        super().__init__(*args, **kwargs)
        self.types = list(types)
        for activity_type in self.types:
            self.fields[f"points_{activity_type.pk}"] = forms.IntegerField(
                label=activity_type.name,
                required=False,
                min_value=0,
                max_value=MAX_POINTS,
                widget=forms.NumberInput(attrs=NUMBER),
            )

    def points(self):
        return {t: self.cleaned_data.get(f"points_{t.pk}") for t in self.types}


class EvaluationForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


def this_year():
    return timezone.localdate().year


class ActivityFilterSet(ScopedFilterSet):
    """`/api/activities/` and a unit's activities page: by year, type, unit, executive; withdrawn ones are
    left out unless asked for."""

    year = django_filters.NumberFilter(method="filter_year", label=_("Year"))
    activity_type = django_filters.ModelChoiceFilter(
        queryset=lambda request: ActivityType.objects.all(), label=_("Activity type"), empty_label=_("All")
    )
    withdrawn = django_filters.BooleanFilter(label=_("Withdrawn"), widget=forms.HiddenInput)

    class Meta:
        model = Activity
        fields = ["unit", "person", "activity_type", "year", "withdrawn"]

    def filter_year(self, queryset, name, value):
        if value is None:
            return queryset
        year = int(value)
        if not 1949 <= year <= 2099:
            return queryset.none()
        return queryset.filter(held_on__gte=datetime.date(year, 1, 1), held_on__lte=datetime.date(year, 12, 31))
