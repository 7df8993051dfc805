"""Forms of 报送: the reporting plan, a report's analysis texts, the level above's decision."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from federation.widgets import DateInput
from orgtree.choices import Kind
from reform.models import Cadence, Campaign
from reform.reports import SUBMITTING_KINDS, TEXT_MAX


class PlanForm(forms.Form):
    """A reporting plan (报送要求) set by this unit for its subtree."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(
        label=_("Name"), max_length=100, required=False, help_text=_("Left empty: from the campaign and the cadence.")
    )
    campaign = forms.ModelChoiceField(Campaign.objects.none(), label=_("Campaign"), required=False)
    cadence = forms.ChoiceField(label=_("Cadence"), choices=Cadence.choices)
    submitting_kind = forms.ChoiceField(label=_("Submitting level"), choices=[], initial=Kind.COUNTY)
    starts_on = forms.DateField(
        label=_("Starts on"), widget=DateInput, required=False, help_text=_("Left empty: the campaign's start.")
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput, required=False)
    due_days = forms.IntegerField(
        label=_("Days to submit after the period"), min_value=0, max_value=366, required=False
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        above = {i for i in (unit.parent_id, unit.province_id, unit.city_id, unit.county_id, unit.pk) if i}
        self.fields["campaign"].queryset = Campaign.objects.filter(
            Q(unit__in=above) | Q(unit__kind=Kind.NATIONAL)
        ).order_by("-starts_on", "pk")
        self.fields["submitting_kind"].choices = [(k, Kind(k).label) for k in SUBMITTING_KINDS]

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The plan cannot end before it starts."))
        if not data.get("starts_on") and not data.get("campaign"):
            self.add_error("starts_on", _("Give the day the plan starts."))
        return data


class ReportForm(forms.Form):
    """The analysis of a report: 进展, 问题, 下步打算. `submit` says which button was pressed."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    progress = forms.CharField(
        label=_("Progress (进展)"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )
    problems = forms.CharField(
        label=_("Problems (问题)"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_steps = forms.CharField(
        label=_("Next steps (下步打算)"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


class DecisionForm(forms.Form):
    """The level above accepts a submitted report or returns it (a comment is required to return)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    report = forms.IntegerField(widget=forms.HiddenInput, required=False)
    decision = forms.ChoiceField(label=_("Decision"), choices=[("accept", _("Accept")), ("return", _("Return"))])
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say why the report is returned."))
        return data
