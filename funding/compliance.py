"""Which units meet or miss each funding standard in a year, and the money recorded, for a subtree.

Standards are data (FundingStandard): each of a unit's standards is its own latest one from a year
on or before the one asked, or else the nearest ancestor's. What each standard is measured against:

- per_woman: counties, cities and provinces — same-level budget 妇女儿童民生项目经费 (women's and
  children's livelihood project funds, not the work funds) / women population; unknown without a
  population figure for the year.
- township_funds: townships and streets — work funds budgeted for the year, all sources (none
  recorded counts as 0 and misses).
- village_funds_in_budget: villages and communities, where required — same-level budget (the
  village operations budget) work funds above 0.
- chair_pay: villages and communities — the chair's pay / the party secretary's (from the 会改联
  data, ChairPay); unknown without both figures for the year.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from federation.figures import COUNT, YUAN, Figure, FigureSet
from funding.models import Category, FundingRecord, FundingStandard, Project, Source, WomenPopulation
from orgtree.choices import GRASSROOTS_KINDS, Kind
from orgtree.models import ChairPay, Unit
from orgtree.rollups import rollup, total

MET, MISSED, UNKNOWN = "met", "missed", "unknown"
STATUSES = (MET, MISSED, UNKNOWN)
STANDARDS = {
    "per_woman": _("Livelihood project funds per woman"),
    "township_funds": _("Township work funds"),
    "village_funds_in_budget": _("Village funds in the operations budget"),
    "chair_pay": _("Chair's pay"),
}
APPLIES_TO = {
    "per_woman": {Kind.PROVINCE, Kind.CITY, Kind.COUNTY},
    "township_funds": {Kind.TOWNSHIP, Kind.STREET},
    "village_funds_in_budget": set(GRASSROOTS_KINDS),
    "chair_pay": set(GRASSROOTS_KINDS),
}
FIELD_OF = {
    "per_woman": "per_woman",
    "township_funds": "township_funds",
    "village_funds_in_budget": "village_funds_in_budget",
    "chair_pay": "chair_pay_ratio",
}
CENT = Decimal("0.01")


class Subtree:
    """The open units under `unit` with their parents, and the ancestors above. The unit itself is
    always there, closed or not, so that the standards in force at a closed unit can be shown."""

    def __init__(self, unit):
        self.root = unit
        rows = Unit.objects.filter(Q(pk=unit.pk) | (unit.subtree_q() & Q(closed_on__isnull=True)))
        self.units = {row["pk"]: row for row in rows.values("pk", "kind", "name", "code", "parent_id")}
        self.above = [u.pk for u in unit.lineage()]  # top-down, the unit excluded

    def chain(self, pk):
        """The unit, its ancestors inside the subtree, then those above it (nearest first)."""
        while pk in self.units:
            yield pk
            pk = self.units[pk]["parent_id"] if pk != self.root.pk else None
        yield from reversed(self.above)

    def child_of_root(self, pk):
        """The root's child whose subtree holds `pk` (None for the root itself)."""
        previous = None
        for node in self.chain(pk):
            if node == self.root.pk:
                return previous
            previous = node
        return None


def effective_standards(tree, year):
    """{unit pk: {field: (value, set by unit pk, year)}} for every unit of the subtree."""
    own = defaultdict(list)
    ids = set(tree.above) | {tree.root.pk}
    rows = FundingStandard.objects.filter(Q(unit__in=ids) | tree.root.subtree_q("unit__"), year__lte=year)
    for standard in rows.order_by("-year"):
        own[standard.unit_id].append(standard)
    memo: dict[int, dict[str, tuple[object, int, int]]] = {}

    def resolve(pk):
        if pk in memo:
            return memo[pk]
        result = {}
        for node in tree.chain(pk):
            for field in FundingStandard.FIELDS:
                if field in result:
                    continue
                for standard in own.get(node, ()):
                    value = getattr(standard, field)
                    if value is not None:
                        result[field] = (value, node, standard.year)
                        break
            if len(result) == len(FundingStandard.FIELDS):
                break
        memo[pk] = result
        return result

    return {pk: resolve(pk) for pk in tree.units}


def _per(amount, count):
    return (amount / count).quantize(CENT, rounding=ROUND_HALF_UP)


NO_FUNDS = {"all": Decimal(0), "same_level": Decimal(0), "livelihood": Decimal(0)}
# The categories the standards read: work funds (township, village) and 妇女儿童民生项目经费 (per woman).
MEASURED_CATEGORIES = (Category.WORK_FUNDS, Category.WOMEN_CHILDREN)


def judge(kind, standards, women, funds, pay):
    """{standard: (status, measured value)} of one unit of `kind`: `standards` in force there (as
    effective_standards gives them), its women population, its funds ({"all", "same_level"}: work funds;
    "livelihood": same-level 妇女儿童民生项目经费) and
    (chair's, party secretary's) pay for the year, each None when not recorded. The one place the
    rules of the module docstring are written: the request and the stored results (funding.results)
    both measure with it."""
    applied = {}
    funds = funds or NO_FUNDS
    for key, kinds in APPLIES_TO.items():
        setting = standards.get(FIELD_OF[key])
        if kind not in kinds or setting is None or setting[0] is False:
            continue
        target = setting[0]
        if key == "per_woman":
            if not women:
                applied[key] = (UNKNOWN, None)
                continue
            # Compared exactly (funds ≥ target × women); the rounded amount is only shown.
            amount = funds["livelihood"]
            applied[key] = (MET if amount >= target * women else MISSED, _per(amount, women))
        elif key == "township_funds":
            value = funds["all"]
            applied[key] = (MET if value >= target else MISSED, value)
        elif key == "village_funds_in_budget":
            value = funds["same_level"]
            applied[key] = (MET if value > 0 else MISSED, value)
        else:
            chair, secretary = pay or (None, None)
            if chair is None or not secretary:
                applied[key] = (UNKNOWN, None)
                continue
            value = (chair / secretary).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
            applied[key] = (MET if chair >= target * secretary else MISSED, value)
    return applied


def add_funds(funds, unit_id, category, source, amount):
    """Add a funding line to `funds` ({unit: {"all", "same_level", "livelihood"}}), in Decimal: work funds
    to all (and same_level when budgeted at the same level), same-level 妇女儿童民生项目经费 to livelihood."""
    sums = funds.setdefault(unit_id, dict(NO_FUNDS))
    if category == Category.WOMEN_CHILDREN:
        if source == Source.SAME_LEVEL:
            sums["livelihood"] += amount
        return
    sums["all"] += amount
    if source == Source.SAME_LEVEL:
        sums["same_level"] += amount


def compliance(unit, year):
    """(Subtree, {unit pk: {standard: (status, measured value)}}) for the open units of the subtree;
    a standard that does not apply, or that nobody set, is absent."""
    tree = Subtree(unit)
    standards = effective_standards(tree, year)
    within = unit.subtree_q("unit__")
    women = dict(WomenPopulation.objects.filter(within, year=year).values_list("unit", "women"))
    funds: dict[int, dict[str, Decimal]] = {}
    for unit_id, category, source, amount in FundingRecord.objects.filter(
        within, year=year, category__in=MEASURED_CATEGORIES
    ).values_list("unit", "category", "source", "budgeted"):
        add_funds(funds, unit_id, category, source, amount)
    pay = {
        unit_id: (chair, secretary)
        for unit_id, chair, secretary in ChairPay.objects.filter(within, year=year).values_list(
            "unit", "chair_annual", "party_secretary_annual"
        )
    }
    results = {}
    for pk, row in tree.units.items():
        if pk == unit.pk and not unit.is_open:
            continue  # a closed unit is not measured
        results[pk] = judge(row["kind"], standards[pk], women.get(pk), funds.get(pk), pay.get(pk))
    return tree, results


def _empty_counts():
    return {key: dict.fromkeys(STATUSES, 0) for key in STANDARDS}


def summarize(tree, results):
    """({standard: {status: n}} over the subtree, {child pk: the same over the child's subtree})."""
    overall = _empty_counts()
    by_child: defaultdict[int, dict[str, dict[str, int]]] = defaultdict(_empty_counts)
    for pk, applied in results.items():
        child = tree.child_of_root(pk)
        for key, (status, _value) in applied.items():
            overall[key][status] += 1
            if child is not None:
                by_child[child][key][status] += 1
    return overall, by_child


# The headline money figures of a subtree and year: summed (or counted) by money() below from the
# funding records and the projects of open units in the year.
FIGURES = FigureSet(
    "funding",
    [
        Figure(
            "budgeted",
            _("Budgeted (yuan)"),
            _("Funds budgeted in the year by open units."),
            YUAN,
            counted="records",
            summed="budgeted",
        ),
        Figure(
            "disbursed",
            _("Disbursed (yuan)"),
            _("Funds disbursed in the year by open units."),
            YUAN,
            counted="records",
            summed="disbursed",
        ),
        Figure("projects", _("Projects"), _("Projects of open units in the year."), COUNT, counted="projects"),
        Figure(
            "project_amount",
            _("Project amount (yuan)"),
            _("Amount of those projects."),
            YUAN,
            counted="projects",
            summed="amount",
        ),
    ],
)
# Besides the figures, the budgeted amount of each category (the funding page's breakdown).
MONEY = {
    **FIGURES.measures("records"),
    **{f"budgeted_{c.value}": Sum("budgeted", filter=Q(category=c), default=Decimal(0)) for c in Category},
}
PROJECTS = FIGURES.measures("projects")


def money(unit, year, children=None):
    """Money recorded in the year over the subtree (or per child): sums by category, and projects."""
    records = FundingRecord.objects.filter(year=year, unit__closed_on__isnull=True)
    projects = Project.objects.filter(year=year, unit__closed_on__isnull=True)
    if children is None:
        return _cents({**total(unit, records, MONEY, "unit__"), **total(unit, projects, PROJECTS, "unit__")})
    sums = rollup(children, records, MONEY, "unit__")
    counts = rollup(children, projects, PROJECTS, "unit__")
    return {pk: _cents({**sums[pk], **counts[pk]}) for pk in sums}


def _cents(figures):
    # PostgreSQL sums numeric exactly; SQLite (the embedded default) hands back a float-made Decimal.
    return {k: v if isinstance(v, int) else Decimal(v).quantize(CENT) for k, v in figures.items()}


def standards_in_force(unit, year):
    """({field: (value, set by unit pk, from year)}, [the unit and its ancestors, nearest first]): the
    standards in force at `unit` alone (the funding page and the API show them), in at most four queries."""
    chain = [unit, *reversed(unit.lineage())]
    own = defaultdict(list)
    for standard in FundingStandard.objects.filter(unit__in=[u.pk for u in chain], year__lte=year).order_by("-year"):
        own[standard.unit_id].append(standard)
    result = {}
    for node in chain:
        for field in FundingStandard.FIELDS:
            if field not in result:
                value = next(((getattr(s, field), s.year) for s in own[node.pk] if getattr(s, field) is not None), None)
                if value is not None:
                    result[field] = (value[0], node.pk, value[1])
    return result, chain
