"""审核与锁定: a unit submits a figure set (federation.locks: 会改联结果, …) for a campaign phase; the level
above approves it (then the set is locked for the unit's subtree) or returns it; an unlock is requested
with a reason and granted (or refused) by the level above."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from federation import locks
from federation.models.bases import UnitOwned, Versioned


class ApprovalState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted for approval")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved and locked")
    UNLOCK_REQUESTED = "unlock_requested", _("Unlock requested")
    UNLOCKED = "unlocked", _("Unlocked")


# The states in which an approval locks its set (an unlock requested and not yet granted still locks).
LOCKING = [ApprovalState.APPROVED, ApprovalState.UNLOCK_REQUESTED]


def validate_set_name(value):
    if value not in {s.name for s in locks.approvable_sets()}:
        raise ValidationError(_("No such figure set to approve."), code="invalid")


class Approval(UnitOwned, Versioned):
    """One unit's submission of one figure set for one campaign phase (or none): one row, taken through
    submitted → approved / returned, returned → submitted, approved → unlock_requested → unlocked (or
    back to approved when refused), unlocked → submitted again."""

    unit = models.ForeignKey("orgtree.Unit", on_delete=models.PROTECT, related_name="approvals", verbose_name=_("unit"))
    set_name = models.CharField(_("figure set"), max_length=40, validators=[validate_set_name])
    campaign = models.ForeignKey(
        "reform.Campaign",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approvals",
        verbose_name=_("campaign"),
    )
    phase = models.CharField(_("phase"), max_length=50, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=ApprovalState.choices, default=ApprovalState.SUBMITTED)
    figures = models.JSONField(_("figures approved"), default=dict, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # The unit whose cadre decided (the level above): named by the lock message.
    decided_unit = models.ForeignKey(
        "orgtree.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    unlock_reason = models.CharField(_("unlock reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "set_name", "campaign", "phase"],
                condition=Q(campaign__isnull=False),
                name="approval_once_per_phase",
            ),
            models.UniqueConstraint(
                fields=["unit", "set_name", "phase"], condition=Q(campaign__isnull=True), name="approval_once_without"
            ),
        ]
        indexes = [models.Index(fields=["set_name", "unit"], condition=Q(state__in=LOCKING), name="approval_locking")]

    def __str__(self):
        name = locks.approvable_set(self.set_name).label if self.set_name in dict(locks.choices()) else self.set_name
        return f"{self.unit} {name} {self.phase}".strip()

    def get_absolute_url(self):
        return reverse("reform:approvals", args=[self.unit_id])

    @property
    def set_label(self):
        return dict(locks.choices()).get(self.set_name, self.set_name)

    @property
    def is_locking(self):
        return self.state in LOCKING
