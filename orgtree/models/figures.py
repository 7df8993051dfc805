from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitFigures(models.Model):
    """A unit's own figures today (its offices, homes, running term), kept by the services that write
    them and refreshed nightly; today's coverage sums these instead of scanning millions of offices.
    Figures as of a past date are computed from the records (orgtree.coverage)."""

    unit = models.OneToOneField("orgtree.Unit", primary_key=True, on_delete=models.CASCADE, related_name="figures")
    chairs = models.PositiveIntegerField(default=0)
    vice_chairs = models.PositiveIntegerField(default=0)
    vice_chairs_full_time = models.PositiveIntegerField(default=0)
    vice_chairs_part_time = models.PositiveIntegerField(default=0)
    vice_chairs_seconded = models.PositiveIntegerField(default=0)
    executives = models.PositiveIntegerField(default=0)
    chairs_in_two_committees = models.PositiveIntegerField(default=0)
    women_party_secretaries = models.PositiveIntegerField(default=0)
    women_village_directors = models.PositiveIntegerField(default=0)
    womens_homes = models.PositiveIntegerField(default=0)
    womens_homes_standardized = models.PositiveIntegerField(default=0)
    childrens_homes = models.PositiveIntegerField(default=0)
    open_term_due_on = models.DateField(null=True, blank=True)
    refreshed_on = models.DateField()

    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("unit figures")
        verbose_name_plural = _("unit figures")

    def __str__(self):
        return f"{self.unit_id}: {self.executives}"
