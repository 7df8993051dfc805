"""Elections: renewal (换届), conversion (会改联) and by-elections, from draft to certified."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from federation.models.bases import UnitOwned, Versioned
from federation.validators import validate_event_date, validate_plan_date
from orgtree.choices import Form
from orgtree.models.committee import DrawnFrom, Role, ViceChairType, role_title


class Election(UnitOwned, Versioned):
    class Kind(models.TextChoices):
        RENEWAL = "renewal", _("Term renewal")
        CONVERSION = "conversion", _("Conversion to a federation")
        BY_ELECTION = "by_election", _("By-election")
        # 区域化: a township's or street's regionalized founding or renewal ("1+1+N"), whose
        # executives are drawn from villages, agencies, enterprises and new domains.
        REGIONALIZATION = "regionalization", _("Regionalization")

    class Method(models.TextChoices):
        ASSEMBLY = "assembly", _("Women's assembly")
        DELEGATES = "delegates", _("Women's delegates' congress")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        RESULTS = "results", _("Results entered")
        CERTIFIED = "certified", _("Certified")

    unit = models.ForeignKey("orgtree.Unit", on_delete=models.PROTECT, related_name="elections", verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RENEWAL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    scheduled_on = models.DateField(_("scheduled on"), null=True, blank=True, validators=[validate_plan_date])
    held_on = models.DateField(_("held on"), null=True, blank=True, validators=[validate_event_date])
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default=Method.ASSEMBLY)
    entitled = models.PositiveIntegerField(_("entitled to vote"), null=True, blank=True)
    present = models.PositiveIntegerField(_("present"), null=True, blank=True)
    ballots_issued = models.PositiveIntegerField(_("ballots issued"), null=True, blank=True)
    ballots_returned = models.PositiveIntegerField(_("ballots returned"), null=True, blank=True)
    ballots_invalid = models.PositiveIntegerField(_("invalid ballots"), default=0)
    seats = models.PositiveSmallIntegerField(_("executive seats"), null=True, blank=True)
    # False for results recorded from the minutes (e.g. past 会改联 conversions): the listed members
    # were elected and the vote rules cannot be checked, only the date, turnout and officers.
    votes_itemized = models.BooleanField(_("votes itemized"), default=True)
    certified_at = models.DateTimeField(_("certified at"), null=True, blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("certified by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Changes a correction records that are no field of the election (names, roles).
    history_labels = {"removed": _("members removed"), "added": _("members added"), "roles": _("roles changed")}

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["-held_on", "-pk"]
        # The conversions between two days (coverage as of another day: orgtree.coverage).
        indexes = [models.Index(fields=["held_on"], name="election_held")]

    def __str__(self):
        return f"{self.unit} · {self.get_kind_display()} · {self.held_on or self.scheduled_on or ''}"

    @property
    def committee_form(self):
        """The organizational form of the committee it elects: a 会改联 election makes a 妇联."""
        return Form.FEDERATION if self.kind == self.Kind.CONVERSION else self.unit.form

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("orgtree:election_detail", args=[self.pk])

    @property
    def is_certified(self):
        return self.status == self.Status.CERTIFIED


class Candidate(models.Model):
    """A name on the executive ballot, with its approve / disapprove / abstain counts."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(
        "orgtree.Person", on_delete=models.PROTECT, related_name="candidacies", verbose_name=_("person")
    )
    approve = models.PositiveIntegerField(_("approve"), default=0)
    disapprove = models.PositiveIntegerField(_("disapprove"), default=0)
    abstain = models.PositiveIntegerField(_("abstain"), default=0)
    write_in = models.BooleanField(_("write-in"), default=False)
    elected = models.BooleanField(_("elected"), default=False)
    # A regionalization's member: where she is drawn from (blank in other elections).
    drawn_from = models.CharField(_("drawn from"), max_length=12, choices=DrawnFrom.choices, blank=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["-approve", "pk"]
        constraints = [models.UniqueConstraint(fields=["election", "person"], name="candidate_once_per_election")]

    def __str__(self):
        return f"{self.person} ({self.approve})"


class OfficerChoice(models.Model):
    """Chair, vice-chairs and standing members chosen by the new committee at its first meeting."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="officers")
    person = models.ForeignKey("orgtree.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=12, choices=[c for c in Role.choices if c[0] != Role.EXECUTIVE])
    vice_chair_type = models.CharField(_("vice-chair type"), max_length=12, choices=ViceChairType.choices, blank=True)
    on_party_committee = models.BooleanField(_("on the village party committee"), default=False)
    on_villagers_committee = models.BooleanField(_("on the villagers' committee"), default=False)
    is_party_secretary = models.BooleanField(_("village party secretary"), default=False)
    is_village_director = models.BooleanField(_("village director"), default=False)

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        constraints = [models.UniqueConstraint(fields=["election", "person"], name="officer_once_per_election")]

    def __str__(self):
        return f"{self.person} · {self.get_role_display()}"

    def get_role_display(self):
        """The title on the committee this election makes (a 会改联 election makes a 妇联): role_title."""
        return role_title(self.role, self.election.committee_form)


class ElectionAmendment(models.Model):
    """A correction to a certified election: certified results are never edited in place."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="amendments")
    reason = models.CharField(_("reason"), max_length=200)
    changes = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("election amendment")
        verbose_name_plural = _("election amendments")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.election}: {self.reason}"
