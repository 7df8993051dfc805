from django.db import models
from django.utils.translation import gettext_lazy as _

from federation.models.bases import UnitOwned
from orgtree.choices import ANCESTOR_COLUMNS, Form, Kind
from orgtree.signals import figures_changed

# The unit's own columns copied onto its figures, so that a subtree's figures are one aggregate
# over one table (no join to 665k units): kept by Unit.save(), move_unit() and the bulk loader.
UNIT_COLUMNS = (
    "kind",
    "form",
    "opened_on",
    "closed_on",
    "province_id",
    "city_id",
    "county_id",
    "secretary_is_woman",
    "director_is_woman",
)


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
    # The village facts (Unit): women_party_secretaries and women_village_directors count them.
    secretary_is_woman = models.BooleanField(default=False, db_default=False)
    director_is_woman = models.BooleanField(default=False, db_default=False)

    chairs = _count()
    vice_chairs = _count()
    vice_chairs_full_time = _count()
    vice_chairs_part_time = _count()
    vice_chairs_seconded = _count()
    vice_chairs_appointed_selected = _count()
    vice_chairs_appointed_seconded = _count()
    executives = _count()
    chairs_in_two_committees = _count()
    chairs_party_secretary = _count()
    chairs_village_director = _count()
    womens_homes = _count()
    womens_homes_standardized = _count()
    childrens_homes = _count()
    open_term_due_on = models.DateField(null=True, blank=True)
    # The day of the unit's first certified regionalization (区域化) election, if any
    # (townships_regionalized is counted over the stored rows by it).
    regionalized_on = models.DateField(null=True, blank=True)
    # The running term's due date before any delay (Term.original_due_on), and whether a delay of it
    # was approved by the day: terms_overdue, terms_delayed and counties_overdue read them.
    open_term_original_due_on = models.DateField(null=True, blank=True)
    open_term_delayed = models.BooleanField(default=False, db_default=False)
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

        # orgtree.coverage imports the models (this one included): its group sums are reached here.
        from orgtree.coverage import following

        today = timezone.localdate()
        rows = [cls(unit_id=u.pk, changed_on=today, **{c: getattr(u, c) for c in UNIT_COLUMNS}) for u in units]
        with following([u.pk for u in units]) as groups:
            cls.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["unit"],
                update_fields=[c.removesuffix("_id") for c in UNIT_COLUMNS],
                batch_size=5000,
            )
            # A county, city or province anchors its group, which carries its ancestor columns.
            groups.moved(u.pk for u in units if u.kind in ANCESTOR_COLUMNS)
        figures_changed.send(sender=cls, unit_ids=[u.pk for u in units])


def _sum():
    # Not positive: a sum is changed by adding a difference (F("chairs") + delta); the consistency
    # tests, not a constraint that would refuse a user's write, catch a wrong difference.
    return models.IntegerField(default=0)


class GroupFigures(models.Model):
    """The sums of the stored figures (UnitFigures) of one group of units, kept in the same
    transaction as the units' own figures (orgtree.coverage: differences, never recounts), so that
    today's figures of a county, city, province or the country read a few rows, not 60,000.

    A group is named by its anchor: a county holds itself and everything beneath it; a city the
    units under it outside any county (its agencies, their women's groups) and itself; a province
    likewise; a unit with no ancestor column (the national federation, its agencies) is its own
    anchor. The ancestor columns are the anchor's own (UnitFigures'), so Unit.subtree_q() selects
    the groups of a subtree as it selects units. A column per summed figure (FIGURES.sums)."""

    anchor = models.OneToOneField(
        "orgtree.Unit", primary_key=True, on_delete=models.CASCADE, related_name="group_figures"
    )
    province = _ancestor("province")
    city = _ancestor("city")
    county = _ancestor("county")

    villages_total = _sum()
    villages_converted = _sum()
    rural_villages_total = _sum()
    rural_villages_converted = _sum()
    communities_total = _sum()
    communities_converted = _sum()
    chairs = _sum()
    vice_chairs_full_time = _sum()
    vice_chairs_part_time = _sum()
    vice_chairs_seconded = _sum()
    vice_chairs_appointed_selected = _sum()
    vice_chairs_appointed_seconded = _sum()
    executives = _sum()
    chairs_in_two_committees = _sum()
    chairs_party_secretary = _sum()
    chairs_village_director = _sum()
    women_party_secretaries = _sum()
    women_village_directors = _sum()
    townships_total = _sum()
    townships_regionalized = _sum()
    township_chairs = _sum()
    township_vice_chairs_full_time = _sum()
    township_vice_chairs_part_time = _sum()
    township_vice_chairs_seconded = _sum()
    township_executives = _sum()
    agency_committees = _sum()
    enterprise_committees = _sum()
    social_org_committees = _sum()
    new_domain_committees = _sum()
    women_groups = _sum()
    womens_homes = _sum()
    womens_homes_standardized = _sum()
    childrens_homes = _sum()
    terms_overdue = _sum()
    terms_delayed = _sum()
    counties_overdue = _sum()

    class Meta:
        verbose_name = _("group figures")
        verbose_name_plural = _("group figures")
        indexes = [
            models.Index(fields=["province"], name="groupfigures_province"),
            models.Index(fields=["city"], name="groupfigures_city"),
        ]

    def __str__(self):
        return f"{self.anchor_id}: {self.executives}"


class GroupFiguresDay(models.Model):
    """One row: the day the group sums are counted for (None: not counted yet). Figures that move
    with the date alone (a unit's opening or closing date arriving, a term falling overdue) are
    counted afresh after midnight; until then today's figures are read from the units' rows."""

    day = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("day of the group figures")
        verbose_name_plural = _("day of the group figures")

    def __str__(self):
        return str(self.day)
