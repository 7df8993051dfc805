"""The register's figures (federation.figures set "register"): coverage with denominators, rolled up the
tree in a fixed number of statements (orgtree.rollups), whatever the number of organizations or units.

For each kind k of the register (agency, enterprise, social_org, new_domain), over a unit's subtree:
- k_should_build: open organizations of the kind that should build a women's organization or are built
  (register.models.COUNTED: an organization linked to an open committee counts even where the rule
  would not require it);
- k_built: those of them linked to an open committee unit (BUILT);
- k_coverage_rate: k_built / k_should_build, in percent (of the sums: never a mean of the children's).

And the unit's own agencies and institutions (e.g. a city's 73 市直机关, "73个…实现全覆盖"):
- own_agencies_should_build, own_agencies_built: agencies registered directly under the unit itself, not
  under its counties or townships; not summed up the tree (federation.figures.Own): a city's figure is
  the city's own agencies, a county's its own (区直机关);
- own_agencies_rate: own_agencies_built / own_agencies_should_build, in percent.

The register keeps today's answers (`should_build`): for a past day the figures count the organizations
registered by that day and not closed then, built by committees not closed then, with today's answers.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from federation.figures import COUNT, PERCENT, Figure, FigureSet, Own
from orgtree.rollups import aggregates, rollup, total
from register.models import Organization, OrgKind

KINDS = [OrgKind.AGENCY, OrgKind.ENTERPRISE, OrgKind.SOCIAL_ORG, OrgKind.NEW_DOMAIN]
OWN_KEYS = ["own_agencies_should_build", "own_agencies_built", "own_agencies_rate"]


def _open(day=None):
    if day is None:
        return Q(closed_on__isnull=True)
    return Q(created_at__date__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def built(day=None):
    """Linked to a committee open on `day` (today by default)."""
    live = Q(committee__closed_on__isnull=True)
    if day is not None:
        live |= Q(committee__closed_on__gt=day)
    return Q(committee__isnull=False) & live


def counted(day=None):
    """The denominator: should build, or built whatever the rule."""
    return Q(should_build=True) | built(day)


# Each label written out, so that it is translated when shown (a lazy string formatted at import is not).
LABELS = {
    OrgKind.AGENCY: (_("Agencies: should build"), _("Agencies: built"), _("Agencies: coverage %")),
    OrgKind.ENTERPRISE: (_("Enterprises: should build"), _("Enterprises: built"), _("Enterprises: coverage %")),
    OrgKind.SOCIAL_ORG: (
        _("Social organizations: should build"),
        _("Social organizations: built"),
        _("Social organizations: coverage %"),
    ),
    OrgKind.NEW_DOMAIN: (_("New domains: should build"), _("New domains: built"), _("New domains: coverage %")),
}


def _kind_figures(kind):
    should, done, rate = LABELS[kind]
    return [
        Figure(
            f"{kind}_should_build",
            should,
            _(
                "Open organizations of the register of this kind, in the subtree, that should build a women's "
                "organization by the rule or a decision, or that are built."
            ),
            COUNT,
            counted="organizations",
            where=lambda day: Q(kind=kind) & counted(day),
        ),
        Figure(
            f"{kind}_built",
            done,
            _("Of those, the organizations linked to an open women's organization (one may cover several)."),
            COUNT,
            counted="organizations",
            where=lambda day: Q(kind=kind) & built(day),
        ),
        Figure(
            f"{kind}_coverage_rate",
            rate,
            _("built / should build of this kind, in percent."),
            PERCENT,
            rate=(f"{kind}_built", f"{kind}_should_build"),
        ),
    ]


def _evaluate(units, day=None, keys=None):
    """{unit id: figures} of each of `units` (with `keys`, only those): what the coverage dashboard's
    export, the weekly snapshots and reform's automatic checklist items read. A fixed number of
    statements: the subtrees' counts (orgtree.rollups.rollup) and the units' own agencies (one)."""
    units = list(units)
    return dict(zip([u.pk for u in units], _figures(units, day, keys), strict=True))


FIGURES = FigureSet(
    "register",
    [
        *[figure for kind in KINDS for figure in _kind_figures(kind.value)],
        Own(
            "own_agencies_should_build",
            _("Own agencies: should build"),
            _(
                "Agencies and institutions registered directly under the unit itself (e.g. a city's 市直机关), "
                "open, that should build or are built. The unit's own: not summed from its subunits."
            ),
            COUNT,
            counted="own",
            where=lambda day: Q(kind=OrgKind.AGENCY) & counted(day),
        ),
        Own(
            "own_agencies_built",
            _("Own agencies: built"),
            _("Of the unit's own agencies, those linked to an open women's organization. Not summed."),
            COUNT,
            counted="own",
            where=lambda day: Q(kind=OrgKind.AGENCY) & built(day),
        ),
        Figure(
            "own_agencies_rate",
            _("Own agencies: coverage %"),
            _("own_agencies_built / own_agencies_should_build, in percent (e.g. 73/73 = 100%)."),
            PERCENT,
            rate=("own_agencies_built", "own_agencies_should_build"),
        ),
    ],
    evaluate=_evaluate,
    title=_("Organization register"),
)


def _rows(day=None):
    return Organization.objects.filter(_open(day))


def _own(units, day, needed):
    """{unit id: {own measure: count}} of the organizations registered on each unit itself: one statement."""
    measures = {k: m for k, m in FIGURES.measures("own", day).items() if needed is None or k in needed}
    found = {u.pk: dict.fromkeys(measures, 0) for u in units}
    if not measures or not units:
        return found
    grouped = (
        _rows(day)
        .filter(unit_id__in=list(found))
        .order_by()
        .values("unit_id")
        .annotate(**{f"m_{k}": v for k, v in aggregates(measures).items()})
    )
    for row in grouped:
        found[row["unit_id"]].update({k: row[f"m_{k}"] for k in measures})
    return found


def _subtree_measures(day, needed):
    return {k: m for k, m in FIGURES.measures("organizations", day).items() if needed is None or k in needed}


def _figures(units, day=None, keys=None):
    """[figures] of each of `units` over its subtree, in order."""
    units = list(units)
    needed = None if keys is None else FIGURES.needs(keys)
    measures = _subtree_measures(day, needed)
    sums = rollup(units, _rows(day), measures, "unit__") if measures and units else {u.pk: {} for u in units}
    own = _own(units, day, needed)
    return [FIGURES.complete({**sums[u.pk], **own[u.pk]}, keys) for u in units]


def register_figures(unit, day=None, keys=None):
    """The figures of `keys` (all by default) over `unit`'s subtree: two statements."""
    needed = None if keys is None else FIGURES.needs(keys)
    measures = _subtree_measures(day, needed)
    sums = total(unit, _rows(day), measures, "unit__") if measures else {}
    return FIGURES.complete({**sums, **_own([unit], day, needed)[unit.pk]}, keys)


def register_by_child(unit, children=None, day=None, keys=None):
    """[(child, figures)] for the open children of `unit` (or `children`): a few statements whatever
    the children or the organizations."""
    if children is None:
        children = list(unit.children.open().order_by("code", "name", "pk"))
    return list(zip(children, _figures(children, day, keys), strict=True))


def unit_and_children(unit, children, day=None, keys=None):
    """(the unit's figures, [(child, figures)]): the dashboard panel's, in four statements (the subtree's
    total, the children's rollup, the own agencies of the unit and of the children in one)."""
    children = list(children)
    needed = None if keys is None else FIGURES.needs(keys)
    measures = _subtree_measures(day, needed)
    rows = _rows(day)
    whole = total(unit, rows, measures, "unit__") if measures else {}
    sums = rollup(children, rows, measures, "unit__") if measures and children else {c.pk: {} for c in children}
    own = _own([unit, *children], day, needed)
    figures = FIGURES.complete({**whole, **own[unit.pk]}, keys)
    return figures, [(c, FIGURES.complete({**sums[c.pk], **own[c.pk]}, keys)) for c in children]
