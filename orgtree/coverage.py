"""Coverage figures of a subtree (破难行动 dashboards): one definition per key, used by the API,
the dashboard page and exports. Open units only; `as_of` answers for any past date from the
recorded dates (opened/closed, office start/end, conversion election dates, term dates).

Committee figures (chairs … chairs_village_director) are those of village and community
committees, the grassroots figures published reports give (开江县: 227 chairs, 2,065 执委);
women_party_secretaries and women_village_directors count facts of the villages themselves (开江县:
23 and 30 women in those posts, whoever chairs the federation). The township figures
(township_chairs … township_executives) are those of township and street federations
("乡镇妇联执委140名", "专兼职主席、副主席40名"). townships_regionalized counts the townships and
streets with a certified regionalization (区域化) election (orgtree/regionalization.py).
"""

import datetime
from collections.abc import Callable
from contextlib import contextmanager
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Exists,
    F,
    Min,
    Model,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from federation.figures import COUNT, PEOPLE, PERCENT, Figure, FigureSet, evaluated_sets
from orgtree.choices import ANCESTOR_COLUMNS, GRASSROOTS_KINDS, Form, Kind
from orgtree.models import (
    Appointment,
    CoverageSnapshot,
    Election,
    GroupFigures,
    GroupFiguresDay,
    Office,
    Role,
    Term,
    TermDelay,
    Unit,
    UnitFigures,
    ViceChairType,
)
from orgtree.models.figures import UNIT_COLUMNS
from orgtree.models.position import ServicePosition
from orgtree.rollups import Base, aggregates, figures_by_child, figures_total, rollup, total
from orgtree.signals import figures_changed

GRASSROOTS = Q(kind__in=GRASSROOTS_KINDS)
TOWNSHIP_KINDS = [Kind.TOWNSHIP, Kind.STREET]
TOWNSHIPS = Q(kind__in=TOWNSHIP_KINDS)
CHAIR, VICE = Q(role=Role.CHAIR), Q(role=Role.VICE_CHAIR)


# The 会改联 figures (the results a unit submits for approval: federation.locks set "conversion").
CONVERSION_KEYS = [
    "villages_total",
    "villages_converted",
    "conversion_rate",
    "rural_villages_total",
    "rural_villages_converted",
    "rural_village_conversion_rate",
    "communities_total",
    "communities_converted",
    "community_conversion_rate",
    "chairs",
    "executives",
    "chairs_in_two_committees",
    "chairs_in_two_committees_rate",
    "chairs_party_secretary",
    "chairs_village_director",
    "women_party_secretaries",
    "women_village_directors",
]


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


def regionalizations(**conditions):
    """Certified regionalization (区域化) elections."""
    return Election.objects.filter(kind=Election.Kind.REGIONALIZATION, status=Election.Status.CERTIFIED, **conditions)


def regionalized_on(day):
    """townships_regionalized from the records: a township or street with a certified
    regionalization election held on or before the day (its founding or a renewal: once
    regionalized, it stays so). (Stored: the day of its first one, UnitFigures.regionalized_on.)"""
    return TOWNSHIPS & Q(Exists(regionalizations(unit=OuterRef("pk"), held_on__lte=day)))


def regionalized_stored(day):
    """townships_regionalized over the stored rows."""
    return TOWNSHIPS & Q(regionalized_on__lte=day)


# Each key once: label, definition (the API docs and the dashboard legend), unit of measure, how it
# is counted (Figure.counted names a source of SOURCES below), the UnitFigures column it is stored
# in, and its rollup. The committee figures are counted from the offices of villages and
# communities, the township figures from those of townships and streets; each unit's own counts,
# any kind, are stored (a township figure sums the township rows of the village figure's column).
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
        # The combined figures split: rural villages (村) and communities (社区) each.
        Figure(
            "rural_villages_total",
            _("Rural villages"),
            _("Open villages (村), communities not included."),
            COUNT,
            counted="units",
            where=Q(kind=Kind.VILLAGE),
        ),
        Figure(
            "rural_villages_converted",
            _("Rural villages converted"),
            _("Villages (村) whose women's congress has become a federation (会改联)."),
            COUNT,
            counted="units",
            where=lambda day: converted_on(day) & Q(kind=Kind.VILLAGE),
            where_stored=Q(kind=Kind.VILLAGE, form=Form.FEDERATION),
        ),
        Figure(
            "rural_village_conversion_rate",
            _("Rural villages converted %"),
            _("rural_villages_converted / rural_villages_total, in percent."),
            PERCENT,
            rate=("rural_villages_converted", "rural_villages_total"),
        ),
        Figure(
            "communities_total",
            _("Communities"),
            _("Open communities (社区), villages not included."),
            COUNT,
            counted="units",
            where=Q(kind=Kind.COMMUNITY),
        ),
        Figure(
            "communities_converted",
            _("Communities converted"),
            _("Communities (社区) whose women's congress has become a federation (会改联)."),
            COUNT,
            counted="units",
            where=lambda day: converted_on(day) & Q(kind=Kind.COMMUNITY),
            where_stored=Q(kind=Kind.COMMUNITY, form=Form.FEDERATION),
        ),
        Figure(
            "community_conversion_rate",
            _("Communities converted %"),
            _("communities_converted / communities_total, in percent."),
            PERCENT,
            rate=("communities_converted", "communities_total"),
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
        # Not shown: each unit's vice-chairs of any kind, stored per unit and never summed (it was read
        # by the stand-in rule for townships_regionalized; its label and help are never displayed).
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
        # 选聘 / 挂职: vice-chairs a unit above appointed for a period without an election (orgtree.changes).
        Figure(
            "vice_chairs_appointed_selected",
            _("Appointed vice-chairs (selected)"),
            _("Vice-chairs of village and community committees selected and appointed by a unit above."),
            PEOPLE,
            counted="offices",
            where=VICE & Q(appointment=Appointment.SELECTED),
            stored="vice_chairs_appointed_selected",
        ),
        Figure(
            "vice_chairs_appointed_seconded",
            _("Appointed vice-chairs (seconded)"),
            _("Vice-chairs of village and community committees seconded by a unit above for a period."),
            PEOPLE,
            counted="offices",
            where=VICE & Q(appointment=Appointment.SECONDED),
            stored="vice_chairs_appointed_seconded",
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
            "chairs_party_secretary",
            _("Chairs who are party secretary"),
            _("Village and community chairs who are also the party organization secretary of their village."),
            PEOPLE,
            counted="offices",
            where=CHAIR & Q(is_party_secretary=True),
            stored="chairs_party_secretary",
        ),
        Figure(
            "chairs_village_director",
            _("Chairs who are village director"),
            _("Village and community chairs who are also the villagers' (residents') committee director."),
            PEOPLE,
            counted="offices",
            where=CHAIR & Q(is_village_director=True),
            stored="chairs_village_director",
        ),
        # Facts of the village, whoever chairs its federation (Unit.secretary_is_woman,
        # director_is_woman; a chair in office marked secretary or director sets them).
        Figure(
            "women_party_secretaries",
            _("Women village party secretaries"),
            _("Open villages and communities whose party organization secretary is a woman."),
            PEOPLE,
            counted="units",
            where=GRASSROOTS & Q(secretary_is_woman=True),
        ),
        Figure(
            "women_village_directors",
            _("Women village (residents') committee directors"),
            _("Open villages and communities whose villagers' (residents') committee director is a woman."),
            PEOPLE,
            counted="units",
            where=GRASSROOTS & Q(director_is_woman=True),
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
            _(
                "Townships and streets with a certified regionalization election (区域化, their "
                "founding or a renewal as a regionalized federation) held on or before the day."
            ),
            COUNT,
            counted="units",
            where=regionalized_on,
            where_stored=regionalized_stored,
        ),
        # The committees of township and street federations (the figures above are of villages and
        # communities): each township's own offices, stored in the same per-unit columns.
        Figure(
            "township_chairs",
            _("Township chairs"),
            _("Chairs of township and street federations."),
            PEOPLE,
            counted="township_offices",
            where=CHAIR,
            stored="chairs",
        ),
        Figure(
            "township_vice_chairs_full_time",
            _("Township full-time vice-chairs"),
            _("Full-time vice-chairs of township and street federations."),
            PEOPLE,
            counted="township_offices",
            where=VICE & Q(vice_chair_type=ViceChairType.FULL_TIME),
            stored="vice_chairs_full_time",
        ),
        Figure(
            "township_vice_chairs_part_time",
            _("Township part-time vice-chairs"),
            _("Part-time vice-chairs of township and street federations."),
            PEOPLE,
            counted="township_offices",
            where=VICE & Q(vice_chair_type=ViceChairType.PART_TIME),
            stored="vice_chairs_part_time",
        ),
        Figure(
            "township_vice_chairs_seconded",
            _("Township seconded vice-chairs"),
            _("Seconded vice-chairs of township and street federations."),
            PEOPLE,
            counted="township_offices",
            where=VICE & Q(vice_chair_type=ViceChairType.SECONDED),
            stored="vice_chairs_seconded",
        ),
        Figure(
            "township_executives",
            _("Township executives"),
            _("Members of township and street federation committees (chairs and vice-chairs included)."),
            PEOPLE,
            counted="township_offices",
            stored="executives",
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
            _("Running terms whose renewal date has passed, whether or not a delay was approved."),
            COUNT,
            counted="overdue_terms",
            # Stored: the original due date of the unit's running term (UnitFigures).
            where_stored=lambda day: Q(open_term_original_due_on__lt=day),
        ),
        Figure(
            "terms_delayed",
            _("Of which delayed"),
            _("Overdue running terms whose renewal was delayed with approval (延期换届) by the day."),
            COUNT,
            counted="overdue_terms",
            where=lambda day: Q(Exists(TermDelay.objects.filter(term=OuterRef("pk"), approved_on__lte=day))),
            where_stored=lambda day: Q(open_term_original_due_on__lt=day, open_term_delayed=True),
        ),
        Figure(
            "counties_overdue",
            _("Counties overdue"),
            _("Open counties whose own running term is overdue for renewal, delayed or not."),
            COUNT,
            counted="overdue_terms",
            where=Q(unit__kind=Kind.COUNTY),
            where_stored=lambda day: Q(kind=Kind.COUNTY, open_term_original_due_on__lt=day),
        ),
    ],
)


class Source(NamedTuple):
    """Rows figures are counted from (Figure.counted): the rows of `model` meeting `on(day)` are those
    on a day (`records(day)`), `path` leads from them to their unit, `stored_of` names the units
    whose stored counts add up to a figure stored per unit (None: every unit's), and `moved(a, b,
    units)` picks every row whose figures may differ between the days a and b (a < b): a row with a
    date in (a, b], or of one of `units` (opened or closed in (a, b]), or whatever else its figures'
    conditions read (a figure counted from a source must not depend on a date this misses:
    tests/orgtree/test_group_figures.py compares both ways of counting a past day). Without
    `moved`, its figures on another day are counted from its records on that day."""

    model: type[Model]
    on: Callable[[datetime.date], Q]
    path: str
    moved: Callable[[datetime.date, datetime.date, list[int]], Q] | None = None
    stored_of: Q | None = None

    def records(self, day):
        return self.model._default_manager.filter(self.on(day))


def between(field, a, b):
    """`field` in (a, b]."""
    return Q(**{f"{field}__gt": a, f"{field}__lte": b})


def _units_moved(a, b, units):
    # Besides their own dates: villages_converted reads the certified conversions, and
    # townships_regionalized the certified regionalizations. One set of ids (a union: each part
    # uses its index).
    opened_or_closed = Unit.objects.filter(between("opened_on", a, b) | between("closed_on", a, b)).values("pk")
    conversions = Election.objects.filter(
        between("held_on", a, b), kind=Election.Kind.CONVERSION, status=Election.Status.CERTIFIED
    ).values("unit")
    regionalized = regionalizations(held_on__gt=a, held_on__lte=b).values("unit")
    return Q(pk__in=opened_or_closed.order_by().union(conversions.order_by(), regionalized.order_by()))


def _offices_on(day):
    # Committee figures are those of villages and communities.
    return holding(day) & alive(day, "unit__") & Q(unit__kind__in=GRASSROOTS_KINDS)


def _township_offices_on(day):
    # The township figures: offices of townships and streets.
    return holding(day) & alive(day, "unit__") & Q(unit__kind__in=TOWNSHIP_KINDS)


def _offices_moved(a, b, units):
    return between("started_on", a, b) | between("ended_on", a, b) | Q(unit__in=units)


def _positions_on(day):
    return (
        alive(day, "unit__")
        & (Q(opened_on__isnull=True) | Q(opened_on__lte=day))
        & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))
    )


def _overdue_terms_on(day):
    # The overdue condition is the rows' own: a WHERE, which the partial index on open terms serves.
    # Overdue by the original due date: a delayed renewal (TermDelay) is still overdue (terms_delayed).
    return (
        alive(day, "unit__")
        & Q(started_on__lte=day, original_due_on__lt=day)
        & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))
    )


SOURCES = {
    "units": Source(Unit, alive, "", _units_moved),
    "offices": Source(Office, _offices_on, "unit__", _offices_moved, stored_of=GRASSROOTS),
    "township_offices": Source(Office, _township_offices_on, "unit__", _offices_moved, stored_of=TOWNSHIPS),
    "positions": Source(
        ServicePosition,
        _positions_on,
        "unit__",
        lambda a, b, units: between("opened_on", a, b) | between("closed_on", a, b) | Q(unit__in=units),
    ),
    # Counted on the day itself: few terms are overdue on any day (the open ones through their
    # partial index), while terms are renewed in seasons, so that the terms falling due between two
    # days can be most of them (the national bench: 560,000 terms, 640 ms, against 31,000).
    "overdue_terms": Source(Term, _overdue_terms_on, "unit__"),
}


def _bases(day):
    """Figures on `day` computed from the records: one statement per source (four)."""
    return [Base(source.records(day), source.path, FIGURES.measures(name, day)) for name, source in SOURCES.items()]


def _on_both(on, where, day):
    if where is not None and not isinstance(where, Q):
        raise ValueError("a figure summed from a column cannot be taken to another day by its moved rows")
    on = on(day)
    return on if where is None else on & where


def _moved_bases(day, today):
    """The rows whose figures may differ between `day` and `today` (a date between them), each
    measure counted as of both days ("{key}@day", "{key}@today"): one statement per source, and one
    for the units opened or closed in between. A figure on `day` is today's, less these rows' count
    today, plus their count on `day`."""
    a, b = sorted((day, today))
    units = list(
        Unit.objects.filter(between("opened_on", a, b) | between("closed_on", a, b)).values_list("pk", flat=True)
    )
    bases = []
    for name, source in SOURCES.items():
        if source.moved is None:  # counted on the day
            measures = {f"{key}@day": where for key, where in FIGURES.measures(name, day).items()}
            bases.append(Base(source.records(day), source.path, measures))
            continue
        measures = {}
        for when, on in (("day", day), ("today", today)):
            for key, where in FIGURES.measures(name, on).items():
                measures[f"{key}@{when}"] = _on_both(source.on, where, on)
        bases.append(Base(source.model._default_manager.filter(source.moved(a, b, units)), source.path, measures))
    return bases


def _shift(sums, moved):
    """Today's sums taken to the other day by the moved rows' counts (or replaced by the day's)."""
    for key in sums:
        if f"{key}@today" in moved:
            sums[key] += moved[f"{key}@day"] - moved[f"{key}@today"]
        elif f"{key}@day" in moved:
            sums[key] = moved[f"{key}@day"]
    return sums


def coverage(unit, as_of=None, from_records=False):
    """Every figure over `unit`'s subtree as of a date (today by default: from the stored figures,
    unless `from_records`). A county and above: the sums of its groups today, taken to another day
    by the rows that moved in between (when the groups are counted for today)."""
    today = timezone.localdate()
    day = as_of or today
    if not from_records and unit.kind in GROUP_KINDS:
        sums = _group_total(unit, today)
        if sums is not None:
            for base in _moved_bases(day, today) if day != today else []:
                _shift(sums, total(unit, base.rows, base.measures, base.path))
            return FIGURES.complete(sums)
    if from_records or day != today:
        return figures_total(unit, _bases(day), FIGURES)
    return figures_total(unit, _fast_bases(day), FIGURES)


def open_children(unit, day):
    return list(unit.children.filter(alive(day)).order_by("code", "name", "pk"))


def coverage_by_child(unit, as_of=None, children=None):
    """[(child, figures)] for the children open on the day (or those of `children`, when the caller
    read them); the number of queries is fixed."""
    today = timezone.localdate()
    day = as_of or today
    children = open_children(unit, day) if children is None else children
    grouped = _group_by_child(children, today)
    if day != today and not grouped:
        return figures_by_child(children, _bases(day), FIGURES)
    rest = [child for child in children if child.pk not in grouped]
    per_child = {**grouped, **_sums_by_child(rest, _fast_bases(today))}
    for base in _moved_bases(day, today) if day != today else []:
        for pk, moved in rollup(children, base.rows, base.measures, base.path).items():
            _shift(per_child[pk], moved)
    return [(child, FIGURES.complete(per_child[child.pk])) for child in children]


def _sums_by_child(children, bases):
    """{child id: sums} of these children over the bases."""
    per_child: dict[int, dict] = {child.pk: {} for child in children}
    for base in bases:
        for pk, sums in rollup(children, base.rows, base.measures, base.path, base.tree_path).items():
            per_child[pk].update(sums)
    return per_child


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


def with_evaluated(rows, day):
    """`rows` [(unit, figures)] with the figures of every evaluated set of the other apps
    (federation.figures.evaluated_sets) over each unit's subtree on `day` added: flat keys, unique
    across the sets. One evaluation per set for all the units (a fixed number of statements)."""
    units = [unit for unit, _figures in rows]
    for found in evaluated_sets() if units else []:
        values = found.evaluate(units, day)
        for unit, figures in rows:
            figures.update(values[unit.pk])
    return rows


def snapshot_week(day=None):
    """Store every unit's figures down to townships for the Monday of `day`'s week: the coverage
    figures and those of the other apps' evaluated sets (with_evaluated), for the trend and the 周报.
    Idempotent: a week already stored is left as it is. Children are computed per parent (four
    statements each, and each evaluated set's own few), so the work grows with the number of
    parents (~3,300 nationally), not of units."""
    week = monday(day or timezone.localdate())
    done = set(CoverageSnapshot.objects.filter(week=week).values_list("unit_id", flat=True))
    stored = 0
    parents = Unit.objects.filter(alive(week), kind__in=SNAPSHOT_PARENT_KINDS).order_by("tree_id")
    for root in parents.filter(parent__isnull=True):
        if root.pk not in done:
            [(_root, figures)] = with_evaluated([(root, coverage(root, week))], week)
            CoverageSnapshot.objects.create(unit=root, week=week, figures=figures)
            stored += 1
    for parent in parents:
        rows = [(child, figures) for child, figures in coverage_by_child(parent, week) if child.pk not in done]
        with_evaluated(rows, week)
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

# The stored columns: each figure's own count (FIGURES.stored(): a column the village and the
# township figures share is stored once), the running term's due dates and delay (terms_overdue and
# terms_delayed are counted over the stored rows by them) and the day of the first certified
# regionalization (townships_regionalized).
TERM_FIELDS = {
    "open_term_due_on": None,
    "open_term_original_due_on": None,
    "open_term_delayed": False,
    "regionalized_on": None,
}
FIGURE_FIELDS = [*FIGURES.stored(), *TERM_FIELDS]


def refresh_figures(unit_ids, day=None):
    """Recompute the own figures of these units (four grouped statements); store those that changed
    and return their number. Unchanged rows are not rewritten: the nightly run over every unit
    would otherwise double the table on disk each night.

    The services call it after every write to offices, homes or terms; a nightly task refreshes
    everything, so figures that change with the date alone (an office starting later) catch up."""
    day = day or timezone.localdate()
    rows = {
        unit.pop("pk"): {**unit, **dict.fromkeys(FIGURE_FIELDS, 0), **TERM_FIELDS}
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
    delayed = TermDelay.objects.filter(term=OuterRef("pk"), approved_on__lte=day)
    for unit_id, due_on, original_due_on, is_delayed in (
        Term.objects.filter(unit__in=ids, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .values_list("unit", "due_on", "original_due_on", Exists(delayed))
    ):
        rows[unit_id].update(
            open_term_due_on=due_on, open_term_original_due_on=original_due_on, open_term_delayed=is_delayed
        )
    townships = [pk for pk, row in rows.items() if row["kind"] in TOWNSHIP_KINDS]
    if townships:  # no query for the villages a 会改联 import refreshes
        for unit_id, first in (
            regionalizations(unit__in=townships, held_on__lte=day)
            .order_by()
            .values("unit")
            .annotate(first=Min("held_on"))
            .values_list("unit", "first")
        ):
            rows[unit_id]["regionalized_on"] = first
    compared = [*UNIT_COLUMNS, *FIGURE_FIELDS]
    stored = {pk: values for pk, *values in UnitFigures.objects.filter(pk__in=ids).values_list("pk", *compared)}
    changed = [
        UnitFigures(unit_id=pk, changed_on=day, **row)
        for pk, row in rows.items()
        if stored.get(pk) != [row[c] for c in compared]
    ]
    ancestors = [UNIT_COLUMNS.index(c) for c in GROUP_COLUMNS]
    with following([f.unit_id for f in changed]) as groups:
        UnitFigures.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["unit"],
            update_fields=[*FIGURE_FIELDS, "changed_on", *(c.removesuffix("_id") for c in UNIT_COLUMNS)],
        )
        groups.moved(
            pk
            for pk, row in rows.items()
            if pk in stored and [stored[pk][i] for i in ancestors] != [row[c] for c in GROUP_COLUMNS]
        )
    if changed:
        figures_changed.send(sender=UnitFigures, unit_ids=[f.unit_id for f in changed])
    return len(changed)


def refresh_all(day=None, chunk=20_000):
    """Every unit's figures (nightly, and after bulk loads that bypass the services); returns the
    number of units whose figures changed. The group sums are counted afresh first, so that a write
    the services did not see is healed too."""
    recount_groups(day)
    ids = list(Unit.objects.values_list("pk", flat=True).order_by("pk"))
    return sum(refresh_figures(ids[i : i + chunk], day) for i in range(0, len(ids), chunk))


def _stored_spec(figure, day, rows=None):
    """How a figure is read from the stored per-unit figures on `day`: (the column summed, or None
    to count the rows; the condition on the rows, None for all). `rows`: a condition the rows must
    meet besides (the group sums fold "open on the day" into each measure)."""
    if figure.stored:  # its units' own counts, summed
        column, where = figure.stored, SOURCES[figure.counted].stored_of
    elif figure.where_stored is not None:
        column, where = None, figure.condition(day, stored=True)
    elif figure.counted == "units":  # the stored rows carry their unit's kind, form and dates
        column, where = None, figure.condition(day)
    else:
        raise ValueError(f"{figure.key!r} cannot be read from the stored figures")
    if rows is not None:
        where = rows if where is None else where & rows
    return column, where


def _stored(figure, day, rows=None):
    """The measure of a figure over the stored per-unit figures (see _stored_spec)."""
    column, where = _stored_spec(figure, day, rows)
    return Sum(column, filter=where) if column else where


def _fast_bases(day):
    """Today's figures from the stored per-unit figures: one statement over one table, which carries
    its unit's kind, form, dates and ancestor columns (MPTT columns are reached through the unit)."""
    measures = {key: _stored(FIGURES[key], day) for key in FIGURES.sums}
    return [Base(UnitFigures.objects.filter(alive(day)), "", measures, tree_path="unit__")]


# --- today's figures of a county and above: the sums of groups, kept with the units' own ------
#
# GroupFigures holds, per group, the sums of its units' stored figures (those open on the day the
# sums are counted for, GroupFiguresDay). Every write to UnitFigures adds its difference to the
# groups in the same transaction (`following`): the rows are locked, their contributions counted
# by group before and after the write, and after - before added with F() + delta. A county reads
# one group, a city its own and its counties' (~10), a province ~100-300, the country ~3,500.
# Figures that move with the date alone are counted afresh after midnight (`turn_the_day`); until
# then today's figures are read from the units' rows.

# The group a UnitFigures row adds to: its county (a county: itself), else its city (a city:
# itself), else its province (a province: itself), else the unit itself (the national federation
# and what hangs under it outside the provinces).
ANCHOR = Case(
    When(kind=Kind.COUNTY, then=F("unit_id")),
    When(county__isnull=False, then=F("county_id")),
    When(kind=Kind.CITY, then=F("unit_id")),
    When(city__isnull=False, then=F("city_id")),
    When(kind=Kind.PROVINCE, then=F("unit_id")),
    When(province__isnull=False, then=F("province_id")),
    default=F("unit_id"),
    output_field=BigIntegerField(),
)
GROUP_KINDS = (Kind.NATIONAL, *ANCESTOR_COLUMNS)
GROUP_COLUMNS = ("province_id", "city_id", "county_id")
# Writes to the sums hold it shared (they add differences side by side); a recount holds it alone.
SUMS_LOCK_KEY = 0x0B4A7B
CHUNK = 20_000


def _group_measures(day):
    """{key: aggregate over UnitFigures rows} of every summed figure: today's fast path with
    "open on the day" folded into each measure, so that a group without open units still counts."""
    return aggregates({key: _stored(FIGURES[key], day, rows=alive(day)) for key in FIGURES.sums})


def _count_groups(rows, day):
    """{anchor: {key: sum}} of the UnitFigures `rows` by group: one statement, every group the rows
    fall in (with zeros where none of them counts)."""
    measures = _group_measures(day)
    grouped = (
        rows.order_by()
        .annotate(anchor=ANCHOR)
        .values("anchor")
        .annotate(**{f"m_{key}": measure for key, measure in measures.items()})
    )
    return {row["anchor"]: {key: row[f"m_{key}"] for key in measures} for row in grouped}


def _count_groups_of(pks, day):
    """_count_groups of these units' rows, by chunks of ids."""
    found: dict[int, dict[str, int]] = {}
    for start in range(0, len(pks), CHUNK):
        for anchor, sums in _count_groups(UnitFigures.objects.filter(pk__in=pks[start : start + CHUNK]), day).items():
            into = found.setdefault(anchor, dict.fromkeys(sums, 0))
            for key, value in sums.items():
                into[key] += value
    return found


def _counted_day():
    """The day the group sums are counted for (None: not counted), once the shared lock is held:
    writes add their differences side by side; a recount waits for them, and they for it."""
    if connection.vendor != "postgresql":  # SQLite: one writer at a time
        return GroupFiguresDay.objects.values_list("day", flat=True).first()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.day FROM pg_advisory_xact_lock_shared(%s) AS l, orgtree_groupfiguresday AS d",
            [SUMS_LOCK_KEY],
        )
        found = cursor.fetchone()
    return found[0] if found else None


# A write of a few rows counts their contributions in Python, from the rows themselves, by the same
# conditions (FIGURES' Q objects, read by _holds): compiling the statement that counts them in SQL
# took longer than the rest of the write. A bulk write (more rows than this) counts them in SQL.
# The consistency tests compare both with a recount.
IN_PYTHON = 1_000
# A bulk load of at least this many new units (a province's or the country's divisions) has every
# group recounted in one statement at the end, instead of its rows counted by chunks of ids and
# each group's difference added (34 chunks and ~6,000 updates for the national load: ~20 s).
RECOUNT_ROWS = 50_000
_ROW_FIELDS = ("unit_id", *UNIT_COLUMNS, *FIGURE_FIELDS)
_LOOKUPS: dict[str, Callable] = {
    "exact": lambda a, b: a == b,
    "in": lambda a, b: a in b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
}


def _holds(where, row):
    """Does `row` (a dict of UnitFigures values) meet the condition `where`, as SQL would say?"""
    if where is None:
        return True
    found = []
    for child in where.children:
        if isinstance(child, Q):
            found.append(_holds(child, row))
            continue
        lookup, wanted = child
        name, _, operator = lookup.partition("__")
        value = row[name if name in row else f"{name}_id"]
        if operator == "isnull":
            found.append((value is None) == wanted)
        else:  # a comparison with NULL is never true
            found.append(value is not None and _LOOKUPS[operator or "exact"](value, wanted))
    held = all(found) if where.connector == Q.AND else any(found)
    return not held if where.negated else held


def _anchor(row):
    """The group of a row, as ANCHOR says in SQL."""
    for kind, column in ((Kind.COUNTY, "county_id"), (Kind.CITY, "city_id"), (Kind.PROVINCE, "province_id")):
        if row["kind"] == kind:
            return row["unit_id"]
        if row[column] is not None:
            return row[column]
    return row["unit_id"]


def _rows(pks, locked=False):
    """The UnitFigures rows of these units as dicts (`locked`: FOR UPDATE, in id order)."""
    rows = UnitFigures.objects.filter(pk__in=pks).order_by("pk")
    if locked and connection.features.has_select_for_update:
        rows = rows.select_for_update()
    return list(rows.values(*_ROW_FIELDS))


def _contributions(rows, day):
    """{anchor: {key: sum}} of these rows (dicts of UnitFigures values), as _count_groups in SQL."""
    specs = {key: _stored_spec(FIGURES[key], day, rows=alive(day)) for key in FIGURES.sums}
    found: dict[int, dict[str, int]] = {}
    for row in rows:
        sums = found.setdefault(_anchor(row), dict.fromkeys(FIGURES.sums, 0))
        for key, (column, where) in specs.items():
            if _holds(where, row):
                sums[key] += row[column] if column else 1
    return found


def _lock(pks):
    """Lock these units' rows, in id order (two writes touching the same rows wait, never deadlock)."""
    if not connection.features.has_select_for_update:
        return
    for start in range(0, len(pks), CHUNK):
        rows = UnitFigures.objects.select_for_update().filter(pk__in=pks[start : start + CHUNK])
        list(rows.order_by("pk").values_list("pk", flat=True))


def _add(before, after):
    """Add after - before to each group's sums (F() + delta, so concurrent writes add up), in
    anchor order. A group met for the first time (a new county) is created from its anchor's row."""
    missing = []
    for anchor in sorted(set(before) | set(after)):
        old, new = before.get(anchor, {}), after.get(anchor, {})
        delta = {key: new.get(key, 0) - old.get(key, 0) for key in FIGURES.sums}
        delta = {key: value for key, value in delta.items() if value}
        if delta:
            if not GroupFigures.objects.filter(pk=anchor).update(**{k: F(k) + v for k, v in delta.items()}):
                missing.append((anchor, delta))
        elif anchor not in before:
            missing.append((anchor, delta))
    if not missing:
        return
    present = set(GroupFigures.objects.filter(pk__in=[a for a, _ in missing]).values_list("pk", flat=True))
    missing = [(anchor, delta) for anchor, delta in missing if anchor not in present]
    if not missing:
        return
    columns = {
        pk: dict(zip(GROUP_COLUMNS, rest, strict=True))
        for pk, *rest in UnitFigures.objects.filter(pk__in=[a for a, _ in missing]).values_list("pk", *GROUP_COLUMNS)
    }
    # Created with zeros (another write may create it at the same time), then the difference added.
    GroupFigures.objects.bulk_create(
        [GroupFigures(anchor_id=anchor, **columns.get(anchor, {})) for anchor, _ in missing], ignore_conflicts=True
    )
    for anchor, delta in missing:
        if delta:
            GroupFigures.objects.filter(pk=anchor).update(**{k: F(k) + v for k, v in delta.items()})


class _Following:
    def __init__(self, day):
        self.day = day

    def moved(self, pks):
        """These units' ancestor columns changed: the groups they anchor take them too."""
        pks = list(pks)
        if self.day is None or not pks:
            return
        own = UnitFigures.objects.filter(pk=OuterRef("pk"))
        GroupFigures.objects.filter(pk__in=pks).update(
            **{column: Subquery(own.values(column)[:1]) for column in GROUP_COLUMNS}
        )


@contextmanager
def following(pks, lock=(), new=False):
    """Keep the group sums in step with a write, inside the block, to the UnitFigures rows of the
    units `pks`: in one transaction, their rows are locked (with those of `lock`: a caller that
    will write more rows locks them all first, in one order), their contributions counted by group
    before and after, and the difference added. `new`: the rows do not exist yet (a bulk load).
    A block that changes the ancestor columns of a unit anchoring a group says so with `.moved()`."""
    pks = sorted(set(pks))
    if not pks and not lock:
        yield _Following(None)
        return
    with transaction.atomic():
        day = _counted_day()
        if day is None:  # not counted: a recount will count everything
            yield _Following(None)
            return
        if new and len(pks) >= RECOUNT_ROWS:
            _lock(sorted(lock))
            yield _Following(day)
            _recount(day)
            return
        if new or len(pks) > IN_PYTHON:
            _lock(sorted({*lock} if new else {*pks, *lock}))
            before = {} if new else _count_groups_of(pks, day)
            yield _Following(day)
            _add(before, _count_groups_of(pks, day))
            return
        counted = set(pks)
        before = _contributions([r for r in _rows(sorted({*pks, *lock}), locked=True) if r["unit_id"] in counted], day)
        yield _Following(day)
        if pks:
            _add(before, _contributions(_rows(pks), day))


def recount_groups(day=None):
    """Count every group's sums afresh for `day` (today), from the units' stored figures: one
    statement. `turn_the_day` runs it after midnight, when figures move with the date alone (a term
    falls overdue, a closing date arrives), and `refresh_all` begins with it. It waits for the
    writes in progress and holds the next ones back for its own few seconds. Returns the number of
    groups."""
    day = day or timezone.localdate()
    with transaction.atomic():
        return _recount(day)


def _recount(day):
    """recount_groups inside the caller's transaction: takes the exclusive lock (waiting for the
    writes in progress, which hold it shared), counts every group in one statement, rewrites them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SUMS_LOCK_KEY])
    sums = _count_groups(UnitFigures.objects.all(), day)
    columns = {
        pk: dict(zip(GROUP_COLUMNS, rest, strict=True))
        for pk, *rest in UnitFigures.objects.filter(pk__in=list(sums)).values_list("pk", *GROUP_COLUMNS)
    }
    GroupFigures.objects.all().delete()
    GroupFigures.objects.bulk_create(
        [GroupFigures(anchor_id=a, **columns[a], **values) for a, values in sums.items() if a in columns],
        batch_size=2_000,
    )
    GroupFiguresDay.objects.update_or_create(pk=1, defaults={"day": day})
    return len(sums)


def turn_the_day(day=None):
    """Just after midnight: the units whose records take effect on the new day (an office, a home or
    a term starting or ending, a delay approved that day) have their figures refreshed, then the
    groups are counted for the day (the units' own dates and their terms' due dates are read from
    the stored rows by the count). Returns the number of groups."""
    day = day or timezone.localdate()
    units: set[int] = set()
    for model, fields in ((Office, ("started_on", "ended_on")), (ServicePosition, ("opened_on", "closed_on"))):
        dated = Q(**{fields[0]: day}) | Q(**{fields[1]: day})
        units.update(model._default_manager.filter(dated).values_list("unit", flat=True))
    units.update(Term.objects.filter(Q(started_on=day) | Q(ended_on=day)).values_list("unit", flat=True))
    units.update(TermDelay.objects.filter(approved_on=day).values_list("term__unit", flat=True))  # terms_delayed
    refresh_figures(units, day)
    return recount_groups(day)


def group_sums():
    """{anchor: {key: sum}} as stored (the consistency tests compare them with a recount)."""
    return {row.pop("anchor"): row for row in GroupFigures.objects.values("anchor", *FIGURES.sums)}


def counted_groups(day=None):
    """{anchor: {key: sum}} counted now from the units' stored figures, as a recount would."""
    return _count_groups(UnitFigures.objects.all(), day or timezone.localdate())


# The group reads are plain SQL: a handful of rows is summed in well under a millisecond, while
# compiling the same aggregate of 21 sums through the ORM took 15-20 ms. The identifiers are the
# model's own columns; every value is a parameter.
_GROUPS = GroupFigures._meta.db_table
_SUMS = ", ".join(f"SUM({key})" for key in FIGURES.sums)  # the columns are named after the figures
_COUNTED = "EXISTS (SELECT 1 FROM orgtree_groupfiguresday WHERE day = %s)"


def _sums_of(row):
    return dict(zip(FIGURES.sums, row, strict=True))


def _group_total(unit, day):
    """The sums over the groups of `unit`'s subtree, in one statement (Unit.subtree_q's selection:
    the unit's own group and those whose ancestor column is the unit); None when not counted for
    `day`."""
    where, params = _COUNTED, [day]
    column = ANCESTOR_COLUMNS.get(unit.kind)
    if column:
        where += f" AND (anchor_id = %s OR {column}_id = %s)"
        params += [unit.pk, unit.pk]
    elif unit.kind != Kind.NATIONAL:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), {_SUMS} FROM {_GROUPS} WHERE {where}", params)  # noqa: S608 (see above)
        groups, *sums = cursor.fetchone()
    return _sums_of(sums) if groups else None


def _group_by_child(children, day):
    """{child id: sums} of the children that are provinces, cities or counties, in one statement
    over their groups (a child's own and those beneath it: a county's is its own alone); {} when
    not counted for `day`."""
    ids = [child.pk for child in children if child.kind in ANCESTOR_COLUMNS]
    if not ids:
        return {}
    among = f"IN ({', '.join(['%s'] * len(ids))})"
    sql = (
        f"SELECT CASE WHEN anchor_id {among} THEN anchor_id WHEN city_id {among} THEN city_id ELSE province_id END,"  # noqa: S608 (see above)
        f" {_SUMS} FROM {_GROUPS} WHERE {_COUNTED}"
        f" AND (anchor_id {among} OR city_id {among} OR province_id {among}) GROUP BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *ids, day, *ids, *ids, *ids])
        found = {child: _sums_of(sums) for child, *sums in cursor.fetchall()}
    if len(found) < len(ids):  # not counted for the day (every such child anchors a group)
        return {}
    return found
