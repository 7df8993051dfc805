"""报送: a unit sets a reporting plan (报送要求) for its subtree; each unit of the submitting kind
submits one report (报表) per period, which the level above accepts or returns (reform/reports.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from federation.models.bases import UnitOwned, Versioned
from federation.validators import validate_plan_date
from orgtree.choices import Kind


def default_due_days():
    """BANYAN["REPORT_DUE_DAYS"]: a report is on time when first submitted within so many days after
    its period's end (3 by default)."""
    return int(settings.BANYAN.get("REPORT_DUE_DAYS", 3))


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly (Monday to Sunday)")
    MONTHLY = "monthly", _("Monthly (calendar month)")
    HALF_YEARLY = "half_yearly", _("Half-yearly (January–June, July–December)")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting review")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")


class ReportPlan(UnitOwned, Versioned):
    """What `unit`'s subtree reports: the units of `submitting_kind` report every period of
    `cadence` from `starts_on` (to `ends_on`, if any), within `due_days` of each period's end."""

    unit = models.ForeignKey(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="report_plans", verbose_name=_("setting unit")
    )
    campaign = models.ForeignKey(
        "reform.Campaign",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_plans",
        verbose_name=_("campaign"),
    )
    name = models.CharField(_("name"), max_length=100)
    cadence = models.CharField(_("cadence"), max_length=12, choices=Cadence.choices, default=Cadence.WEEKLY)
    submitting_kind = models.CharField(_("submitting level"), max_length=20, choices=Kind.choices, default=Kind.COUNTY)
    starts_on = models.DateField(_("starts on"), validators=[validate_plan_date])
    ends_on = models.DateField(_("ends on"), null=True, blank=True, validators=[validate_plan_date])
    due_days = models.PositiveSmallIntegerField(_("days to submit after the period"), default=default_due_days)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reporting plan")
        verbose_name_plural = _("reporting plans")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="report_plan_dates"
            ),
            models.CheckConstraint(condition=Q(due_days__lte=366), name="report_plan_due_days"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reform:report_plan", args=[self.unit_id, self.pk])


class Report(UnitOwned, Versioned):
    """One unit's report for one period of a plan: figures filled from the stored figures at the
    period's end (frozen at submission), their change since the previous period, and the analysis."""

    plan = models.ForeignKey(ReportPlan, on_delete=models.PROTECT, related_name="reports", verbose_name=_("plan"))
    unit = models.ForeignKey(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="reports", verbose_name=_("submitting unit")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    change = models.JSONField(_("change since the previous period"), default=dict, blank=True)
    progress = models.TextField(_("progress (进展)"), blank=True)
    problems = models.TextField(_("problems (问题)"), blank=True)
    next_steps = models.TextField(_("next steps (下步打算)"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ReportState.choices, default=ReportState.DRAFT)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("review comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_end", "unit__code", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit", "period_end"], name="report_once_per_period"),
        ]
        indexes = [models.Index(fields=["plan", "period_end"], name="report_plan_period")]

    def __str__(self):
        return f"{self.unit} {self.plan} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("reform:report", args=[self.unit_id, self.plan_id, self.period_end.isoformat()])
