"""Compliance stored per unit and year (funding.results keeps it), so that pages count it with a few SQL
aggregates instead of measuring every unit of a subtree in the request."""

from django.db import models


def _status():
    # "": the standard is not measured at this unit (it does not apply, or nobody set it).
    return models.CharField(max_length=7, blank=True, default="")  # met, missed, unknown


def _value(decimal_places=2):
    return models.DecimalField(max_digits=16, decimal_places=decimal_places, null=True, blank=True)


def _ancestor():
    # Copies of the unit's columns (a township: the village's parent), so that a subtree's results are
    # read from this table alone, by index; no database constraint (rewritten with every result).
    return models.ForeignKey(
        "orgtree.Unit",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )


class UnitCompliance(models.Model):
    """One open unit's result against each funding standard in one year, as funding.compliance measures
    it, with the measured value; a unit measured against no standard, or closed, has no row. Derived
    data: kept by the writes that change it and recomputed nightly (funding.results), never written by
    hand. It carries the unit's ancestors, so a subtree's rows are found without the unit table."""

    unit = models.ForeignKey(
        "orgtree.Unit", on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )  # found by (year, unit)
    year = models.PositiveSmallIntegerField()
    province = _ancestor()
    city = _ancestor()
    county = _ancestor()
    township = _ancestor()  # villages and communities: their township or street (not indexed: read by county)
    per_woman = _status()
    per_woman_value = _value()  # yuan per woman
    township_funds = _status()
    township_funds_value = _value()  # yuan
    village_funds_in_budget = _status()
    village_funds_in_budget_value = _value()  # yuan
    chair_pay = _status()
    chair_pay_value = _value(4)  # chair's pay / the party secretary's

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "unit"], name="unitcompliance_year_unit")]
        indexes = [
            models.Index(fields=["year", "province"], name="unitcompliance_year_province"),
            models.Index(fields=["year", "city"], name="unitcompliance_year_city"),
            models.Index(fields=["year", "county"], name="unitcompliance_year_county"),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.year}"


class StaleCompliance(models.Model):
    """The stored results of `unit`'s subtree (everything: no unit) from `year` on are being recomputed
    by a background task; until it is done, reads that meet that subtree measure compliance in the
    request instead."""

    unit = models.ForeignKey("orgtree.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.unit_id or '*'} {self.year}"
