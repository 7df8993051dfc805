from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from federation.models.bases import UnitOwned


class ChairPay(UnitOwned):
    """A village/community chair's annual pay beside the party secretary's (standard: at least 1/3).
    Part of the 会改联 record; written only by `orgtree.conversion.record_pay`. Funding's compliance
    reads it."""

    unit = models.ForeignKey("orgtree.Unit", on_delete=models.PROTECT, related_name="chair_pay", verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    chair_annual = models.DecimalField(_("chair's annual pay (yuan)"), max_digits=10, decimal_places=2)
    party_secretary_annual = models.DecimalField(
        _("party secretary's annual pay (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "funding_chairpay"  # funding owned it first; the table and its rows stay
        verbose_name = _("chair's pay")
        verbose_name_plural = _("chairs' pay")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="chairpay_unit_year")]

    def __str__(self):
        return f"{self.unit} {self.year}: {self.chair_annual}"
