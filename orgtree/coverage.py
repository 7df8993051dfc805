"""Coverage figures of a subtree (破难行动 dashboards): one definition per key, used by the API,
the dashboard page and exports. Open units only; `as_of` answers for any past date from the
recorded dates (opened/closed, office start/end, conversion election dates, term dates).

Committee figures (chairs … women_village_directors) are those of village and community
committees, the grassroots figures published reports give (开江县: 227 chairs, 2,065 执委).
"""

import datetime
from collections.abc import Callable
from typing import NamedTuple

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from federation.figures import COUNT, PEOPLE, PERCENT, Figure, FigureSet
from orgtree.choices import GRASSROOTS_KINDS, Form, Kind
from orgtree.models import CoverageSnapshot, Election, Office, Role, Term, Unit, UnitFigures, ViceChairType
from orgtree.models.figures import UNIT_COLUMNS
from orgtree.models.position import ServicePosition
from orgtree.rollups import Base, aggregates, figures_by_child, figures_total
from orgtree.signals import figures_changed

GRASSROOTS = Q(kind__in=GRASSROOTS_KINDS)
TOWNSHIPS = Q(kind__in=[Kind.TOWNSHIP, Kind.STREET])
CHAIR, VICE = Q(role=Role.CHAIR), Q(role=Role.VICE_CHAIR)
REGIONALIZED = {"vice_chairs": 3, "executives": 25}


def alive(day, path=""):
    """Units open on `day`."""
    return (Q(**{f"{path}opened_on__isnull": True}) | Q(**{f"{path}opened_on__lte": day})) & (
        Q(**{f"{path}closed_on__isnull": True}) | Q(**{f"{path}closed_on__gt": day})
    )


def holding(day):
    """Offices held on `day` (a void office, ended the day it started, never is)."""
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def converted_on(day):
    """villages_converted from the records: a federation with a certified conversion on or before
    the day, or one without any recorded conversion (loaded as a federation) — but not one
    converted after the day. (Stored: the unit's form today.)"""
    converted = Election.objects.filter(
        unit=OuterRef("pk"), kind=Election.Kind.CONVERSION, status=Election.Status.CERTIFIED, held_on__lte=day
    )
    later_conversion = Election.objects.filter(
        unit=OuterRef("pk"), kind=Election.Kind.CONVERSION, status=Election.Status.CERTIFIED, held_on__gt=day
    )
    return GRASSROOTS & (Q(Exists(converted)) | (Q(form=Form.FEDERATION) & ~Q(Exists(later_conversion))))


def regionalized_on(day):
    """townships_regionalized from the records: the township's offices held on the day counted in
    subqueries, by the conditions of vice_chairs and executives. Conditions, not annotations: an
    annotation would join the GROUP BY of the per-child rollup. (Stored: its stored counts.)"""
    held = Office.objects.filter(holding(day), unit=OuterRef("pk"))

    def offices(where):
        rows = held if where is None else held.filter(where)
        counted = rows.order_by().values("unit").annotate(n=Count("pk")).values("n")[:1]
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    return (
        TOWNSHIPS
        & Q(GreaterThanOrEqual(offices(VICE), REGIONALIZED["vice_chairs"]))
        & Q(GreaterThanOrEqual(offices(None), REGIONALIZED["executives"]))
    )


# Each key once: label, definition (the API docs and the dashboard legend), unit of measure, how it
# is counted (Figure.counted names a source of SOURCES below), the UnitFigures column it is stored
# in, and its rollup. The committee figures are counted from the offices of villages and
# communities; each unit's own counts, any kind, are stored (townships_regionalized reads them).
FIGURES = FigureSet(
    "coverage",
    [
        Figure(
            "villages_total",
            _("Villages/communities"),
            _("Open villages and communities."),
            COUNT,
            counted="units",
            where=GRASSROOTS,
        ),
        Figure(
            "villages_converted",
            _("Converted"),
            _("Villages and communities whose women's congress has become a federation (会改联)."),
            COUNT,
            counted="units",
            where=converted_on,
            where_stored=GRASSROOTS & Q(form=Form.FEDERATION),
        ),
        Figure(
            "conversion_rate",
            _("Conversion %"),
            _("villages_converted / villages_total, in percent."),
            PERCENT,
            rate=("villages_converted", "villages_total"),
        ),
        Figure(
            "chairs",
            _("Chairs"),
            _("Chairs of village and community committees."),
            PEOPLE,
            counted="offices",
            where=CHAIR,
            stored="chairs",
        ),
        # Not shown: stored for townships_regionalized (its label and help are never displayed).
        Figure(
            "vice_chairs",
            "Vice-chairs",
            "Vice-chairs of the unit, any kind of vice-chair.",
            PEOPLE,
            counted="offices",
            where=VICE,
            stored="vice_chairs",
            shown=False,
        ),
        Figure(
            "vice_chairs_full_time",
            _("Full-time vice-chairs"),
            _("Full-time vice-chairs of village and community committees."),
            PEOPLE,
            counted="offices",
            where=VICE & Q(vice_chair_type=ViceChairType.FULL_TIME),
            stored="vice_chairs_full_time",
        ),
        Figure(
            "vice_chairs_part_time",
            _("Part-time vice-chairs"),
            _("Part-time vice-chairs of village and community committees."),
            PEOPLE,
            counted="offices",
            where=VICE & Q(vice_chair_type=ViceChairType.PART_TIME),
            stored="vice_chairs_part_time",
        ),
        Figure(
            "vice_chairs_seconded",
            _("Seconded vice-chairs"),
            _("Seconded vice-chairs of village and community committees."),
            PEOPLE,
            counted="offices",
            where=VICE & Q(vice_chair_type=ViceChairType.SECONDED),
            stored="vice_chairs_seconded",
        ),
        Figure(
            "executives",
            _("Executives"),
            _("Members of village and community committees (chairs and vice-chairs included)."),
            PEOPLE,
            counted="offices",
            stored="executives",
        ),
        Figure(
            "chairs_in_two_committees",
            _("Chairs in two committees"),
            _("Village and community chairs on the party committee or the villagers' committee."),
            PEOPLE,
            counted="offices",
            where=CHAIR & (Q(on_party_committee=True) | Q(on_villagers_committee=True)),
            stored="chairs_in_two_committees",
        ),
        Figure(
            "chairs_in_two_committees_rate",
            _("Two committees %"),
            _("chairs_in_two_committees / chairs, in percent."),
            PERCENT,
            rate=("chairs_in_two_committees", "chairs"),
        ),
        Figure(
            "women_party_secretaries",
            _("Women party secretaries"),
            _("Village and community chairs who are also party secretary."),
            PEOPLE,
            counted="offices",
            where=CHAIR & Q(is_party_secretary=True),
            stored="women_party_secretaries",
        ),
        Figure(
            "women_village_directors",
            _("Women village directors"),
            _("Village and community chairs who are also village (residents') director."),
            PEOPLE,
            counted="offices",
            where=CHAIR & Q(is_village_director=True),
            stored="women_village_directors",
        ),
        Figure(
            "townships_total",
            _("Townships/streets"),
            _("Open townships and streets."),
            COUNT,
            counted="units",
            where=TOWNSHIPS,
        ),
        Figure(
            "townships_regionalized",
            _("Regionalized townships"),
            _("Townships and streets with at least 3 vice-chairs and 25 executives."),
            COUNT,
            counted="units",
            where=regionalized_on,
            where_stored=TOWNSHIPS
            & Q(vice_chairs__gte=REGIONALIZED["vice_chairs"], executives__gte=REGIONALIZED["executives"]),
        ),
        Figure(
            "agency_committees",
            _("Agency committees"),
            _("Open agency women's committees."),
            COUNT,
            counted="units",
            where=Q(kind=Kind.AGENCY),
        ),
        Figure(
            "enterprise_committees",
            _("Enterprise committees"),
            _("Open enterprise women's committees."),
            COUNT,
            counted="units",
            where=Q(kind=Kind.ENTERPRISE),
        ),
        Figure(
            "social_org_committees",
            _("Social organization committees"),
            _("Open social organization women's committees."),
            COUNT,
            counted="units",
            where=Q(kind=Kind.SOCIAL_ORG),
        ),
        Figure(
            "new_domain_committees",
            _("New-domain federations"),
            _("Open new-domain federations."),
            COUNT,
            counted="units",
            where=Q(kind=Kind.NEW_DOMAIN),
        ),
        Figure(
            "women_groups",
            _("Women's groups"),
            _("Open women's groups."),
            COUNT,
            counted="units",
            where=Q(kind=Kind.WOMEN_GROUP),
        ),
        Figure(
            "womens_homes",
            _("Women's homes"),
            _("Open women's homes."),
            COUNT,
            counted="positions",
            where=Q(kind=ServicePosition.Kind.WOMENS_HOME),
            stored="womens_homes",
        ),
        Figure(
            "womens_homes_standardized",
            _("Standardized women's homes"),
            _("Open women's homes that are standardized."),
            COUNT,
            counted="positions",
            where=Q(kind=ServicePosition.Kind.WOMENS_HOME, standardized=True),
            stored="womens_homes_standardized",
        ),
        Figure(
            "childrens_homes",
            _("Children's homes"),
            _("Open children's homes."),
            COUNT,
            counted="positions",
            where=Q(kind=ServicePosition.Kind.CHILDRENS_HOME),
            stored="childrens_homes",
        ),
        Figure(
            "terms_overdue",
            _("Overdue renewals"),
            _("Running terms whose renewal date has passed."),
            COUNT,
            counted="overdue_terms",
            # Stored: the due date of the unit's running term (UnitFigures.open_term_due_on).
            where_stored=lambda day: Q(open_term_due_on__lt=day),
        ),
    ],
)


class Source(NamedTuple):
    """Rows figures are counted from (Figure.counted): `records(day)` the rows on a day, `path` from
    them to their unit, and `stored_of` the units whose stored counts add up to a figure stored
    per unit (None: every unit's)."""

    records: Callable[[datetime.date], QuerySet]
    path: str
    stored_of: Q | None = None


def _units(day):
    return Unit.objects.filter(alive(day))


def _offices(day):
    # Committee figures are those of villages and communities.
    return Office.objects.filter(holding(day), alive(day, "unit__"), unit__kind__in=GRASSROOTS_KINDS)


def _positions(day):
    return ServicePosition.objects.filter(
        alive(day, "unit__"),
        (Q(opened_on__isnull=True) | Q(opened_on__lte=day)) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day)),
    )


def _overdue_terms(day):
    # The overdue condition is the rows' own: a WHERE, which the partial index on open terms serves.
    return Term.objects.filter(alive(day, "unit__"), started_on__lte=day, due_on__lt=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day)
    )


SOURCES = {
    "units": Source(_units, ""),
    "offices": Source(_offices, "unit__", stored_of=GRASSROOTS),
    "positions": Source(_positions, "unit__"),
    "overdue_terms": Source(_overdue_terms, "unit__"),
}


def _bases(day):
    """Figures on `day` computed from the records: one statement per source (four)."""
    return [Base(source.records(day), source.path, FIGURES.measures(name, day)) for name, source in SOURCES.items()]


def coverage(unit, as_of=None, from_records=False):
    """Every figure over `unit`'s subtree as of a date (today by default: from the stored figures,
    unless `from_records`)."""
    day = as_of or timezone.localdate()
    return figures_total(unit, _bases(day) if from_records else bases_for(day), FIGURES)


def coverage_by_child(unit, as_of=None):
    """[(child, figures)] for the children open on the day; the number of queries is fixed."""
    day = as_of or timezone.localdate()
    children = list(unit.children.filter(alive(day)).order_by("code", "name", "pk"))
    return figures_by_child(children, bases_for(day), FIGURES)


def parse_day(value):
    """A YYYY-MM-DD query parameter; ValueError (with a Chinese message) otherwise."""
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(_("as_of must be a date like 2024-06-30.")) from exc


# --- weekly snapshots (周报) -----------------------------------------------------------------

SNAPSHOT_PARENT_KINDS = [Kind.NATIONAL, Kind.PROVINCE, Kind.CITY, Kind.COUNTY]


def monday(day):
    return day - datetime.timedelta(days=day.weekday())


def snapshot_week(day=None):
    """Store every unit's figures down to townships for the Monday of `day`'s week. Idempotent:
    a week already stored is left as it is. Children are computed per parent (four statements
    each), so the work grows with the number of parents (~3,300 nationally), not of units."""
    week = monday(day or timezone.localdate())
    done = set(CoverageSnapshot.objects.filter(week=week).values_list("unit_id", flat=True))
    stored = 0
    parents = Unit.objects.filter(alive(week), kind__in=SNAPSHOT_PARENT_KINDS).order_by("tree_id")
    for root in parents.filter(parent__isnull=True):
        if root.pk not in done:
            CoverageSnapshot.objects.create(unit=root, week=week, figures=coverage(root, week))
            stored += 1
    for parent in parents:
        rows = [(child, figures) for child, figures in coverage_by_child(parent, week) if child.pk not in done]
        CoverageSnapshot.objects.bulk_create(
            [CoverageSnapshot(unit=child, week=week, figures=figures) for child, figures in rows], ignore_conflicts=True
        )
        stored += len(rows)
    return stored


def backfill(weeks, today=None):
    """Snapshots for the last `weeks` Mondays, computed from the recorded dates (as_of)."""
    last = monday(today or timezone.localdate())
    return sum(snapshot_week(last - datetime.timedelta(weeks=n)) for n in range(weeks))


# --- today's figures, kept per unit (the fast path) -------------------------------------------

# The stored columns: each figure's own count (FIGURES.stored()), and the due date of the running
# term (terms_overdue is counted over the stored rows by it).
FIGURE_FIELDS = [*FIGURES.stored(), "open_term_due_on"]


def refresh_figures(unit_ids, day=None):
    """Recompute the own figures of these units (four grouped statements); store those that changed
    and return their number. Unchanged rows are not rewritten: the nightly run over every unit
    would otherwise double the table on disk each night.

    The services call it after every write to offices, homes or terms; a nightly task refreshes
    everything, so figures that change with the date alone (an office starting later) catch up."""
    day = day or timezone.localdate()
    rows = {
        unit.pop("pk"): {**unit, **dict.fromkeys(FIGURE_FIELDS, 0), "open_term_due_on": None}
        for unit in Unit.objects.filter(pk__in=list(unit_ids)).values("pk", *UNIT_COLUMNS)
    }
    ids = list(rows)
    if not ids:
        return 0
    for row in (
        Office.objects.filter(holding(day), unit__in=ids)
        .order_by()
        .values("unit")
        .annotate(**aggregates(FIGURES.measures("offices", day, stored=True)))
    ):
        rows[row.pop("unit")].update(row)
    open_positions = Q(opened_on__isnull=True) | Q(opened_on__lte=day)
    for row in (
        ServicePosition.objects.filter(open_positions, unit__in=ids)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        .order_by()
        .values("unit")
        .annotate(**aggregates(FIGURES.measures("positions", day, stored=True)))
    ):
        rows[row.pop("unit")].update(row)
    for unit_id, due_on in (
        Term.objects.filter(unit__in=ids, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .values_list("unit", "due_on")
    ):
        rows[unit_id]["open_term_due_on"] = due_on
    compared = [*UNIT_COLUMNS, *FIGURE_FIELDS]
    stored = {pk: values for pk, *values in UnitFigures.objects.filter(pk__in=ids).values_list("pk", *compared)}
    changed = [
        UnitFigures(unit_id=pk, changed_on=day, **row)
        for pk, row in rows.items()
        if stored.get(pk) != [row[c] for c in compared]
    ]
    UnitFigures.objects.bulk_create(
        changed,
        update_conflicts=True,
        unique_fields=["unit"],
        update_fields=[*FIGURE_FIELDS, "changed_on", *(c.removesuffix("_id") for c in UNIT_COLUMNS)],
    )
    if changed:
        figures_changed.send(sender=UnitFigures, unit_ids=[f.unit_id for f in changed])
    return len(changed)


def refresh_all(day=None, chunk=20_000):
    """Every unit's figures (nightly, and after bulk loads that bypass the services); returns the
    number of units whose figures changed."""
    ids = list(Unit.objects.values_list("pk", flat=True).order_by("pk"))
    return sum(refresh_figures(ids[i : i + chunk], day) for i in range(0, len(ids), chunk))


def _stored(figure, day):
    """How a figure is read from the stored per-unit figures today."""
    if figure.stored:  # its units' own counts, summed
        return Sum(figure.stored, filter=SOURCES[figure.counted].stored_of)
    if figure.where_stored is not None:
        return figure.condition(day, stored=True)
    if figure.counted == "units":  # the stored rows carry their unit's kind, form and dates
        return figure.condition(day)
    raise ValueError(f"{figure.key!r} cannot be read from the stored figures")


def _fast_bases(day):
    """Today's figures from the stored per-unit figures: one statement over one table, which carries
    its unit's kind, form, dates and ancestor columns (MPTT columns are reached through the unit)."""
    measures = {key: _stored(FIGURES[key], day) for key in FIGURES.sums}
    return [Base(UnitFigures.objects.filter(alive(day)), "", measures, tree_path="unit__")]


def bases_for(day):
    """Today: the stored figures; any other date: computed from the records."""
    return _fast_bases(day) if day == timezone.localdate() else _bases(day)
