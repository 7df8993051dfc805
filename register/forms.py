"""The register's forms. They only parse: register.services validates and writes (its errors land on
the form in Chinese). The committee, 包建 leader and unit choices hold only what the user may see, and
only what fits the organization (its county's committees, the leaders of its county or township)."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from federation import scope
from federation.widgets import DateInput
from orgtree.choices import Subtype as UnitSubtype
from orgtree.models import Person, Unit
from register.models import BuildRule, Coverage, Organization
from register.models.organization import AREA_KINDS, COMMITTEE_KINDS
from register.models.rule import RULE_KINDS
from register.services import EDITABLE_FIELDS

COMMITTEE_KIND_CHOICES = [(k, label) for k, label in Unit._meta.get_field("kind").choices if k in COMMITTEE_KINDS]


def anchor(unit):
    """The county (or the level above) whose committees and leaders an organization of `unit` uses."""
    if unit.kind in RULE_KINDS or not unit.county_id:
        return unit
    return unit.county


def committees_for(user, unit):
    """Open committee units that may cover an organization of `unit`, inside the user's scope: those of
    its county (a county's or township's organization), or the level's own committees for one
    registered above the counties (e.g. the city's agencies)."""
    top = anchor(unit)
    rows = Unit.objects.open().filter(top.subtree_q(), kind__in=COMMITTEE_KINDS)
    if top.kind not in ("county",):
        rows = rows.filter(county__isnull=True)
    return scope.restrict(rows, user).order_by("kind", "name", "pk")


def patrons_for(user, unit):
    """People of the county (or level) federation and of the township an organization belongs to."""
    top = anchor(unit)
    return scope.restrict(Person.objects.filter(unit_id__in={top.pk, unit.pk}), user).order_by("name", "pk")


def area_units(user, unit):
    """Where an organization can be registered from `unit`'s page: the unit and its open area subunits."""
    rows = Unit.objects.open().filter(Q(pk=unit.pk) | Q(parent=unit), kind__in=AREA_KINDS)
    return scope.restrict(rows, user, scope.CHANGE).order_by("-tree_parent", "code", "name")


class OrganizationForm(forms.ModelForm):
    """Create (with the unit it is registered under) or edit (with the version last seen)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Organization
        fields = ["unit", *EDITABLE_FIELDS]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, unit, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees_for(user, unit)
        self.fields["patron"].queryset = patrons_for(user, unit)
        if editing:
            del self.fields["unit"]
        else:
            del self.fields["version"]
            self.fields["unit"].queryset = area_units(user, unit)
            self.fields["unit"].initial = unit.pk
            self.fields["unit"].empty_label = None
        self.fields["credit_code"].widget.attrs["autocapitalize"] = "characters"
        for name in ("employees", "women_employees"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def _post_clean(self):
        """No model validation here: the service validates (once, in Chinese, before anything is saved)."""

    def values(self):
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("unit", None)
        return {k: ("" if v is None and k in TEXT_FIELDS else v) for k, v in data.items()}


TEXT_FIELDS = {
    f.name for f in Organization._meta.get_fields() if f.name in EDITABLE_FIELDS and getattr(f, "max_length", None)
}


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    closed_on = forms.DateField(label=_("closed on"), widget=DateInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class LinkForm(forms.Form):
    """Link the organizations ticked on the list to one committee: an existing one, or one founded now
    (区域联建, 行业统建: one committee for several)."""

    MODES = [("existing", _("An existing women's organization")), ("new", _("Found a new women's organization"))]

    organizations = forms.ModelMultipleChoiceField(
        Organization.objects.none(), label=_("Organizations"), widget=forms.MultipleHiddenInput
    )
    mode = forms.ChoiceField(label=_("Link to"), choices=MODES, widget=forms.RadioSelect, initial="existing")
    committee = forms.ModelChoiceField(Unit.objects.none(), label=_("women's organization"), required=False)
    coverage = forms.ChoiceField(
        label=_("how it is covered"),
        choices=[("", _("Jointly in the area when several, otherwise separately")), *Coverage.choices],
        required=False,
    )
    parent = forms.ModelChoiceField(Unit.objects.none(), label=_("Founded under"), required=False)
    kind = forms.ChoiceField(label=_("Kind of the new organization"), choices=COMMITTEE_KIND_CHOICES, required=False)
    subtype = forms.ChoiceField(
        label=_("Kind of new domain"), choices=[("", "---------"), *UnitSubtype.choices], required=False
    )
    name = forms.CharField(label=_("Name of the new organization"), max_length=100, required=False)
    opened_on = forms.DateField(label=_("opened on"), required=False, widget=DateInput)

    def __init__(self, *args, user, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = scope.restrict(
            Organization.objects.open().filter(unit.subtree_q("unit__")), user, scope.CHANGE
        )
        self.fields["committee"].queryset = committees_for(user, unit)
        self.fields["parent"].queryset = area_units(user, unit)
        self.fields["parent"].initial = unit.pk

    def clean(self):
        data = super().clean()
        if data.get("mode") == "existing" and not data.get("committee"):
            self.add_error("committee", _("Choose the women's organization that covers them."))
        if data.get("mode") == "new":
            for name in ("parent", "kind", "name"):
                if not data.get(name):
                    self.add_error(name, self.fields[name].error_messages["required"])
        return data


class RuleForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = BuildRule
        fields = ["party_org", "min_women", "chair_patron_from", "vice_patron_from"]

    def _post_clean(self):
        """The service validates."""
