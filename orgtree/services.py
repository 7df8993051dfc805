"""Unit operations: the only way pages, the API, the admin and commands write units.

Each runs under the tree lock in one transaction, checks the writer's scope before and after,
validates with Unit.clean(), and records who changed what.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from federation import audit, locks, scope, writes
from federation.models import ChangeRecord
from orgtree import coverage
from orgtree.choices import ANCESTOR_COLUMNS, BOUNDARY_KINDS, GRASSROOTS_KINDS
from orgtree.models import GroupFigures, Office, Role, Unit, UnitFigures
from orgtree.signals import figures_changed
from orgtree.tree import tree_lock

# The village facts (secretary_is_woman, director_is_woman): see Unit and follow_chair_posts.
VILLAGE_FACTS = ("secretary_is_woman", "director_is_woman")
EDITABLE_FIELDS = ("kind", "form", "name", "short_name", "code", "subtype", "opened_on", *VILLAGE_FACTS)
TRACKED_FIELDS = (*EDITABLE_FIELDS, "parent", "closed_on")
# What the 会改联 figures count of a village or community: a change to one of them, its creation, move or
# closure is refused while its approved 会改联结果 are locked (federation.locks set "conversion").
LOCK = "conversion"
COUNTED_FIELDS = ("kind", "form", "subtype", "opened_on", "closed_on", "parent", *VILLAGE_FACTS)


def guard_counted(units, before=None):
    """Refuse changing what the 会改联 figures count of `units` (the villages and communities among them)
    when an approval locks them; `before` {pk: snapshot}: only those whose counted fields change."""
    counted = [
        u
        for u in units
        if u.kind in GRASSROOTS_KINDS or (before and before.get(u.pk, {}).get("kind") in GRASSROOTS_KINDS)
    ]
    if before is not None:
        counted = [u for u in counted if audit.diff(before[u.pk], audit.snapshot(u, COUNTED_FIELDS))]
    if counted:
        locks.guard(counted, LOCK)


def validate(unit):
    """Unit.clean() and field checks; the code-uniqueness constraint is checked by clean() in Chinese.
    A village whose chair in office is its party secretary (director) cannot say the secretary
    (director) is not a woman."""
    unit.full_clean(exclude=["lft", "rght", "tree_id", "level", "version"], validate_constraints=False)
    if unit.pk is None or unit.kind not in GRASSROOTS_KINDS:
        return
    posts = chair_posts([unit.pk]).get(unit.pk, set())
    errors = {}
    if "secretary_is_woman" in posts and not unit.secretary_is_woman:
        errors["secretary_is_woman"] = _(
            "The chair of the women's federation is the party organization secretary: the secretary is a woman."
        )
    if "director_is_woman" in posts and not unit.director_is_woman:
        errors["director_is_woman"] = _(
            "The chair of the women's federation is the villagers' (residents') committee director: "
            "the director is a woman."
        )
    if errors:
        raise ValidationError(errors)


def chair_posts(unit_ids, day=None):
    """{unit id: the village facts its chair in office on `day` (today) makes true} (one query)."""
    day = day or timezone.localdate()
    found: dict[int, set[str]] = {}
    held = Office.objects.filter(
        Q(is_party_secretary=True) | Q(is_village_director=True),
        unit__in=list(unit_ids),
        role=Role.CHAIR,
        started_on__lte=day,
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
    for unit_id, secretary, director in held.values_list("unit", "is_party_secretary", "is_village_director"):
        posts = found.setdefault(unit_id, set())
        if secretary:
            posts.add("secretary_is_woman")
        if director:
            posts.add("director_is_woman")
    return found


def set_village_facts(user, facts, *, source="web"):
    """Record the village facts {unit: {fact: bool}} (the 会改联 import, the chair's posts): the units
    grouped by the values they take, each group changed as update_units changes units (scope, rules,
    history, figures). The facts a chair in office makes true stay true. Returns the units changed."""
    posts = chair_posts([unit.pk for unit in facts])
    groups: dict[tuple, list] = {}
    for unit, values in facts.items():
        wanted = {f: bool(values.get(f, getattr(unit, f))) or f in posts.get(unit.pk, ()) for f in VILLAGE_FACTS}
        if any(getattr(unit, f) != wanted[f] for f in VILLAGE_FACTS):
            groups.setdefault(tuple(wanted[f] for f in VILLAGE_FACTS), []).append(unit)
    changed = []
    for values, units in groups.items():
        changed += update_units(user, units, dict(zip(VILLAGE_FACTS, values, strict=True)), source=source)
    return changed


def follow_chair_posts(user, offices, *, source="web"):
    """A chair seated (or changed) as party secretary or director of her village: the village's fact
    follows (the secretary, the director is a woman), recorded as her writer's change."""
    ids = {o.unit_id for o in offices if o.role == "chair" and (o.is_party_secretary or o.is_village_director)}
    if not ids:
        return []
    units = Unit.objects.filter(pk__in=ids, kind__in=GRASSROOTS_KINDS)
    return set_village_facts(user, {unit: {} for unit in units}, source=source)


def _fresh(unit_or_pk):
    return Unit.objects.get(pk=getattr(unit_or_pk, "pk", unit_or_pk))


def create_unit(user, parent, *, source="web", **fields):
    """Create a unit under `parent` (None for a root, superusers and commands only)."""
    with tree_lock():
        parent = _fresh(parent) if parent is not None else None
        if parent is None:
            if user is not None and not user.is_superuser:
                raise PermissionDenied(_("Only a system administrator can create a top-level unit."))
        else:
            scope.require(user, scope.CHANGE, parent)
        unit = Unit(parent=parent, **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
        validate(unit)
        if parent is not None and unit.kind in GRASSROOTS_KINDS:
            locks.guard(parent, LOCK)  # a new village counts in its approved township's figures
        unit.save()
        scope.require(user, scope.CHANGE, unit)
        return writes.create(unit, user, TRACKED_FIELDS, source=source)


def update_unit(user, unit, changes, *, version=None, source="web"):
    """Change the editable fields. `version` is what the writer saw: a stale one is a conflict."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    with tree_lock():
        current = _fresh(unit)
        scope.require(user, scope.CHANGE, current)
        writes.check_version(current, version)
        before = audit.snapshot(current, TRACKED_FIELDS)
        for name, value in changes.items():
            setattr(current, name, value)
        validate(current)
        if not audit.diff(before, audit.snapshot(current, TRACKED_FIELDS)):
            return current
        guard_counted([current], {current.pk: before})
        if current.is_boundary != (before["kind"] in BOUNDARY_KINDS):
            raise ValidationError(
                {
                    "kind": _(
                        "This change of kind would move the unit across the county "
                        "boundary; close it and create a new unit instead."
                    )
                }
            )
        return writes.save(current, user, before, TRACKED_FIELDS, source=source)


# Fields `update_units` changes: none moves a unit, changes its kind or code, or closes it.
BULK_FIELDS = ("form", "name", "short_name", *VILLAGE_FACTS)


def update_units(user, units, changes, *, source="web"):
    """The same change to several units (the form of the villages a 会改联 import converts), as
    `update_unit` makes it to each: under the tree lock, the scope checked for all of them in one query,
    each unit validated by Unit.clean() (`writes.full_clean_many`: their
    foreign keys in one query for all), the changed ones saved in one UPDATE (version bumped) and
    recorded in one insert. Returns the units, as changed."""
    unknown = set(changes) - set(BULK_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    with tree_lock():
        current = list(Unit.objects.filter(pk__in=[u.pk for u in units]).select_related("parent").order_by("pk"))
        scope.require_all(user, scope.CHANGE, current)
        before = {u.pk: audit.snapshot(u, TRACKED_FIELDS) for u in current}
        for unit in current:
            for name, value in changes.items():
                setattr(unit, name, value)
        writes.full_clean_many(
            current, exclude=["lft", "rght", "tree_id", "level", "version"], validate_constraints=False
        )
        changed = [
            (u, delta) for u in current if (delta := audit.diff(before[u.pk], audit.snapshot(u, TRACKED_FIELDS)))
        ]
        if changed:
            guard_counted([u for u, _d in changed], before)
            Unit.objects.filter(pk__in=[u.pk for u, _d in changed]).update(
                **changes, version=F("version") + 1, updated_at=timezone.now()
            )
            for unit, _delta in changed:
                unit.version += 1
            UnitFigures.follow([u for u, _d in changed])  # what Unit.save() does after each save
            writes.record_changes([(u, delta, "") for u, delta in changed], user, source=source)
        return current


def move_unit(user, unit, new_parent, *, version=None, source="web"):
    """Put `unit` (and its subtree) under `new_parent`."""
    with tree_lock():
        current = _fresh(unit)
        new_parent = _fresh(new_parent)
        if user is not None and not scope.can_restructure(user, current):
            raise PermissionDenied(_("You can only move units inside your scope, not its top unit."))
        scope.require(
            user, scope.CHANGE, new_parent, _("The new parent %(unit)s is outside your scope.") % {"unit": new_parent}
        )
        writes.check_version(current, version)
        if Unit.objects.filter(current.subtree_q(), pk=new_parent.pk).exists():
            raise ValidationError({"parent": _("A unit cannot move under itself or its own subunits.")})
        if new_parent.pk == current.parent_id:
            return current
        before = audit.snapshot(current, TRACKED_FIELDS)
        old_parent_id = current.parent_id
        if current.kind in GRASSROOTS_KINDS:  # it leaves one township's figures for another's
            locks.guard([current, new_parent], LOCK)
        current.parent = new_parent
        validate(current)
        column = ANCESTOR_COLUMNS.get(current.kind)
        # A county, city or province moves with the groups it anchors (their columns change, not
        # their sums); anything else takes its subtree's figures from one group to another: those
        # rows are locked first, with the unit's own, in one order.
        moving = (
            []
            if column
            else list(Unit.objects.filter(current.subtree_q()).exclude(pk=current.pk).values_list("pk", flat=True))
        )
        with coverage.following(moving, lock=[current.pk]):
            # MPTT moves the node (and its subtree) when the parent changes; the whole write is one transaction
            writes.save(current, user, before, TRACKED_FIELDS, source=source, action=ChangeRecord.Action.MOVE)
            # The descendants' ancestor columns above the moved unit's own level follow it; those at or
            # below its level point inside the moved subtree and stay.
            order = ["province", "city", "county"]
            above = order[: order.index(column)] if column else order
            updates = {f"{c}_id": getattr(current, f"{c}_id") for c in above}
            if updates:
                below = Unit.objects.filter(current.subtree_q()).exclude(pk=current.pk)
                UnitFigures.objects.filter(pk__in=below.values("pk")).update(**updates)
                below.update(**updates)
                if column:  # the groups anchored beneath it (a city's counties)
                    GroupFigures.objects.filter(**{f"{column}_id": current.pk}).update(**updates)
        scope.require(user, scope.CHANGE, current)
        figures_changed.send(sender=Unit, unit_ids=[old_parent_id])  # the old ancestors lost the subtree
        return current


def close_unit(user, unit, closed_on, *, note="", version=None, source="web"):
    """Close a unit on a date. Units are never deleted; one with open subunits cannot close."""
    with tree_lock():
        current = _fresh(unit)
        if user is not None and not scope.can_restructure(user, current):
            raise PermissionDenied(_("You can only close units inside your scope, not its top unit."))
        writes.check_version(current, version)
        if current.closed_on is not None:
            raise ValidationError({"closed_on": _("%(name)s is already closed.") % {"name": current.name}})
        open_children = current.children.open().count()
        if open_children:
            raise ValidationError(
                {
                    "closed_on": _("%(name)s still has %(count)d open subunits: close or move them first.")
                    % {"name": current.name, "count": open_children}
                }
            )
        before = audit.snapshot(current, TRACKED_FIELDS)
        current.closed_on = closed_on
        validate(current)
        guard_counted([current])
        return writes.save(
            current, user, before, TRACKED_FIELDS, source=source, action=ChangeRecord.Action.CLOSE, note=note
        )
