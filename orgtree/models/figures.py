from django.db import models
from django.utils.translation import gettext_lazy as _

from federation.models.bases import UnitOwned
from orgtree.choices import Form, Kind
from orgtree.signals import figures_changed

# The unit's own columns copied onto its figures, so that a subtree's figures are one aggregate
# over one table (no join to 665k units): kept by Unit.save(), move_unit() and the bulk loader.
UNIT_COLUMNS = ("kind", "form", "opened_on", "closed_on", "province_id", "city_id", "county_id")


def _ancestor(name):
    return models.ForeignKey(
        "orgtree.Unit",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=name,
    )


def _count():
    # A database default too: the bulk loader inserts rows with the unit columns only.
    return models.PositiveIntegerField(default=0, db_default=0)


class UnitFigures(UnitOwned):
    """A unit's own figures today (its offices, homes, running term), kept by the services that write
    them and refreshed nightly; today's coverage sums these instead of scanning millions of offices.
    Figures as of a past date are computed from the records (orgtree.coverage)."""

    unit = models.OneToOneField("orgtree.Unit", primary_key=True, on_delete=models.CASCADE, related_name="figures")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    form = models.CharField(max_length=20, choices=Form.choices, blank=True)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    province = _ancestor("province")
    city = _ancestor("city")
    county = _ancestor("county")

    chairs = _count()
    vice_chairs = _count()
    vice_chairs_full_time = _count()
    vice_chairs_part_time = _count()
    vice_chairs_seconded = _count()
    executives = _count()
    chairs_in_two_committees = _count()
    women_party_secretaries = _count()
    women_village_directors = _count()
    womens_homes = _count()
    womens_homes_standardized = _count()
    childrens_homes = _count()
    open_term_due_on = models.DateField(null=True, blank=True)
    changed_on = models.DateField()  # the day these figures were last found changed

    class Meta:
        verbose_name = _("unit figures")
        verbose_name_plural = _("unit figures")

    def __str__(self):
        return f"{self.unit_id}: {self.executives}"

    @classmethod
    def follow(cls, units):
        """Copy these units' own columns onto their figures (a row is created where missing)."""
        from django.utils import timezone

        today = timezone.localdate()
        rows = [cls(unit_id=u.pk, changed_on=today, **{c: getattr(u, c) for c in UNIT_COLUMNS}) for u in units]
        cls.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["unit"],
            update_fields=[c.removesuffix("_id") for c in UNIT_COLUMNS],
            batch_size=5000,
        )
        figures_changed.send(sender=cls, unit_ids=[u.pk for u in units])
