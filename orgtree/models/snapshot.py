from django.db import models
from django.utils.translation import gettext_lazy as _

from federation.models.bases import UnitOwned


class CoverageSnapshot(UnitOwned):
    """A unit's coverage figures as of a Monday (周报): the trend line and week-over-week table."""

    unit = models.ForeignKey("orgtree.Unit", on_delete=models.PROTECT, related_name="snapshots", verbose_name=_("unit"))
    week = models.DateField(_("week (Monday)"))
    figures = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("coverage snapshot")
        verbose_name_plural = _("coverage snapshots")
        ordering = ["unit", "-week"]
        constraints = [models.UniqueConstraint(fields=["unit", "week"], name="snapshot_unit_week")]

    def __str__(self):
        return f"{self.unit} {self.week}"
