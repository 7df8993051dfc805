from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Case, F, IntegerField, When
from django.utils.translation import gettext_lazy as _

from federation.scope import restrict
from federation.widgets import DateInput
from orgtree import elections
from orgtree.choices import ALLOWED_PARENTS, GRASSROOTS_KINDS, Form
from orgtree.conversion import Conversion, Member, current_election, version_of
from orgtree.idnumber import normalize, validate_id_number
from orgtree.models import (
    Appointment,
    ChairPay,
    DrawnFrom,
    Election,
    LeaveReason,
    Office,
    Person,
    Role,
    Unit,
    ViceChairType,
)
from orgtree.models.committee import role_title
from orgtree.models.position import ServicePosition


class UnitForm(forms.ModelForm):
    """Create or edit a unit's own fields; the tree position is chosen by the page (create) or MoveForm."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Unit
        fields = [
            "kind",
            "form",
            "name",
            "short_name",
            "code",
            "subtype",
            "opened_on",
            "secretary_is_woman",
            "director_is_woman",
        ]
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
        if self.instance.pk and self.instance.kind not in GRASSROOTS_KINDS:
            for fact in ("secretary_is_woman", "director_is_woman"):  # facts of a village or community
                del self.fields[fact]

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
    tags = forms.CharField(
        label=_("background"), required=False, help_text=_("Separate several with commas, e.g. 教师，乡村医生")
    )

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
        fields = list(elections.FIGURE_FIELDS)  # the figures the wizard's first step saves
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

    def __init__(self, *args, regionalization=False, **kwargs):
        super().__init__(*args, **kwargs)
        if regionalization:  # 区域化: where each member is drawn from (the N of "1+1+N")
            self.fields["drawn_from"] = forms.ChoiceField(
                label=_("drawn from"), choices=[("", "—"), *DrawnFrom.choices], required=False
            )

    def clean_id_number(self):
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

    def __init__(self, *args, candidates=(), officers=(), form=Form.FEDERATION, **kwargs):
        super().__init__(*args, **kwargs)
        current = {o.person_id: o for o in officers}
        self.candidates = list(candidates)
        # The titles of the committee this election makes (主任 on a 妇委会): role_title.
        roles = [("", "—"), *[(r, role_title(r, form)) for r in Role.values if r != Role.EXECUTIVE]]
        types = [("", "—"), *ViceChairType.choices]
        for c in self.candidates:
            chosen = current.get(c.person_id)
            self.fields[f"role_{c.person_id}"] = forms.ChoiceField(
                label=c.person.name, choices=roles, required=False, initial=chosen.role if chosen else ""
            )
            self.fields[f"type_{c.person_id}"] = forms.ChoiceField(
                label=_("vice-chair type"),
                choices=types,
                required=False,
                initial=chosen.vice_chair_type if chosen else "",
            )
            if chosen and chosen.role == Role.CHAIR:
                for flag in (
                    "on_party_committee",
                    "on_villagers_committee",
                    "is_party_secretary",
                    "is_village_director",
                ):
                    self.fields[flag].initial = getattr(chosen, flag)

    def rows(self):
        return [(c, self[f"role_{c.person_id}"], self[f"type_{c.person_id}"]) for c in self.candidates]

    def entries(self):
        data = self.cleaned_data
        flags = {
            f: data[f]
            for f in ("on_party_committee", "on_villagers_committee", "is_party_secretary", "is_village_director")
        }
        result = []
        for c in self.candidates:
            role = data.get(f"role_{c.person_id}")
            if role:
                entry = {
                    "person_id": c.person_id,
                    "role": role,
                    "vice_chair_type": data.get(f"type_{c.person_id}") if role == Role.VICE_CHAIR else "",
                }
                result.append({**entry, **(flags if role == Role.CHAIR else {})})
        return result


class AmendmentForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200)
    details = forms.CharField(label=_("correction"), widget=forms.Textarea(attrs={"rows": 3}))


def split_names(text):
    """Names one per line (or separated by commas / 、), as cadres paste them from a list."""
    for sep in ("，", ",", "、", ";", "；"):
        text = text.replace(sep, "\n")
    return [name.strip() for name in text.splitlines() if name.strip()]


class ConversionForm(forms.Form):
    """One village's 会改联 result on a phone: names as lists, the chair's posts, pay and positions."""

    NAME_LISTS = (
        ("vice_chairs_part_time", Role.VICE_CHAIR, ViceChairType.PART_TIME),
        ("vice_chairs_full_time", Role.VICE_CHAIR, ViceChairType.FULL_TIME),
        ("vice_chairs_seconded", Role.VICE_CHAIR, ViceChairType.SECONDED),
        ("standing", Role.STANDING, ""),
        ("executives", Role.EXECUTIVE, ""),
    )

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    held_on = forms.DateField(label=_("Conversion election held on"), widget=DateInput)
    entitled = forms.IntegerField(label=_("entitled to vote"), min_value=1, required=False)
    present = forms.IntegerField(label=_("present"), min_value=0, required=False)
    chair = forms.CharField(label=_("Chair"), max_length=50)
    chair_id_number = forms.CharField(label=_("Chair's ID number"), max_length=18, required=False)
    on_party_committee = forms.BooleanField(label=_("on the village party committee"), required=False)
    on_villagers_committee = forms.BooleanField(label=_("on the villagers' committee"), required=False)
    is_party_secretary = forms.BooleanField(label=_("village party secretary"), required=False)
    is_village_director = forms.BooleanField(label=_("village director"), required=False)
    vice_chairs_part_time = forms.CharField(
        label=_("Part-time vice-chairs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One name per line, or separated by commas."),
    )
    vice_chairs_full_time = forms.CharField(
        label=_("Full-time vice-chairs"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    vice_chairs_seconded = forms.CharField(
        label=_("Seconded vice-chairs"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    standing = forms.CharField(
        label=_("Standing committee members"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    executives = forms.CharField(
        label=_("Other executive members"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Everyone else on the committee; the chair and vice-chairs count too."),
    )
    pay_year = forms.IntegerField(label=_("Pay for the year"), min_value=2000, max_value=2100, required=False)
    chair_pay = forms.DecimalField(
        label=_("chair's annual pay (yuan)"), min_value=0, max_digits=10, decimal_places=2, required=False
    )
    secretary_pay = forms.DecimalField(
        label=_("party secretary's annual pay (yuan)"), min_value=0, max_digits=10, decimal_places=2, required=False
    )
    womens_home = forms.ChoiceField(
        label=_("Women's home"),
        required=False,
        choices=[("", _("None")), ("yes", _("Yes")), ("standardized", _("Yes, standardized"))],
    )
    childrens_home = forms.BooleanField(label=_("Children's home"), required=False)

    def clean_chair_id_number(self):
        value = normalize(self.cleaned_data.get("chair_id_number"))
        if value:
            validate_id_number(value)
        return value

    def to_conversion(self):
        data = self.cleaned_data
        members = [Member(data["chair"].strip(), data["chair_id_number"], Role.CHAIR)]
        for name, role, kind in self.NAME_LISTS:
            members += [Member(n, role=role, vice_chair_type=kind) for n in split_names(data.get(name, ""))]
        return Conversion(
            held_on=data["held_on"],
            members=members,
            entitled=data["entitled"],
            present=data["present"],
            chair_flags={
                f: data[f]
                for f in ("on_party_committee", "on_villagers_committee", "is_party_secretary", "is_village_director")
            },
            pay_year=data["pay_year"],
            chair_pay=data["chair_pay"],
            secretary_pay=data["secretary_pay"],
            womens_home=data["womens_home"],
            childrens_home=data["childrens_home"],
        )

    @classmethod
    def initial_for(cls, village):
        """The form's values from what is recorded now (so editing starts from the current record)."""
        initial = {"version": version_of(village)}
        election = current_election(village)
        if election is None:
            return initial
        initial.update(held_on=election.held_on, entitled=election.entitled, present=election.present)
        lists = {name: [] for name, _r, _k in cls.NAME_LISTS}
        offices = (
            Office.objects.filter(term=election.opened_term)
            .exclude(ended_on=F("started_on"))
            .select_related("person")
            .order_by("pk")
        )
        for office in offices:
            if office.role == Role.CHAIR:
                # The ID number is not shown back (masked for editors): left empty, it stays as recorded.
                initial.update(
                    chair=office.person.name,
                    **{
                        f: getattr(office, f)
                        for f in (
                            "on_party_committee",
                            "on_villagers_committee",
                            "is_party_secretary",
                            "is_village_director",
                        )
                    },
                )
                continue
            for name, role, kind in cls.NAME_LISTS:
                if office.role == role and (role != Role.VICE_CHAIR or office.vice_chair_type == kind):
                    lists[name].append(office.person.name)
        initial.update({name: "\n".join(names) for name, names in lists.items()})
        pay = ChairPay.objects.filter(unit=village).order_by("-year").first()
        if pay:
            initial.update(pay_year=pay.year, chair_pay=pay.chair_annual, secretary_pay=pay.party_secretary_annual)
        positions = {p.kind: p for p in ServicePosition.objects.filter(unit=village, closed_on=None)}
        home = positions.get(ServicePosition.Kind.WOMENS_HOME)
        initial["womens_home"] = "" if home is None else ("standardized" if home.standardized else "yes")
        initial["childrens_home"] = ServicePosition.Kind.CHILDRENS_HOME in positions
        return initial


class CommitteeDutiesForm(forms.Form):
    """执委分工 of a whole committee on one phone screen: per seat, tick its duty areas."""

    def __init__(self, *args, offices, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.offices = list(offices)
        offered = [a for a in areas if a.active]
        for office in self.offices:
            held = list(office.duties.all())  # prefetched
            choices = [*offered, *(a for a in held if not a.active)]
            label = office.person.name + " · " + str(office.get_role_display())
            self.fields[f"office_{office.pk}"] = forms.TypedMultipleChoiceField(
                label=label,
                choices=[(a.pk, a.name) for a in choices],
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "choices"}),
                initial=[a.pk for a in held],
            )
        self.areas = {a.pk: a for a in areas}

    def clean(self):
        if not self.offices:
            raise ValidationError(_("There is no running term: nobody to give duties to."))
        return super().clean()

    def duties(self):
        """{office pk: [DutyArea]} as ticked."""
        return {
            office.pk: [self.areas[pk] for pk in self.cleaned_data[f"office_{office.pk}"]] for office in self.offices
        }


class LeaveForm(forms.Form):
    """能进能出: an executive leaves during the term (the committee page's phone form)."""

    office = forms.ModelChoiceField(label=_("Member"), queryset=Office.objects.none(), empty_label="—")
    ended_on = forms.DateField(label=_("Left on"), widget=DateInput)
    reason = forms.ChoiceField(label=_("reason for leaving"), choices=[("", "—"), *LeaveReason.choices])
    note = forms.CharField(
        label=_("note on leaving"),
        max_length=200,
        required=False,
        help_text=_("Required when the reason is “other”."),
    )

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["office"]
        field.queryset = (  # type: ignore[attr-defined]
            Office.objects.filter(unit=unit, ended_on__isnull=True)
            .select_related("person", "unit")
            .order_by("role", "pk")
        )
        field.label_from_instance = lambda o: f"{o.person.name}（{o.get_role_display()}）"  # type: ignore[attr-defined]


class AppointForm(forms.Form):
    """选聘 / 挂职: a vice-chair appointed by a unit above for a period, without an election."""

    name = forms.CharField(label=_("name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    appointment = forms.ChoiceField(label=_("appointment"), choices=[("", "—"), *Appointment.choices])
    vice_chair_type = forms.ChoiceField(
        label=_("vice-chair type"),
        choices=[
            ("", "—"),
            (ViceChairType.FULL_TIME, ViceChairType.FULL_TIME.label),
            (ViceChairType.PART_TIME, ViceChairType.PART_TIME.label),
        ],
        required=False,
        help_text=_("For a selected vice-chair; a seconded one is recorded as seconded."),
    )
    appointed_by = forms.ModelChoiceField(label=_("appointing unit"), queryset=Unit.objects.none(), empty_label="—")
    started_on = forms.DateField(label=_("started on"), widget=DateInput)
    appointed_until = forms.DateField(label=_("appointed until"), widget=DateInput)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        if not units:
            return
        nearest_first = Case(*[When(pk=u.pk, then=-i) for i, u in enumerate(units)], output_field=IntegerField())
        self.fields["appointed_by"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            pk__in=[u.pk for u in units]
        ).order_by(nearest_first)
        if units:
            self.fields["appointed_by"].initial = units[-1].pk

    def clean_id_number(self):
        value = normalize(self.cleaned_data.get("id_number"))
        if value:
            validate_id_number(value)
        return value
