"""Funding standards (data, not constants: they vary by region and year) and the women population
the per-woman standard is measured against."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from federation.models.bases import UnitOwned


class FundingStandard(UnitOwned):
    """The standards a unit sets for its subtree from `year` on, until a later year replaces them.
    Each is optional: a unit without one inherits the nearest ancestor's (funding.compliance)."""

    unit = models.ForeignKey(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="funding_standards", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("from year"))
    # Measured against the 妇女儿童民生项目经费 budgeted (funding.compliance), not the work funds.
    per_woman = models.DecimalField(
        _("livelihood project funds per woman (yuan/year)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    township_funds = models.DecimalField(
        _("township work funds (yuan/year)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    village_funds_in_budget = models.BooleanField(
        _("village work funds in the village operations budget"),
        null=True,
        blank=True,
        help_text=_("Yes: every village and community must have work funds in its operations budget."),
    )
    chair_pay_ratio = models.DecimalField(
        _("chair's pay, at least this share of the party secretary's"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("For example 0.3333 for one third."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    FIELDS = ("per_woman", "township_funds", "village_funds_in_budget", "chair_pay_ratio")

    class Meta:
        verbose_name = _("funding standard")
        verbose_name_plural = _("funding standards")
        ordering = ["unit", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="fundingstandard_unit_year"),
            models.CheckConstraint(
                condition=Q(chair_pay_ratio__isnull=True) | Q(chair_pay_ratio__lte=1),
                name="fundingstandard_ratio_at_most_one",
            ),
        ]

    def __str__(self):
        return f"{self.unit} {self.year}"


class WomenPopulation(UnitOwned):
    unit = models.ForeignKey(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="women_population", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    women = models.PositiveIntegerField(_("women"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("women population")
        verbose_name_plural = _("women population")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="womenpopulation_unit_year")]

    def __str__(self):
        return f"{self.unit} {self.year}: {self.women}"
