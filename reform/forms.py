from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from federation import figures
from federation.widgets import DateInput
from orgtree.models import Unit
from reform.models import Area, Campaign, ChecklistTemplate, Pilot, ProblemStatus, ValueType, VisitKind


class AssignForm(forms.Form):
    template = forms.ModelChoiceField(
        ChecklistTemplate.objects.filter(published_on__isnull=False), label=_("Checklist template")
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput)


class FillForm(forms.Form):
    """The answer field takes the item's type: a yes/no choice, a number or a text."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    value = forms.CharField(label=_("Answer"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        kind = item.template_item.value_type
        if kind == ValueType.YES_NO:
            self.fields["value"] = forms.ChoiceField(
                label=_("Answer"), choices=[("", "---------"), ("yes", _("Yes")), ("no", _("No"))]
            )
        elif kind in (ValueType.NUMBER, ValueType.PERCENT):
            self.fields["value"].widget = forms.TextInput(attrs={"inputmode": "decimal"})
            if kind == ValueType.PERCENT:
                self.fields["value"].help_text = _("In percent, 0 to 100.")
        else:
            self.fields["value"].widget = forms.Textarea(attrs={"rows": 3})


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept")), ("return", _("Return"))], widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=300, help_text=_("Required when returning the item.")
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence file"), help_text=_("PDF, JPG, PNG, Word or Excel; at most 10 MB."))


class ProblemForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), choices=Area.choices)
    description = forms.CharField(label=_("Problem"), widget=forms.Textarea(attrs={"rows": 3}))
    found_on = forms.DateField(label=_("Found on"), widget=DateInput)
    deadline = forms.DateField(label=_("Rectify by"), widget=DateInput)
    responsible = forms.CharField(label=_("Responsible person"), max_length=50)


class ProblemMoveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("New status"), choices=ProblemStatus.choices)
    rectification = forms.CharField(label=_("Rectification"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    comment = forms.CharField(label=_("Comment"), required=False, max_length=200)


class TaskForm(forms.Form):
    """A key task for this unit or one of its subunits (the level above hands tasks down)."""

    title = forms.CharField(label=_("Task"), max_length=200)
    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("Responsible unit"))
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        field.queryset = Unit.objects.open().filter(Q(pk=unit.pk) | Q(parent=unit)).order_by("-tree_parent", "code")
        field.initial = unit.pk


class ProgressForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    progress = forms.IntegerField(label=_("Progress %"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example 破难行动 or 百日攻坚."))
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("A campaign cannot end before it starts."))
        return data


def coverage_choices():
    """The coverage figures, then those of every set with an evaluator (e.g. executives' training)."""
    return [("", "---------"), *figures.figure_set("coverage").choices(), *figures.evaluated_choices()]


class MilestoneForm(forms.Form):
    phase = forms.CharField(label=_("Phase"), max_length=50)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput)
    coverage_key = forms.ChoiceField(label=_("Coverage figure"), choices=coverage_choices)
    target = forms.DecimalField(label=_("Target"), min_value=0, max_digits=12, decimal_places=2)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=3, max_num=10)


class VisitForm(forms.Form):
    """A visit by this unit's cadres: the units visited are chosen among the open units below it."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=VisitKind.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    visited = forms.ModelMultipleChoiceField(Unit.objects.none(), label=_("Units visited"))
    people_met = forms.IntegerField(label=_("People met"), min_value=0, initial=0)
    meetings = forms.IntegerField(label=_("Meetings held"), min_value=0, initial=0)
    attendance = forms.IntegerField(label=_("Meeting attendance"), min_value=0, initial=0)
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        below = Unit.objects.open().within(unit).exclude(pk=unit.pk).order_by("code", "name", "pk")
        self.fields["visited"].queryset = below


class VisitProblemForm(forms.Form):
    """A finding of the visit made a problem on one of the units visited."""

    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("Unit"))
    area = forms.ChoiceField(label=_("Area"), choices=Area.choices)
    description = forms.CharField(label=_("Problem"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("Rectify by"), widget=DateInput)
    responsible = forms.CharField(label=_("Responsible person"), max_length=50)

    def __init__(self, *args, visit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visit.visited.order_by("code", "name", "pk")


class PilotForm(forms.Form):
    """Mark a unit below this one a pilot (试点)."""

    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("Unit"))
    topic = forms.CharField(label=_("Pilot topic"), max_length=100)
    since = forms.DateField(label=_("Pilot since"), widget=DateInput)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.open().within(unit).exclude(pk=unit.pk).order_by("code", "pk")


class PilotEndForm(forms.Form):
    """End an open pilot of a unit below this one (the level above ends what it marked)."""

    pilot = forms.ModelChoiceField(Pilot.objects.none(), label=_("Pilot"))
    ended_on = forms.DateField(label=_("Pilot ended on"), widget=DateInput)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        rows = Pilot.objects.filter(unit.subtree_q("unit__"), ended_on__isnull=True).exclude(unit=unit)
        self.fields["pilot"].queryset = rows.select_related("unit").order_by("unit__code", "topic", "pk")
        self.fields["pilot"].label_from_instance = lambda p: f"{p.unit.name} · {p.topic}"


class ApprovalSubmitForm(forms.Form):
    """Submit a figure set of the unit (审核): the sets its kind submits, the campaigns covering it."""

    set_name = forms.ChoiceField(label=_("Figure set"))
    campaign = forms.ModelChoiceField(Campaign.objects.none(), label=_("Campaign"), required=False)
    phase = forms.CharField(label=_("Phase"), max_length=50, required=False)

    def __init__(self, *args, sets, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["set_name"].choices = [(s.name, s.label) for s in sets]
        self.fields["campaign"].queryset = campaigns


class ApprovalStepForm(forms.Form):
    """One step on one approval listed on the page: approve or return, request, grant or refuse an unlock."""

    approval = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    decision = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=[("approve", _("Approve")), ("return", _("Return")), ("grant", _("Grant")), ("refuse", _("Refuse"))],
    )
    text = forms.CharField(label=_("Comment or reason"), max_length=300, required=False)
