from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funding.models import Category, Project, Source


def this_year():
    return timezone.localdate().year


class RecordForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), initial=this_year)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    budgeted = forms.DecimalField(
        label=_("Budgeted (yuan)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    disbursed = forms.DecimalField(
        label=_("Disbursed (yuan)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    document = forms.FileField(
        label=_("Document"), required=False, help_text=_("PDF, JPG, PNG, Word or Excel; at most 10 MB.")
    )


class PopulationForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), initial=this_year)
    women = forms.IntegerField(label=_("Women"), min_value=0)


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Project"), max_length=200)
    year = forms.IntegerField(label=_("Year"), initial=this_year)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    beneficiaries = forms.IntegerField(label=_("Beneficiaries"), min_value=0, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Project.Status.choices, initial=Project.Status.APPROVED)


class StandardForm(forms.Form):
    year = forms.IntegerField(label=_("From year"), initial=this_year)
    per_woman = forms.DecimalField(
        label=_("Livelihood project funds per woman (yuan/year)"),
        min_value=0,
        max_digits=8,
        decimal_places=2,
        required=False,
    )
    township_funds = forms.DecimalField(
        label=_("Township work funds (yuan/year)"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    village_funds_in_budget = forms.NullBooleanField(
        label=_("Village work funds in the operations budget"),
        required=False,
        widget=forms.Select(choices=[("unknown", _("Inherit")), ("true", _("Required")), ("false", _("Not required"))]),
    )
    chair_pay_ratio = forms.DecimalField(
        label=_("Chair's pay, share of the party secretary's"),
        min_value=0,
        max_value=1,
        max_digits=5,
        decimal_places=4,
        required=False,
        help_text=_("For example 0.3333 for one third."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
