"""积分考评: what executives and units do (activities), the points each type of activity is worth (rules
set by a county or above and inherited down), and the yearly evaluation of each executive by the
level that manages her committee. The rules and the ranking: executives/points.py; every write:
executives/activities.py."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from federation.models.bases import UnitOwned, Versioned
from federation.validators import validate_event_date


class ActivityType(models.Model):
    """A kind of activity (宣传宣讲, 走访慰问, …): a configurable list kept by the system administrators.
    A type is retired (inactive), never deleted, so past activities keep it."""

    name = models.CharField(_("name"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


def photo_path(instance, filename):
    # The stored name is ours, never the uploader's: no path tricks, no clashes.
    suffix = filename.rsplit(".", 1)[-1].lower()[:5]
    return f"activities/{instance.unit_id}/{uuid.uuid4().hex}.{suffix}"


class Activity(UnitOwned, Versioned):
    """An activity held by a unit, or by one of its executives (`person`, who holds an office on the
    unit's committee on that day). Corrected, never deleted: a mistaken one is withdrawn and counts
    no points; every write is in history."""

    unit = models.ForeignKey("orgtree.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    person = models.ForeignKey(
        "orgtree.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("executive"),
    )
    activity_type = models.ForeignKey(
        ActivityType, on_delete=models.PROTECT, related_name="+", verbose_name=_("activity type")
    )
    held_on = models.DateField(_("held on"), validators=[validate_event_date])
    place = models.CharField(_("place"), max_length=100, blank=True)
    position = models.ForeignKey(
        "orgtree.ServicePosition",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("service position"),
    )
    participants = models.PositiveIntegerField(_("participants"))
    note = models.TextField(_("note"), blank=True)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    photo = models.FileField(_("photo"), upload_to=photo_path, blank=True)
    photo_name = models.CharField(_("photo file name"), max_length=200, blank=True)
    photo_type = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["unit", "held_on"], name="activity_unit_held"),
            models.Index(fields=["person", "held_on"], condition=Q(person__isnull=False), name="activity_person_held"),
        ]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.activity_type}"

    def get_absolute_url(self):
        return reverse("executives:activity", args=[self.pk])

    @property
    def where(self):
        return str(self.position) if self.position_id else self.place


# Units that may set points rules: a county or above (their subtree inherits them).
RULE_KINDS = ("national", "province", "city", "county")


class PointsRule(UnitOwned, Versioned):
    """The points one activity of `activity_type` earns in the unit's subtree from `from_year` on, until a
    later year replaces it. No points (None) means: inherit from the level above again."""

    unit = models.ForeignKey("orgtree.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    activity_type = models.ForeignKey(
        ActivityType, on_delete=models.PROTECT, related_name="+", verbose_name=_("activity type")
    )
    from_year = models.PositiveSmallIntegerField(_("from year"))
    points = models.PositiveSmallIntegerField(_("points"), null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["unit", "-from_year", "activity_type"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "activity_type", "from_year"], name="pointsrule_unit_type_year")
        ]

    def __str__(self):
        return f"{self.unit} · {self.activity_type} · {self.from_year}"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    COMPETENT = "competent", _("Competent")
    BASICALLY_COMPETENT = "basic", _("Basically competent")
    INCOMPETENT = "incompetent", _("Incompetent")


class Evaluation(UnitOwned, Versioned):
    """The yearly evaluation (优秀 / 称职 / 基本称职 / 不称职) of an executive of `unit`'s committee, recorded
    by the level that manages that committee (the editors of the unit's parent). One per executive,
    committee and year; a change is recorded in history."""

    unit = models.ForeignKey("orgtree.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("committee"))
    person = models.ForeignKey(
        "orgtree.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("executive")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    evaluated_by = models.ForeignKey(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("evaluated by")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-year", "unit", "person"]
        constraints = [models.UniqueConstraint(fields=["unit", "person", "year"], name="evaluation_one_per_year")]

    def __str__(self):
        return f"{self.person} · {self.year} · {self.get_grade_display()}"
