"""调研 / 督战: a unit's cadres visit units below it; a finding may become a problem on the visited unit."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from federation.models.bases import UnitOwned, Versioned
from federation.validators import validate_event_date


class VisitKind(models.TextChoices):
    SURVEY = "survey", _("Survey visit (调研)")
    SUPERVISION = "supervision", _("Supervision visit (督战)")
    FORUM = "forum", _("Forum (座谈)")
    # Events shown as examples to others: 观摩会 / 现场推进会 (the documents' demonstrations).
    OBSERVATION = "observation", _("Observation meeting (观摩会)")
    PROMOTION = "promotion", _("On-site promotion meeting (推进会)")


DEMONSTRATION_KINDS = [VisitKind.OBSERVATION, VisitKind.PROMOTION]


class Visit(UnitOwned, Versioned):
    """`unit` is the visiting unit (the cadres'); `visited` are units strictly below it (下管)."""

    unit = models.ForeignKey(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="visits_made", verbose_name=_("visiting unit")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=VisitKind.choices, default=VisitKind.SURVEY)
    date = models.DateField(_("date"), validators=[validate_event_date])
    visited = models.ManyToManyField("orgtree.Unit", related_name="visits_received", verbose_name=_("units visited"))
    people_met = models.PositiveIntegerField(_("people met"), default=0)
    meetings = models.PositiveIntegerField(_("meetings held"), default=0)
    attendance = models.PositiveIntegerField(_("meeting attendance"), default=0)
    findings = models.TextField(_("findings"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["unit", "date"], name="visit_unit_date")]

    def __str__(self):
        return f"{self.unit} {self.get_kind_display()} {self.date}"

    def get_absolute_url(self):
        return reverse("reform:visit", args=[self.pk])

    @property
    def is_demonstration(self):
        return self.kind in DEMONSTRATION_KINDS


class Pilot(UnitOwned, Versioned):
    """A unit marked as a pilot (试点) for a topic by the level above; `ended_on` closes the marking."""

    unit = models.ForeignKey("orgtree.Unit", on_delete=models.PROTECT, related_name="pilots", verbose_name=_("unit"))
    topic = models.CharField(_("pilot topic"), max_length=100)
    since = models.DateField(_("pilot since"), validators=[validate_event_date])
    ended_on = models.DateField(_("pilot ended on"), null=True, blank=True, validators=[validate_event_date])
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")
        ordering = ["-since", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "topic"], condition=models.Q(ended_on__isnull=True), name="pilot_open_once"
            )
        ]

    def __str__(self):
        return f"{self.unit} {self.topic}"
