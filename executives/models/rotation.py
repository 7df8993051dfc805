"""轮值主席: a committee's rotating chair, one executive per month ("每月轮换一次")."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from federation.models.bases import UnitOwned, Versioned
from federation.validators import validate_plan_date


class RotationSetting(UnitOwned, Versioned):
    """Whether a unit keeps a rotating chair, where it differs from the default (township and street
    federations keep one; any other unit may enable it, and a township may switch it off)."""

    unit = models.OneToOneField(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="rotation_setting", verbose_name=_("unit")
    )
    enabled = models.BooleanField(_("rotating chair in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rotating chair setting")
        verbose_name_plural = _("rotating chair settings")

    def __str__(self):
        return str(self.unit)


class RotationMonth(UnitOwned, Versioned):
    """The executive who chairs `unit`'s federation for `month` (the first day of that month)."""

    unit = models.ForeignKey(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="rotation_months", verbose_name=_("unit")
    )
    month = models.DateField(_("month"), validators=[validate_plan_date])
    office = models.ForeignKey(
        "orgtree.Office", on_delete=models.PROTECT, related_name="rotation_months", verbose_name=_("rotating chair")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rotating chair month")
        verbose_name_plural = _("rotating chair months")
        ordering = ["unit", "month"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="rotation_one_chair_per_unit_and_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="rotation_month_is_its_first_day"),
        ]

    def __str__(self):
        return f"{self.unit} · {self.month:%Y-%m}"
