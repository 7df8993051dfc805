"""轮值主席: a committee's rotating-chair page (a committee tab): this month's chair, the schedule, and
for editors the forms that generate it, change a month, or switch the rotation on or off."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from executives import rotation
from federation import scope
from federation.pages import ActionPage, UnitMixin


class MonthField(forms.CharField):
    """A month: the browser's month picker sends "2026-12"; "2026年12月" typed by hand is read too."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-12"})

    def to_python(self, value):
        value = super().to_python(value)
        return rotation.parse_month(value) if value else None

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if hasattr(value, "strftime") else value


def seat_label(office):
    return f"{office.person.name} · {office.get_role_display()}"


class GenerateForm(forms.Form):
    """The order of the rotation: a place number per current executive (empty: left out)."""

    start = MonthField(label=gettext_lazy("first month"))
    months = forms.IntegerField(
        label=gettext_lazy("number of months"), min_value=1, max_value=rotation.MAX_MONTHS, initial=12
    )

    def __init__(self, *args, executives, **kwargs):
        super().__init__(*args, **kwargs)
        self.executives = executives
        self.fields["start"].initial = rotation.this_month()
        for place, office in enumerate(executives, start=1):
            self.fields[f"place_{office.pk}"] = forms.IntegerField(
                label=seat_label(office),
                required=False,
                min_value=1,
                initial=place,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def clean(self):
        data = super().clean() or {}
        places = [(data.get(f"place_{o.pk}"), i, o) for i, o in enumerate(self.executives)]
        chosen = sorted((p, i, o) for p, i, o in places if p is not None)
        if len({p for p, _i, _o in chosen}) != len(chosen):
            raise forms.ValidationError(_("Each executive takes one place in the order."))
        data["order"] = [o for _p, _i, o in chosen]
        return data


class MonthForm(forms.Form):
    """Who chairs one month."""

    month = MonthField(label=gettext_lazy("month"))
    office = forms.TypedChoiceField(label=gettext_lazy("rotating chair"), coerce=int)
    note = forms.CharField(label=gettext_lazy("note"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, executives, **kwargs):
        super().__init__(*args, **kwargs)
        self.executives = {o.pk: o for o in executives}
        office = self.fields["office"]
        assert isinstance(office, forms.TypedChoiceField)
        office.choices = [(o.pk, seat_label(o)) for o in executives]


class EnableForm(forms.Form):
    enabled = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RotationView(UnitMixin, ActionPage):
    template_name = "executives/rotation.html"
    forms = {"generate": GenerateForm, "month": MonthForm, "enable": EnableForm}

    def post(self, request, *args, **kwargs):
        scope.require(request.user, scope.CHANGE, self.unit, str(scope.ROLE_MESSAGE))  # a viewer: 403
        return super().post(request, *args, **kwargs)

    @property
    def executives(self):
        if not hasattr(self, "_executives"):
            self._executives = rotation.current_executives(self.unit)
        return self._executives

    def make_form(self, name, **kwargs):
        if name in ("generate", "month"):
            kwargs["executives"] = self.executives
        return super().make_form(name, **kwargs)

    def do_generate(self, form):
        data = form.cleaned_data
        rotation.generate(self.request.user, self.unit, start=data["start"], months=data["months"], order=data["order"])
        return _("Rotating chairs of %(name)s scheduled for %(months)d months.") % {
            "name": self.unit.name,
            "months": data["months"],
        }

    def do_month(self, form):
        data = form.cleaned_data
        office = form.executives[data["office"]]
        row = rotation.set_month(
            self.request.user, self.unit, data["month"], office, version=data["version"], note=data["note"]
        )
        return _("%(name)s chairs in %(month)s.") % {"name": office.person.name, "month": f"{row.month:%Y-%m}"}

    def do_enable(self, form):
        data = form.cleaned_data
        rotation.set_enabled(self.request.user, self.unit, data["enabled"], version=data["version"])
        return _("Rotating chair switched on.") if data["enabled"] else _("Rotating chair switched off.")

    def get_context_data(self, **kwargs):
        user, unit = self.request.user, self.unit
        setting = rotation.setting_of(unit)
        on = rotation.applies(unit, setting)
        rows = list(rotation.schedule(unit)) if on else []
        month = rotation.this_month()
        current = next((r for r in rows if r.month == month), None)
        can_change = scope.can(user, scope.CHANGE, unit) and unit.closed_on is None
        if can_change and on:
            chosen = self.request.GET.get("month", "")
            row = next((r for r in rows if f"{r.month:%Y-%m}" == chosen), None)
            initial = (
                {"month": row.month, "office": row.office_id, "note": row.note, "version": row.version}
                if row is not None
                else {"month": rotation.add_months(month, 1), "version": 0}
            )
            kwargs.setdefault("generate_form", self.make_form("generate"))
            kwargs.setdefault("month_form", self.make_form("month", initial=initial))
        return super().get_context_data(
            enabled=on,
            by_default=unit.kind in rotation.DEFAULT_KINDS,
            setting_version=setting.version if setting is not None else 0,
            rows=rows,
            current=current,
            this_month=month,
            has_executives=bool(self.executives) if can_change and on else None,
            can_change=can_change,
            **kwargs,
        )
