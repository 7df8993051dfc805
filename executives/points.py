"""积分考评 rules: the points in force at a unit, and the yearly ranking of the executives of a township or
a county. Read-only; the writes are in executives/activities.py.

Rules in force. A points rule is set by a county or a unit above it, per activity type, from a year on.
At a unit, the rule of a type is found going up from the unit (the unit itself, then its ancestors,
nearest first): at each unit its latest rule from a year on or before the year asked counts; if that
rule gives points, they are the points, if it was left empty the search goes on above. A type with no
rule anywhere earns no points. Nearest ancestor wins, whatever the years of the rules above.

The ranking. The executives of a township or county in a year are the people who held an office on a
committee of its subtree on some day of that year (one row per person and committee). Their points are
the sum, over their activities of that year (withdrawn ones left out), of the points of the activity's
type in force at the township or county for that year: rules are set only by counties and above, so
every committee of a county's subtree is under the same rules. Equal points share a rank (1, 1, 3). The
evaluation of the year is shown beside each row, and the rows are counted by grade.

Queries: a fixed number whatever the size of the subtree (the unit's ancestors, the rules of the whole
chain at once, the offices, the activities counted by person, committee and type, the evaluations).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q

from executives.models import Activity, ActivityType, Evaluation, Grade, PointsRule
from federation import scope
from orgtree.models import Office
from orgtree.models.committee import Role, role_title

RANKING_KINDS = ("county", "township", "street")
ROLE_ORDER = {role: n for n, role in enumerate(Role.values)}


@dataclass(frozen=True)
class InForce:
    points: int
    unit: object  # the unit that set it
    from_year: int


def chain_of(unit, lineage=None):
    """The unit, then its ancestors, nearest first (`lineage`: the unit's, top-down, when the page has it;
    else at most three queries: Unit.lineage)."""
    return [unit, *reversed(lineage if lineage is not None else unit.lineage())]


def rules_in_force(unit, year, chain=None):
    """{activity type id: InForce} at `unit` in `year` (module docstring); one query for the whole chain."""
    chain = chain if chain is not None else chain_of(unit)
    rows = PointsRule.objects.filter(unit__in=[u.pk for u in chain], from_year__lte=year).order_by("-from_year", "pk")
    return resolve(rows, chain)


def resolve(rows, chain):
    """{activity type id: InForce} from `rows` (the rules of the units of `chain` from a year on or before
    the year asked, latest year first) along `chain` (a unit, then its ancestors, nearest first; units
    without rules may be left out)."""
    latest: dict[tuple[int, int], PointsRule] = {}
    for each in rows:
        latest.setdefault((each.unit_id, each.activity_type_id), each)
    found = {}
    for type_id in {t for _u, t in latest}:
        for node in chain:
            rule = latest.get((node.pk, type_id))
            if rule is not None and rule.points is not None:
                found[type_id] = InForce(rule.points, node, rule.from_year)
                break
    return found


def rules_table(unit, year, lineage=None):
    """[(activity type, InForce or None)] for every type in use (or with a rule in force)."""
    in_force = rules_in_force(unit, year, chain_of(unit, lineage))
    types = ActivityType.objects.filter(Q(active=True) | Q(pk__in=list(in_force)))
    return [(t, in_force.get(t.pk)) for t in types]


@dataclass
class Row:
    person_id: int
    name: str
    unit_id: int
    unit_name: str
    unit_parent_id: int | None
    role: str
    unit_form: str = ""
    activities: int = 0
    points: int = 0
    by_type: Counter = field(default_factory=Counter)
    evaluation: Evaluation | None = None
    rank: int = 0

    @property
    def role_label(self):
        return role_title(self.role, self.unit_form)

    @property
    def grade_label(self):
        return self.evaluation.get_grade_display() if self.evaluation else ""


@dataclass
class Ranking:
    unit: object
    year: int
    rules: dict
    rows: list
    grades: list  # [(grade label, count)], then not evaluated

    @property
    def total_points(self):
        return sum(r.points for r in self.rows)


def year_bounds(year):
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def ranking(unit, year, lineage=None):
    """The executives of `unit`'s subtree in `year`, ranked by points (module docstring)."""
    first, last = year_bounds(year)
    rules = rules_in_force(unit, year, chain_of(unit, lineage))
    offices = (
        Office.objects.filter(unit.subtree_q("unit__"), started_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .values_list("person_id", "person__name", "unit_id", "unit__name", "unit__parent_id", "role", "unit__form")
    )
    rows: dict[tuple[int, int], Row] = {}
    for person_id, name, unit_id, unit_name, parent_id, role, form in offices:
        row = rows.get((person_id, unit_id))
        if row is None:
            rows[person_id, unit_id] = Row(person_id, name, unit_id, unit_name, parent_id, role, form)
        elif ROLE_ORDER[role] < ROLE_ORDER[row.role]:
            row.role = role
    counts = (
        Activity.objects.filter(
            unit.subtree_q("unit__"), held_on__gte=first, held_on__lte=last, withdrawn=False, person__isnull=False
        )
        .values_list("person_id", "unit_id", "activity_type_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for person_id, unit_id, type_id, n in counts:
        row = rows.get((person_id, unit_id))
        if row is None:  # an activity recorded while she held no office that year cannot be (clean_activity)
            continue
        row.activities += n
        row.by_type[type_id] += n
        rule = rules.get(type_id)
        row.points += n * rule.points if rule else 0
    for evaluation in Evaluation.objects.filter(unit.subtree_q("unit__"), year=year):
        row = rows.get((evaluation.person_id, evaluation.unit_id))
        if row is not None:
            row.evaluation = evaluation
    ordered = sorted(rows.values(), key=lambda r: (-r.points, -r.activities, r.unit_name, r.name, r.person_id))
    previous, rank = None, 0
    for n, row in enumerate(ordered, start=1):
        if row.points != previous:
            rank, previous = n, row.points
        row.rank = rank
    graded = Counter(r.evaluation.grade for r in ordered if r.evaluation)
    grades = [(g.label, graded[g.value]) for g in Grade]
    return Ranking(unit, year, rules, ordered, grades)


def not_evaluated(ranking):
    return sum(1 for r in ranking.rows if r.evaluation is None)


def evaluators(user, rows):
    """The committee units (ids) among `rows` whose evaluations `user` may record: one query for all."""
    parents = {r.unit_parent_id for r in rows if r.unit_parent_id}
    if user is None or not parents:
        return set()
    unit_model = scope.unit_model()
    allowed = scope.permitted(user, scope.CHANGE, [unit_model(pk=pk) for pk in parents])
    return {r.unit_id for r in rows if r.unit_parent_id in allowed}
