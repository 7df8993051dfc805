"""Contact-with-women forms: phone-first (number keyboards, few fields); the services validate."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from executives.models import ContactList, NamedContact
from executives.models.contacts import COUNT_FIELDS, Category, Way
from federation.widgets import DateInput

NAME, NAME_HELP = pgettext_lazy("person", "name"), _("Her name only: no ID or phone number.")
NUMBER = {"inputmode": "numeric", "pattern": "[0-9]*"}


class ContactListForm(forms.Form):
    """The counts of one executive's contact list (by category, by channel, the WeChat group)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        counts = {
            name: forms.IntegerField(
                label=ContactList._meta.get_field(name).verbose_name,
                help_text=ContactList._meta.get_field(name).help_text,
                min_value=0,
                required=False,
                widget=forms.NumberInput(attrs=NUMBER),
            )
            for name in COUNT_FIELDS
        }
        self.fields = {**counts, "note": self.fields["note"], "version": self.fields["version"]}

    @classmethod
    def initial_for(cls, contact_list):
        if contact_list is None:
            return {"version": 0}
        return {name: getattr(contact_list, name) for name in (*COUNT_FIELDS, "note", "version")}


class OfficeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.person.name}（{obj.get_role_display()}）"


class VisitForm(forms.Form):
    """A contact log entry: who, when, how, how many women, a short note."""

    office = OfficeChoiceField(label=_("executive"), queryset=None)
    date = forms.DateField(label=_("date"), widget=DateInput, initial=timezone.localdate)
    way = forms.ChoiceField(label=_("way"), choices=Way.choices, widget=forms.RadioSelect, initial=Way.HOME_VISIT)
    women = forms.IntegerField(
        label=_("number of women"), min_value=1, initial=1, widget=forms.NumberInput(attrs=NUMBER)
    )
    note = forms.CharField(
        label=_("note"), max_length=100, required=False, help_text=_("No names here: name a contact below.")
    )

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices


class VisitEditForm(forms.Form):
    """Correct a log entry (its executive stays)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    date = forms.DateField(label=_("date"), widget=DateInput)
    way = forms.ChoiceField(label=_("way"), choices=Way.choices, widget=forms.RadioSelect)
    women = forms.IntegerField(label=_("number of women"), min_value=1, widget=forms.NumberInput(attrs=NUMBER))
    note = forms.CharField(
        label=_("note"), max_length=100, required=False, help_text=_("No names here: name a contact below.")
    )

    @classmethod
    def initial_for(cls, visit):
        return {name: getattr(visit, name) for name in ("version", "date", "way", "women", "note")}


class NamedContactForm(forms.Form):
    office = OfficeChoiceField(label=_("executive"), queryset=None)
    name = forms.CharField(label=NAME, max_length=20, help_text=NAME_HELP)
    unit = forms.ModelChoiceField(label=_("village"), queryset=None)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)

    def __init__(self, *args, offices, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        self.fields["unit"].queryset = villages


class NamedContactEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=NAME, max_length=20, help_text=NAME_HELP)
    unit = forms.ModelChoiceField(label=_("village"), queryset=None)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = villages

    @classmethod
    def initial_for(cls, contact: NamedContact):
        return {"version": contact.version, "name": contact.name, "unit": contact.unit_id, "category": contact.category}


class EraseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("reason"),
        max_length=200,
        help_text=_("e.g. at her request on 2025-03-01. Kept in history; do not repeat her name."),
    )
