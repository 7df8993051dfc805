"""Attributable history: services call `record()` for every write they make."""

from django.contrib.contenttypes.models import ContentType

from federation import scope
from federation.models import ChangeRecord


def snapshot(obj, fields):
    """The current values of `fields` as JSON-able values (foreign keys by id)."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, field.attname)
        values[name] = value if value is None or isinstance(value, (int, str, bool)) else str(value)
    return values


def diff(before, after):
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def unit_id_of(obj):
    """The pk of the unit `obj` belongs to: a unit itself, else along its model's `scope_unit_path`
    (the path `scope.restrict()` filters by); None for objects of no unit."""
    if isinstance(obj, ChangeRecord._meta.get_field("unit").related_model):
        return obj.pk
    path = getattr(type(obj), "scope_unit_path", None)
    if path is None:
        return None
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
        if obj is None:
            return None
    return getattr(obj, obj._meta.get_field(last).attname)


def build(obj, user, action, changes, source, note="", unit=None):
    """An unsaved record (for bulk_create by bulk loaders); its unit is derived from `obj` unless given."""
    return ChangeRecord(
        user=user if user is not None and user.is_authenticated else None,
        source=source, action=action, changes=changes, note=note[:200],
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk, object_repr=str(obj)[:200],
        unit_id=unit.pk if unit is not None else unit_id_of(obj),
    )


def record(obj, user, action, changes, source, note="", unit=None):
    entry = build(obj, user, action, changes, source, note, unit)
    entry.save()
    return entry


def history_of(obj, user):
    """The records of `obj` that `user` may see (`None` is the system: commands and tests see all)."""
    records = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("user", "unit")
    return records if user is None else scope.restrict(records, user)
