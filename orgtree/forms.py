from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from federation.scope import restrict
from orgtree.choices import ALLOWED_PARENTS
from orgtree.models import Unit


class DateInput(forms.DateInput):
    input_type = "date"


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
