from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from federation.scope import restrict
from orgtree.choices import ALLOWED_PARENTS
from orgtree.models import Election, Person, Role, Unit, ViceChairType


class DateInput(forms.DateInput):
    """The browser's date picker, which needs ISO dates whatever the UI language."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format=format)


class UnitForm(forms.ModelForm):
    """Create or edit a unit's own fields; the tree position is chosen by the page (create) or MoveForm."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Unit
        fields = ["kind", "form", "name", "short_name", "code", "subtype", "opened_on"]
        widgets = {"opened_on": DateInput}

    def __init__(self, *args, parent=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            parent = self.instance.parent
        else:
            self.instance.parent = parent  # so Unit.clean() judges the kind against the real parent
        if parent is not None or self.instance.pk:
            parent_kind = parent.kind if parent else None
            allowed = [c for c in self.fields["kind"].choices if parent_kind in ALLOWED_PARENTS.get(c[0], ())]
            self.fields["kind"].choices = allowed


    def _update_errors(self, errors):
        # Unit.clean() speaks of fields this form does not show (parent): list those at the top.
        if hasattr(errors, "error_dict"):
            remapped = {}
            for field, messages in errors.error_dict.items():
                key = field if field in self.fields else NON_FIELD_ERRORS
                remapped.setdefault(key, []).extend(messages)
            errors = ValidationError(remapped)
        super()._update_errors(errors)


class UnitRefField(forms.CharField):
    """A unit chosen by division code or id, limited to what the user may change."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value).strip()
        qs = restrict(Unit.objects.open(), self.user, "change")
        unit = qs.filter(code=value).first() if value else None
        if unit is None and value.isdigit():
            unit = qs.filter(pk=int(value)).first()
        if unit is None:
            raise forms.ValidationError(_("No open unit with this code or id in your scope."))
        return unit


class MoveForm(forms.Form):
    parent = forms.CharField(label=_("New parent (division code or id)"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"] = UnitRefField(label=_("New parent (division code or id)"), user=user)


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput)
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class PersonForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    tags = forms.CharField(label=_("background"), required=False,
                           help_text=_("Separate several with commas, e.g. 教师，乡村医生"))

    class Meta:
        model = Person
        fields = ["name", "gender", "birth_date", "ethnicity", "political_status", "education", "phone", "id_number"]
        widgets = {"birth_date": DateInput}

    def __init__(self, *args, show_id_number=True, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["tags"].initial = "，".join(self.instance.tags)
        if not show_id_number:
            del self.fields["id_number"]

    def clean_tags(self):
        raw = self.cleaned_data.get("tags", "").replace("，", ",").replace("、", ",")
        return [t.strip() for t in raw.split(",") if t.strip()]

    def _post_clean(self):
        pass  # the service validates the model (one place for the rules)


class TermDelayForm(forms.Form):
    party_approval = forms.CharField(label=_("approved by the party committee"), max_length=100)
    federation_approval = forms.CharField(label=_("approved by the federation above"), max_length=100)
    approved_on = forms.DateField(label=_("approved on"), widget=DateInput)
    new_due_on = forms.DateField(label=_("new due date"), widget=DateInput)
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class ElectionForm(forms.ModelForm):
    class Meta:
        model = Election
        fields = ["kind", "method", "scheduled_on", "held_on", "entitled", "present", "ballots_issued",
                  "ballots_returned", "ballots_invalid", "seats"]
        widgets = {"scheduled_on": DateInput, "held_on": DateInput}

    def _post_clean(self):
        pass  # validated by the service


class CandidateForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    approve = forms.IntegerField(label=_("approve"), min_value=0, initial=0)
    disapprove = forms.IntegerField(label=_("disapprove"), min_value=0, initial=0)
    abstain = forms.IntegerField(label=_("abstain"), min_value=0, initial=0)
    write_in = forms.BooleanField(label=_("write-in"), required=False)

    def clean_id_number(self):
        from orgtree.idnumber import normalize, validate_id_number

        value = normalize(self.cleaned_data.get("id_number"))
        if value:
            validate_id_number(value)
        return value


class OfficersForm(forms.Form):
    """One role select per candidate, plus the vice-chair type and the chair's two-committee flags."""

    on_party_committee = forms.BooleanField(label=_("on the village party committee"), required=False)
    on_villagers_committee = forms.BooleanField(label=_("on the villagers' committee"), required=False)
    is_party_secretary = forms.BooleanField(label=_("village party secretary"), required=False)
    is_village_director = forms.BooleanField(label=_("village director"), required=False)

    def __init__(self, *args, candidates=(), officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        current = {o.person_id: o for o in officers}
        self.candidates = list(candidates)
        roles = [("", "—"), *[c for c in Role.choices if c[0] != Role.EXECUTIVE]]
        types = [("", "—"), *ViceChairType.choices]
        for c in self.candidates:
            chosen = current.get(c.person_id)
            self.fields[f"role_{c.person_id}"] = forms.ChoiceField(
                label=c.person.name, choices=roles, required=False, initial=chosen.role if chosen else "")
            self.fields[f"type_{c.person_id}"] = forms.ChoiceField(
                label=_("vice-chair type"), choices=types, required=False,
                initial=chosen.vice_chair_type if chosen else "")
            if chosen and chosen.role == Role.CHAIR:
                for flag in ("on_party_committee", "on_villagers_committee", "is_party_secretary",
                             "is_village_director"):
                    self.fields[flag].initial = getattr(chosen, flag)

    def rows(self):
        return [(c, self[f"role_{c.person_id}"], self[f"type_{c.person_id}"]) for c in self.candidates]

    def entries(self):
        data = self.cleaned_data
        flags = {f: data[f] for f in ("on_party_committee", "on_villagers_committee", "is_party_secretary",
                                      "is_village_director")}
        result = []
        for c in self.candidates:
            role = data.get(f"role_{c.person_id}")
            if role:
                entry = {"person_id": c.person_id, "role": role,
                         "vice_chair_type": data.get(f"type_{c.person_id}") if role == Role.VICE_CHAIR else ""}
                result.append({**entry, **(flags if role == Role.CHAIR else {})})
        return result


class AmendmentForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200)
    details = forms.CharField(label=_("correction"), widget=forms.Textarea(attrs={"rows": 3}))
