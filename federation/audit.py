"""Attributable history: services call `record()` for every write they make."""

from django.contrib.contenttypes.models import ContentType

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


def build(obj, user, action, changes, source, note=""):
    """An unsaved record (for bulk_create by bulk loaders)."""
    return ChangeRecord(
        user=user if user is not None and user.is_authenticated else None,
        source=source, action=action, changes=changes, note=note[:200],
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk, object_repr=str(obj)[:200],
    )


def record(obj, user, action, changes, source, note=""):
    entry = build(obj, user, action, changes, source, note)
    entry.save()
    return entry


def history_of(obj):
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("user")


def after_rollback(exc):
    """Some refusals must leave a trace although the transaction they abort is rolled back (an ID
    number that belongs to someone the writer cannot see is kept for the admins above). Such an
    error carries an `after_rollback()`; the places that catch errors, outside every transaction
    (the API's error handler, the page forms, the import job), call it through here."""
    write = getattr(exc, "after_rollback", None)
    if write is not None:
        write()
