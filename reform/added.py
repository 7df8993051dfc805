"""新增执委: executives added since a date, counted from the terms (federation.figures set "added",
an evaluated set: the dashboard's export, the weekly snapshots and reform's automatic checklist items
and milestones read it by key).

- executives_added_village: over the villages and communities of the subtree open on the day, for
  each term that opened on or after `since` and on or before the day, its seats at the opening less
  the seats at the opening of the term it replaced (the unit's term numbered one less; none: 0);
- executives_added_township: the same over the townships and streets.

Seats at the opening: the term's offices that started the day it opened; void offices (ended the
day they started) and vice-chairs appointed by a unit above (no election) do not count, nor do
by-elected members (they started later). The figure is net: a committee renewed smaller subtracts,
and two renewals in the period telescope (the last term's seats less those of the term before the
first). A village's first committee (a 妇代会 loaded without a term, converted by a 会改联
election) adds all its seats.

`since`, when not given: the start of the latest campaign (Campaign.starts_on, on or before the
day) whose owner unit is the unit or a unit above it; without one, settings.BANYAN
["EXECUTIVES_ADDED_SINCE"]. A date parameter, so an evaluated set (like the executives' training
period), not a stored coverage figure: the stored figures are counted once per unit for every
reader, and each campaign has its own start.
"""

import datetime

from django.conf import settings
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from federation.figures import PEOPLE, Figure, FigureSet
from orgtree.choices import GRASSROOTS_KINDS, Kind
from orgtree.coverage import TOWNSHIP_KINDS, alive
from orgtree.models import Office, Term
from orgtree.rollups import Base, figures_by_child
from reform.models import Campaign

KINDS = {"executives_added_village": GRASSROOTS_KINDS, "executives_added_township": TOWNSHIP_KINDS}
COUNTED_KINDS = {kind for kinds in KINDS.values() for kind in kinds}


def setting_since():
    """settings.BANYAN["EXECUTIVES_ADDED_SINCE"] as a date."""
    value = settings.BANYAN["EXECUTIVES_ADDED_SINCE"]
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _covers(owner, unit):
    """Is `unit` in `owner`'s subtree? (from the rows' own columns: no query)"""
    if owner.kind == Kind.NATIONAL or owner.pk == unit.pk:
        return True
    if owner.pk in (unit.province_id, unit.city_id, unit.county_id):
        return True
    return owner.tree_id == unit.tree_id and owner.lft <= unit.lft and unit.rght <= owner.rght


def default_since(units, day=None):
    """{unit id: the day its executives are counted added from}: the start of the latest campaign
    started by `day` owned by the unit or a unit above it, else the setting (one query)."""
    day = day or timezone.localdate()
    campaigns = list(Campaign.objects.filter(starts_on__lte=day).select_related("unit").order_by("-starts_on", "-pk"))
    fallback = setting_since()
    return {unit.pk: next((c.starts_on for c in campaigns if _covers(c.unit, unit)), fallback) for unit in units}


def _added(since, day):
    """Per office at the opening of a term: +1 when its term opened in [since, day], -1 when the
    term that replaced its own did (both: 0)."""
    opened = Q(term__started_on__gte=since, term__started_on__lte=day)
    successor = Term.objects.filter(
        unit=OuterRef("unit_id"), number=OuterRef("term__number") + 1, started_on__gte=since, started_on__lte=day
    )
    rows = Office.objects.filter(
        alive(day, "unit__"),
        term__isnull=False,
        started_on=F("term__started_on"),
        appointment="",
        unit__kind__in=sorted(COUNTED_KINDS),
    ).exclude(ended_on=F("started_on"))
    rows = rows.filter(opened | Q(Exists(successor)))
    sign = Case(When(opened, then=Value(1)), default=Value(0), output_field=IntegerField()) - Case(
        When(Exists(successor), then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    return rows, sign


def _bases(since, day):
    rows, sign = _added(since, day)
    measures = {key: Sum(sign, filter=figure.where, default=0) for key, figure in FIGURES.figures.items()}
    # The subqueries defeat sqlcache's own description: the statements depend on the two dates only.
    return [Base(rows, "unit__", measures, key=("reform.added", since, day))]


def added_by_child(children, since, day=None, keys=None):
    """[(child, figures)] counted from `since` to `day` (today): one statement whatever the children."""
    return figures_by_child(list(children), _bases(since, day or timezone.localdate()), FIGURES, keys)


def added_figures(unit, since, day=None, keys=None):
    [(_unit, figures)] = added_by_child([unit], since, day, keys)
    return figures


def _evaluate(units, day=None, keys=None):
    """{unit id: figures} of each of `units` from its own default start (default_since): one
    statement per distinct start (a campaign's units share theirs)."""
    units = list(units)
    day = day or timezone.localdate()
    starts = default_since(units, day)
    found = {}
    for since in sorted(set(starts.values())):
        group = [unit for unit in units if starts[unit.pk] == since]
        found.update({unit.pk: figures for unit, figures in added_by_child(group, since, day, keys)})
    return found


FIGURES = FigureSet(
    "added",
    [
        Figure(
            "executives_added_village",
            _("Village executives added"),
            _(
                "新增村级执委: for each village or community, the seats of every term opened since the date "
                "(the campaign's start by default) less the seats of the term it replaced, seats at the "
                "opening (by-elected and appointed members not counted). Net: a smaller committee subtracts."
            ),
            PEOPLE,
            counted="seats",
            where=Q(unit__kind__in=KINDS["executives_added_village"]),
        ),
        Figure(
            "executives_added_township",
            _("Township executives added"),
            _(
                "新增乡镇（街道）执委: the same for each township or street: seats of the terms opened since "
                "the date less those of the terms they replaced."
            ),
            PEOPLE,
            counted="seats",
            where=Q(unit__kind__in=KINDS["executives_added_township"]),
        ),
    ],
    evaluate=_evaluate,
    title=_("Executives added"),
)
