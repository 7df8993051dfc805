"""Campaigns (破难行动, 百日攻坚): phases whose milestone targets are coverage figures checked
automatically, and key tasks (重点任务) with a responsible unit and a deadline (倒排工期)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from federation.models.bases import UnitOwned, Versioned
from federation.validators import validate_plan_date


class Campaign(UnitOwned):
    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("owner unit")
    )
    starts_on = models.DateField(_("starts on"), validators=[validate_plan_date])
    ends_on = models.DateField(_("ends on"), validators=[validate_plan_date])
    description = models.TextField(_("description"), blank=True)
    # 审核: a unit's figure set is approved only after those of all its children that submit it are.
    approval_children_first = models.BooleanField(_("approve only after all children are approved"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_ends_after_start")
        ]

    def __str__(self):
        return self.name


class Milestone(UnitOwned):
    """A phase's target: a coverage figure to reach by a date ("1/3 of villages converted by 30 June")."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("campaign")
    )
    phase = models.CharField(_("phase"), max_length=50)
    due_on = models.DateField(_("due on"), validators=[validate_plan_date])
    coverage_key = models.CharField(_("coverage figure"), max_length=40)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    description = models.CharField(_("description"), max_length=200, blank=True)

    scope_unit_path = "campaign__unit"

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["campaign", "due_on", "pk"]

    def __str__(self):
        return f"{self.phase}: {self.coverage_key} ≥ {self.target}"


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class KeyTask(UnitOwned, Versioned):
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="key_tasks", verbose_name=_("responsible unit")
    )
    title = models.CharField(_("task"), max_length=200)
    deadline = models.DateField(_("deadline"), validators=[validate_plan_date])
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("key task")
        verbose_name_plural = _("key tasks")
        ordering = ["deadline", "pk"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="key_task_progress_percent")]

    def __str__(self):
        return self.title

    def is_overdue(self, today):
        return self.status != TaskStatus.DONE and self.deadline < today
