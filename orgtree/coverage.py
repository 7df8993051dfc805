"""Coverage figures of a subtree (破难行动 dashboards): one definition per key, used by the API,
the dashboard page and exports. Open units only; `as_of` answers for any past date from the
recorded dates (opened/closed, office start/end, conversion election dates, term dates).

Committee figures (chairs … women_village_directors) are those of village and community
committees, the grassroots figures published reports give (开江县: 227 chairs, 2,065 执委).
"""

import datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum
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

# Each key once: label, definition (the API docs and the dashboard legend), unit of measure, rollup.
FIGURES = FigureSet(
    "coverage",
    [
        Figure("villages_total", _("Villages/communities"), _("Open villages and communities."), COUNT),
        Figure(
            "villages_converted",
            _("Converted"),
            _("Villages and communities whose women's congress has become a federation (会改联)."),
            COUNT,
        ),
        Figure(
            "conversion_rate",
            _("Conversion %"),
            _("villages_converted / villages_total, in percent."),
            PERCENT,
            rate=("villages_converted", "villages_total"),
        ),
        Figure("chairs", _("Chairs"), _("Chairs of village and community committees."), PEOPLE),
        Figure(
            "vice_chairs_full_time",
            _("Full-time vice-chairs"),
            _("Full-time vice-chairs of village and community committees."),
            PEOPLE,
        ),
        Figure(
            "vice_chairs_part_time",
            _("Part-time vice-chairs"),
            _("Part-time vice-chairs of village and community committees."),
            PEOPLE,
        ),
        Figure(
            "vice_chairs_seconded",
            _("Seconded vice-chairs"),
            _("Seconded vice-chairs of village and community committees."),
            PEOPLE,
        ),
        Figure(
            "executives",
            _("Executives"),
            _("Members of village and community committees (chairs and vice-chairs included)."),
            PEOPLE,
        ),
        Figure(
            "chairs_in_two_committees",
            _("Chairs in two committees"),
            _("Village and community chairs on the party committee or the villagers' committee."),
            PEOPLE,
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
        ),
        Figure(
            "women_village_directors",
            _("Women village directors"),
            _("Village and community chairs who are also village (residents') director."),
            PEOPLE,
        ),
        Figure("townships_total", _("Townships/streets"), _("Open townships and streets."), COUNT),
        Figure(
            "townships_regionalized",
            _("Regionalized townships"),
            _("Townships and streets with at least 3 vice-chairs and 25 executives."),
            COUNT,
        ),
        Figure("agency_committees", _("Agency committees"), _("Open agency women's committees."), COUNT),
        Figure("enterprise_committees", _("Enterprise committees"), _("Open enterprise women's committees."), COUNT),
        Figure(
            "social_org_committees",
            _("Social organization committees"),
            _("Open social organization women's committees."),
            COUNT,
        ),
        Figure("new_domain_committees", _("New-domain federations"), _("Open new-domain federations."), COUNT),
        Figure("women_groups", _("Women's groups"), _("Open women's groups."), COUNT),
        Figure("womens_homes", _("Women's homes"), _("Open women's homes."), COUNT),
        Figure(
            "womens_homes_standardized",
            _("Standardized women's homes"),
            _("Open women's homes that are standardized."),
            COUNT,
        ),
        Figure("childrens_homes", _("Children's homes"), _("Open children's homes."), COUNT),
        Figure("terms_overdue", _("Overdue renewals"), _("Running terms whose renewal date has passed."), COUNT),
    ],
)
REGIONALIZED = {"vice_chairs": 3, "executives": 25}

# How each figure is counted from the records, written once: the offices held and the service
# positions open are counted per unit into UnitFigures (refresh_figures), summed from there today
# (_fast_bases) and counted over a subtree for a past date (_bases). vice_chairs is stored for
# townships_regionalized only.
CHAIR, VICE = Q(role=Role.CHAIR), Q(role=Role.VICE_CHAIR)
OFFICE_MEASURES = {
    "chairs": CHAIR,
    "vice_chairs": VICE,
    "vice_chairs_full_time": VICE & Q(vice_chair_type=ViceChairType.FULL_TIME),
    "vice_chairs_part_time": VICE & Q(vice_chair_type=ViceChairType.PART_TIME),
    "vice_chairs_seconded": VICE & Q(vice_chair_type=ViceChairType.SECONDED),
    "executives": None,
    "chairs_in_two_committees": CHAIR & (Q(on_party_committee=True) | Q(on_villagers_committee=True)),
    "women_party_secretaries": CHAIR & Q(is_party_secretary=True),
    "women_village_directors": CHAIR & Q(is_village_director=True),
}
POSITION_MEASURES = {
    "womens_homes": Q(kind=ServicePosition.Kind.WOMENS_HOME),
    "womens_homes_standardized": Q(kind=ServicePosition.Kind.WOMENS_HOME, standardized=True),
    "childrens_homes": Q(kind=ServicePosition.Kind.CHILDRENS_HOME),
}
# Counted from the units themselves, on the unit table and on UnitFigures (which carries the kind).
KIND_MEASURES = {
    "villages_total": Q(kind__in=GRASSROOTS_KINDS),
    "townships_total": Q(kind__in=[Kind.TOWNSHIP, Kind.STREET]),
    "agency_committees": Q(kind=Kind.AGENCY),
    "enterprise_committees": Q(kind=Kind.ENTERPRISE),
    "social_org_committees": Q(kind=Kind.SOCIAL_ORG),
    "new_domain_committees": Q(kind=Kind.NEW_DOMAIN),
    "women_groups": Q(kind=Kind.WOMEN_GROUP),
}


def alive(day, path=""):
    """Units open on `day`."""
    return (Q(**{f"{path}opened_on__isnull": True}) | Q(**{f"{path}opened_on__lte": day})) & (
        Q(**{f"{path}closed_on__isnull": True}) | Q(**{f"{path}closed_on__gt": day})
    )


def holding(day):
    """Offices held on `day` (a void office, ended the day it started, never is)."""
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def _bases(day):
    """Figures on `day` computed from the records: four statements."""
    grassroots, townships = KIND_MEASURES["villages_total"], KIND_MEASURES["townships_total"]
    converted_on = Election.objects.filter(
        unit=OuterRef("pk"), kind=Election.Kind.CONVERSION, status=Election.Status.CERTIFIED, held_on__lte=day
    )
    later_conversion = Election.objects.filter(
        unit=OuterRef("pk"), kind=Election.Kind.CONVERSION, status=Election.Status.CERTIFIED, held_on__gt=day
    )
    held = Office.objects.filter(holding(day), unit=OuterRef("pk"))
    # Conditions, not annotations: an annotation would join the GROUP BY of the per-child rollup.
    units = Unit.objects.filter(alive(day))
    vice_chairs = Coalesce(
        Subquery(
            held.filter(role=Role.VICE_CHAIR).order_by().values("unit").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )
    executives = Coalesce(
        Subquery(held.order_by().values("unit").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0
    )
    offices = Office.objects.filter(holding(day), alive(day, "unit__"), unit__kind__in=GRASSROOTS_KINDS)
    positions = ServicePosition.objects.filter(
        alive(day, "unit__"),
        (Q(opened_on__isnull=True) | Q(opened_on__lte=day)) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day)),
    )
    terms = Term.objects.filter(alive(day, "unit__"), started_on__lte=day, due_on__lt=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day)
    )
    return [
        Base(
            units,
            "",
            {
                **KIND_MEASURES,
                # A federation with a certified conversion on or before the day, or one without any
                # recorded conversion (loaded as a federation) — but not one converted after the day.
                "villages_converted": grassroots
                & (Q(Exists(converted_on)) | (Q(form=Form.FEDERATION) & ~Q(Exists(later_conversion)))),
                "townships_regionalized": townships
                & Q(GreaterThanOrEqual(vice_chairs, REGIONALIZED["vice_chairs"]))
                & Q(GreaterThanOrEqual(executives, REGIONALIZED["executives"])),
            },
        ),
        Base(offices, "unit__", {key: q for key, q in OFFICE_MEASURES.items() if key in FIGURES}),
        Base(positions, "unit__", POSITION_MEASURES),
        Base(terms, "unit__", {"terms_overdue": None}),
    ]


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

FIGURE_FIELDS = [*OFFICE_MEASURES, *POSITION_MEASURES, "open_term_due_on"]


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
        .annotate(**aggregates(OFFICE_MEASURES))
    ):
        rows[row.pop("unit")].update(row)
    open_positions = Q(opened_on__isnull=True) | Q(opened_on__lte=day)
    for row in (
        ServicePosition.objects.filter(open_positions, unit__in=ids)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        .order_by()
        .values("unit")
        .annotate(**aggregates(POSITION_MEASURES))
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


def _fast_bases(day):
    """Today's figures from the stored per-unit figures: one statement over one table, which carries
    its unit's kind, form, dates and ancestor columns (MPTT columns are reached through the unit)."""
    grassroots, townships = KIND_MEASURES["villages_total"], KIND_MEASURES["townships_total"]
    return [
        Base(
            UnitFigures.objects.filter(alive(day)),
            "",
            {
                **KIND_MEASURES,
                "villages_converted": grassroots & Q(form=Form.FEDERATION),
                "townships_regionalized": townships
                & Q(vice_chairs__gte=REGIONALIZED["vice_chairs"], executives__gte=REGIONALIZED["executives"]),
                # Committee figures are those of villages and communities; homes those of any unit.
                **{key: Sum(key, filter=grassroots) for key in OFFICE_MEASURES if key in FIGURES},
                **{key: Sum(key) for key in POSITION_MEASURES},
                "terms_overdue": Q(open_term_due_on__lt=day),
            },
            tree_path="unit__",
        )
    ]


def bases_for(day):
    """Today: the stored figures; any other date: computed from the records."""
    return _fast_bases(day) if day == timezone.localdate() else _bases(day)
