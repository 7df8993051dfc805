"""问题清单: problems found in audits, chased to their rectification deadline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from federation.models.bases import UnitOwned, Versioned
from federation.validators import validate_event_date, validate_plan_date
from reform.models.checklist import Area


class ProblemStatus(models.TextChoices):
    # Not rectified yet: 未整改 in the documents (存续, the word for an open unit, is not a problem's).
    OPEN = "open", pgettext_lazy("problem status", "Open")
    RECTIFYING = "rectifying", _("Rectifying")
    RESOLVED = "resolved", _("Resolved")
    VERIFIED = "verified", _("Verified")


UNRESOLVED = [ProblemStatus.OPEN, ProblemStatus.RECTIFYING]


class Problem(UnitOwned, Versioned):
    unit = models.ForeignKey("orgtree.Unit", on_delete=models.PROTECT, related_name="problems", verbose_name=_("unit"))
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    description = models.TextField(_("problem"))
    found_on = models.DateField(_("found on"), validators=[validate_event_date])
    deadline = models.DateField(_("rectify by"), validators=[validate_plan_date])
    responsible = models.CharField(_("responsible person"), max_length=50)
    status = models.CharField(_("status"), max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.OPEN)
    rectification = models.TextField(_("rectification"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True, validators=[validate_event_date])
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_on = models.DateField(_("verified on"), null=True, blank=True, validators=[validate_event_date])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The visit (调研 / 督战) whose finding this problem was made from, if any.
    visit = models.ForeignKey(
        "reform.Visit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("visit"),
    )

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["deadline"], condition=Q(status__in=UNRESOLVED), name="problem_unresolved")]

    def __str__(self):
        return self.description[:40]

    def get_absolute_url(self):
        return reverse("reform:problem", args=[self.pk])

    def is_overdue(self, today):
        return self.status in UNRESOLVED and self.deadline < today
