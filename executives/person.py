"""What a person does as an executive, on her page (federation.registry.person_panel; orgtree's person
page imports nothing of executives): the training sessions she attended, her contact lists and last
contact, her activities and points this year, her yearly evaluations, her rotating-chair months.

Scope. The person page is scoped by where she is registered; each panel reads only rows inside the
viewer's own scope (`scope.restrict` on the row's unit), so a cadre of county B never sees county A's
sessions, contact lists, activities, evaluations or months of a woman registered in B. Named contacts
are shown in clear only to those who may change their village (masked for viewers, blank once erased).

Queries: a fixed number whatever the number of rows — training 1, contacts 2, activities and points 2
(1 when she has none this year), evaluations 1, rotation 1.
"""

import datetime

from django.db.models import Case, Count, Max, Q, Sum, Value, When
from django.utils import timezone

from executives import contacts, points
from executives.models import Activity, Attendance, Evaluation, NamedContact, PointsRule, RotationMonth
from federation import scope
from orgtree.models import Office

NAMED_SHOWN = 20
ROTATION_SHOWN = 24


def _viewer(context):
    return context.get("viewer")


def training_panel(person, context):
    """The sessions she attended (in the viewer's scope: the organizing unit's), latest first."""
    rows = list(
        scope.restrict(Attendance.objects.filter(person=person), _viewer(context))
        .select_related("session__unit")
        .order_by("-session__starts_on", "-session_id")
    )
    if not rows:
        return None
    sessions = [a.session for a in rows]
    return {"person_training": {"sessions": sessions, "hours": sum(s.hours for s in sessions)}}


def contacts_panel(person, context):
    """Her contact list of each office (counts) and her contact log summed: the last contact, this year's
    contacts and women reached; the women she names (masked for viewers)."""
    user = _viewer(context)
    first = datetime.date(timezone.localdate().year, 1, 1)
    this_year = Q(contact_visits__date__gte=first)
    offices = [
        o
        for o in scope.restrict(Office.objects.filter(person=person), user)
        .select_related("unit", "contact_list")
        .annotate(
            last_contact=Max("contact_visits__date"),
            visits=Count("contact_visits", filter=this_year),
            visit_women=Sum("contact_visits__women", filter=this_year),
        )
        .order_by("-started_on", "-pk")
        if o.last_contact is not None or getattr(o, "contact_list", None) is not None
    ]
    named = list(_named(person, user)[: NAMED_SHOWN + 1])
    if not offices and not named:
        return None
    return {
        "person_contacts": {
            "year": first.year,
            "offices": [(o, getattr(o, "contact_list", None)) for o in offices],
            "named": [(c, contacts.shown_name(c, c.may_change)) for c in named[:NAMED_SHOWN]],
            "named_more": len(named) > NAMED_SHOWN,
        }
    }


def _named(person, user):
    """Her named contacts in the viewer's scope, each with `may_change` (her village in the viewer's
    change scope) computed in the same query."""
    rows = scope.restrict(NamedContact.objects.filter(office__person=person), user).select_related("unit")
    if user is not None and user.is_superuser:
        may_change = Value(True)
    else:
        q = scope.subtree_q(user, scope.CHANGE, scope.scope_path(NamedContact)) if user is not None else None
        may_change = Case(When(q, then=Value(True)), default=Value(False)) if q is not None else Value(False)
    return rows.annotate(may_change=may_change).order_by("erased_at", "unit__code", "pk")


def activities_panel(person, context):
    """Her activities this year (withdrawn ones left out) and the points each earns under the rules in
    force at its unit (executives/points.py: nearest rule up the tree wins)."""
    year = timezone.localdate().year
    first, last = points.year_bounds(year)
    activities = list(
        scope.restrict(Activity.objects.filter(person=person, withdrawn=False), _viewer(context))
        .filter(held_on__gte=first, held_on__lte=last)
        .select_related("unit", "activity_type", "position")
        .order_by("-held_on", "-pk")
    )
    if not activities:
        return None
    units = {a.unit_id: a.unit for a in activities}
    rules = list(
        PointsRule.objects.filter(
            Q(unit__in={pk for u in units.values() for pk in _chain_ids(u)}) | Q(unit__kind="national"),
            from_year__lte=year,
        )
        .select_related("unit")
        .order_by("-from_year", "pk")
    )
    in_force = {pk: points.resolve(rules, _chain(unit, rules)) for pk, unit in units.items()}
    rows = []
    for a in activities:
        rule = in_force[a.unit_id].get(a.activity_type_id)
        rows.append((a, rule.points if rule else 0))
    return {"person_activities": {"year": year, "rows": rows, "points": sum(p for _a, p in rows)}}


def _chain_ids(unit):
    """`unit` and the units above it that may set points rules (a county or above), nearest first; the
    national unit, which every unit is under, is found by its kind."""
    return [pk for pk in (unit.pk, unit.county_id, unit.city_id, unit.province_id) if pk]


def _chain(unit, rules):
    """The units of `unit`'s chain (points.chain_of) that set one of `rules`, nearest first."""
    setters = {r.unit_id: r.unit for r in rules}
    nearest = [setters[pk] for pk in dict.fromkeys(_chain_ids(unit)) if pk in setters]
    return nearest + [u for u in setters.values() if u.kind == "national"]


def evaluations_panel(person, context):
    """Her yearly evaluations (of the committees in the viewer's scope), latest year first."""
    rows = list(
        scope.restrict(Evaluation.objects.filter(person=person), _viewer(context))
        .select_related("unit", "evaluated_by")
        .order_by("-year", "unit__code", "pk")
    )
    return {"person_evaluations": rows} if rows else None


def rotation_panel(person, context):
    """The months she chairs (or chaired) a federation in rotation, latest first."""
    rows = list(
        scope.restrict(RotationMonth.objects.filter(office__person=person), _viewer(context))
        .select_related("unit")
        .order_by("-month", "unit__code", "pk")[:ROTATION_SHOWN]
    )
    if not rows:
        return None
    return {"person_rotation": {"months": rows, "this_month": timezone.localdate().replace(day=1)}}
