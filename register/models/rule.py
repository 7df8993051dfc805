"""The rule by which an organization of the register should build a women's organization, set by a county or a
level above for everything beneath it (the nearest rule above an organization applies; without one, the
defaults below). 包建 is suggested by size with the rule's two thresholds."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from federation.models.bases import UnitOwned, Versioned

DEFAULT_MIN_WOMEN = 10
DEFAULT_CHAIR_PATRON_FROM = 100
DEFAULT_VICE_PATRON_FROM = 30
RULE_KINDS = ("national", "province", "city", "county")


class BuildRule(UnitOwned, Versioned):
    unit = models.OneToOneField(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="build_rule", verbose_name=_("unit")
    )
    party_org = models.BooleanField(
        _("an organization with a party organization should build"),
        default=True,
        help_text=_("Where a party organization is built, a women's organization follows."),
    )
    min_women = models.PositiveIntegerField(
        _("an organization with at least this many women should build"),
        null=True,
        blank=True,
        default=DEFAULT_MIN_WOMEN,
        validators=[MinValueValidator(1)],
        help_text=_("Left empty, the number of women does not decide."),
    )
    chair_patron_from = models.PositiveIntegerField(
        _("the county federation's chair is responsible from (people)"),
        default=DEFAULT_CHAIR_PATRON_FROM,
        validators=[MinValueValidator(1)],
    )
    vice_patron_from = models.PositiveIntegerField(
        _("a vice-chair or the township chair is responsible from (people)"),
        default=DEFAULT_VICE_PATRON_FROM,
        validators=[MinValueValidator(1)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("build rule")
        verbose_name_plural = _("build rules")

    def __str__(self):
        return str(self.unit)
