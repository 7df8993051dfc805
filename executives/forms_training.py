"""Forms of the training pages (the services check every rule again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from executives.models.training import Level, training_types
from federation.widgets import DateInput


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    type = forms.ChoiceField(label=_("Training type"), choices=training_types)
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("The organizer's level")), *Level.choices], required=False
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput)
    hours = forms.DecimalField(
        label=_("Hours"), max_digits=5, decimal_places=1, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    trainers = forms.CharField(label=_("Trainers"), max_length=200, required=False)


class SessionEditForm(SessionForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class TickForm(forms.Form):
    """The executives of one committee, ticked when they attended."""

    people = forms.MultipleChoiceField(
        label=_("Attended"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(p.pk): p for p in members}
        self.fields["people"].choices = [(str(p.pk), p.name) for p in members]

    def ticked(self):
        return [self.members[pk] for pk in self.cleaned_data["people"]]
