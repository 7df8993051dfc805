"""A unit's committee: terms (届), offices held in them, and delayed-renewal approvals."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from federation.models.bases import UnitOwned
from federation.validators import validate_event_date, validate_plan_date
from orgtree.choices import Form


class Role(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    STANDING = "standing", _("Standing committee member")
    EXECUTIVE = "executive", _("Executive member")


# The documents' titles of a committee's heads by its organizational form: a 妇委会 or 妇工委 (and the
# 妇代会 before 会改联) is led by a 主任 and 副主任, a 妇女小组 by a 组长; a 妇联 by a 主席 (Role's labels).
_DIRECTOR = {
    "chair": pgettext_lazy("head of a women's committee", "Director"),
    "vice_chair": pgettext_lazy("head of a women's committee", "Deputy director"),
}
HEAD_TITLES = {
    Form.COMMITTEE: _DIRECTOR,
    Form.WORKING_COMMITTEE: _DIRECTOR,
    Form.CONGRESS: _DIRECTOR,
    Form.GROUP: {
        "chair": pgettext_lazy("head of a women's group", "Group leader"),
        "vice_chair": pgettext_lazy("head of a women's group", "Deputy group leader"),
    },
}


def role_title(role, form):
    """What `role` is called on a committee of organizational `form` (主席 of a 妇联, 主任 of a 妇委会…):
    every page, form, export and API label that shows an office's title asks this."""
    return HEAD_TITLES.get(form, {}).get(role) or Role(role).label


class ViceChairType(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")
    SECONDED = "seconded", _("Seconded")


class DrawnFrom(models.TextChoices):
    """Where a township executive is drawn from (区域化 "1+1+N": the N)."""

    VILLAGE = "village", _("Villages and communities")
    AGENCY = "agency", _("Agencies and institutions")
    ENTERPRISE = "enterprise", _("Enterprises")
    NEW_DOMAIN = "new_domain", _("New domains")
    OTHER = "other", _("Other")


class LeaveReason(models.TextChoices):
    """Why an executive left her office during a term (能进能出)."""

    TRANSFERRED = "transferred", _("Transferred")
    RESIGNED = "resigned", _("Resigned")
    INCOMPETENT = "incompetent", _("Not competent")
    DECEASED = "deceased", _("Deceased")
    PERIOD_ENDED = "period_ended", _("Appointment period ended")
    OTHER = "other", _("Other")


class Appointment(models.TextChoices):
    """How a vice-chair came to office without an election: appointed by a unit above."""

    SELECTED = "selected", _("Selected and appointed")
    SECONDED = "seconded", _("Seconded")


class Term(UnitOwned):
    """第N届: opened by a certified election, due for renewal on due_on, ended by the next one."""

    unit = models.ForeignKey("orgtree.Unit", on_delete=models.PROTECT, related_name="terms", verbose_name=_("unit"))
    number = models.PositiveSmallIntegerField(_("term number"))
    started_on = models.DateField(_("started on"), validators=[validate_event_date])
    due_on = models.DateField(_("renewal due on"), validators=[validate_plan_date])
    # The due date the term opened with (its start plus the term's years): a delayed renewal
    # (TermDelay) moves due_on, never this. terms_overdue counts by it, delayed or not.
    original_due_on = models.DateField(_("originally due on"), validators=[validate_plan_date])
    ended_on = models.DateField(_("ended on"), null=True, blank=True, validators=[validate_event_date])
    election = models.OneToOneField(
        "orgtree.Election",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opened_term",
        verbose_name=_("election"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["unit", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="term_unit_number"),
            models.UniqueConstraint(fields=["unit"], condition=Q(ended_on__isnull=True), name="term_one_open_per_unit"),
        ]
        indexes = [
            models.Index(fields=["due_on"], condition=Q(ended_on__isnull=True), name="term_open_due"),
            # Overdue (terms_overdue, renewals, notices) is read by the original due date.
            models.Index(fields=["original_due_on"], condition=Q(ended_on__isnull=True), name="term_open_original_due"),
            # The rows whose figures moved between two days (coverage as of another day: orgtree.coverage).
            models.Index(fields=["started_on"], name="term_started"),
            models.Index(fields=["ended_on"], condition=Q(ended_on__isnull=False), name="term_ended"),
            models.Index(fields=["due_on"], name="term_due"),
        ]

    def __str__(self):
        return _("%(unit)s, term %(number)s") % {"unit": self.unit, "number": self.number}

    def save(self, *args, **kwargs):
        if self.original_due_on is None:
            self.original_due_on = self.due_on
        super().save(*args, **kwargs)

    def is_overdue(self, today):
        """Overdue for renewal, delayed or not (terms_overdue): past its original due date."""
        return self.ended_on is None and (self.original_due_on or self.due_on) < today


class TermDelay(UnitOwned):
    """延期换届: a renewal postponed with the approval of the party committee and the federation above."""

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="delays", verbose_name=_("term"))
    party_approval = models.CharField(_("approved by the party committee"), max_length=100)
    federation_approval = models.CharField(_("approved by the federation above"), max_length=100)
    approved_on = models.DateField(_("approved on"), validators=[validate_event_date])
    previous_due_on = models.DateField(_("previously due on"), validators=[validate_plan_date])
    new_due_on = models.DateField(_("new due date"), validators=[validate_plan_date])
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_unit_path = "term__unit"

    class Meta:
        verbose_name = _("delayed renewal")
        verbose_name_plural = _("delayed renewals")
        ordering = ["-approved_on"]

    def __str__(self):
        return f"{self.term} → {self.new_due_on}"


CHAIR_POSTS = {"is_party_secretary": "on_party_committee", "is_village_director": "on_villagers_committee"}


def with_committees(flags):
    """A chair's flags with the committees her posts sit on: the party organization's secretary is
    on its committee, the villagers' (residents') committee's director on that committee. Derived,
    never asked (the offices and officer choices are written with it: elections, 会改联)."""
    flags = dict(flags)
    for post, committee in CHAIR_POSTS.items():
        if flags.get(post):
            flags[committee] = True
    return flags


class Office(UnitOwned):
    """A person's seat on a unit's committee for a term. Every seat counts as an executive (执委)."""

    person = models.ForeignKey(
        "orgtree.Person", on_delete=models.PROTECT, related_name="offices", verbose_name=_("person")
    )
    unit = models.ForeignKey("orgtree.Unit", on_delete=models.PROTECT, related_name="offices", verbose_name=_("unit"))
    term = models.ForeignKey(
        Term, null=True, blank=True, on_delete=models.PROTECT, related_name="offices", verbose_name=_("term")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.EXECUTIVE)
    vice_chair_type = models.CharField(_("vice-chair type"), max_length=12, choices=ViceChairType.choices, blank=True)
    started_on = models.DateField(_("started on"), validators=[validate_event_date])
    ended_on = models.DateField(_("ended on"), null=True, blank=True, validators=[validate_event_date])
    # 进两委 and the village posts of the chair (village/community chairs).
    on_party_committee = models.BooleanField(_("on the village party committee"), default=False)
    on_villagers_committee = models.BooleanField(_("on the villagers' committee"), default=False)
    is_party_secretary = models.BooleanField(_("village party secretary"), default=False)
    is_village_director = models.BooleanField(_("village director"), default=False)
    election = models.ForeignKey(
        "orgtree.Election", null=True, blank=True, on_delete=models.PROTECT, related_name="offices"
    )
    # 能进能出: why she left during the term (ended_on set by orgtree.changes.leave_office; a renewal
    # ends every office with no reason).
    end_reason = models.CharField(_("reason for leaving"), max_length=12, choices=LeaveReason.choices, blank=True)
    end_note = models.CharField(_("note on leaving"), max_length=200, blank=True)
    # 选聘 / 挂职: a vice-chair appointed by a unit above for a period, without an election.
    appointment = models.CharField(_("appointment"), max_length=10, choices=Appointment.choices, blank=True)
    appointed_by = models.ForeignKey(
        "orgtree.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointed_offices",
        verbose_name=_("appointing unit"),
    )
    appointed_until = models.DateField(_("appointed until"), null=True, blank=True, validators=[validate_plan_date])
    created_at = models.DateTimeField(auto_now_add=True)
    # 执委分工: set by orgtree.committees.set_duties (history recorded there).
    duties = models.ManyToManyField(
        "orgtree.DutyArea", blank=True, related_name="offices", verbose_name=_("duty areas")
    )

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["unit", "term", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "unit"],
                condition=Q(ended_on__isnull=True),
                name="office_one_open_seat_per_person_and_unit",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "ended_on"], name="office_unit_ended"),
            # The rows whose figures moved between two days (coverage as of another day: orgtree.coverage).
            models.Index(fields=["started_on"], name="office_started"),
            models.Index(fields=["ended_on"], condition=Q(ended_on__isnull=False), name="office_ended"),
        ]

    def __str__(self):
        return f"{self.person} · {self.get_role_display()} · {self.unit}"

    def get_role_display(self):
        """The title as the unit's form has it (主任 on a 妇委会): role_title. Only a head's title reads
        the unit (select it with the offices where many heads are listed)."""
        if self.role in (Role.CHAIR, Role.VICE_CHAIR):
            return role_title(self.role, self.unit.form)
        return Role(self.role).label
