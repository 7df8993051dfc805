"""Tracked writes: how every service changes a versioned object, so that history follows by construction.

A service locks the row (`locked`), checks its scope, refuses a write based on another version than the
row's (`check_version`), sets the new values, and hands the object to `save`, which bumps the version,
saves, and records the difference against the snapshot taken before, with the object's unit and the one
keyword `source=` for where the write came from (web, api, import, a command)."""

from django.db.models import F

from federation import audit
from federation.conflicts import ConflictError
from federation.models import ChangeRecord


def locked(model, pk, *, related=()):
    """The row of `model` locked until the transaction ends (one writer at a time)."""
    rows = model.objects.select_for_update()
    return (rows.select_related(*related) if related else rows).get(pk=pk)


def check_version(obj, version, shown=None):
    """`version` is what the writer saw (None: she saw nothing to compare, e.g. a command); a missing
    object is version 0. Another version is a conflict, reported with `shown` (default: `obj`)."""
    if version is not None and int(version) != (obj.version if obj is not None else 0):
        raise ConflictError(shown if shown is not None else obj)


def save(obj, user, before, fields, *, source, action=ChangeRecord.Action.UPDATE, note="", masked=()):
    """Bump the version, save, and record what changed in `fields` since `before` (a snapshot).
    The values of `masked` fields are kept only as changed ("…"), never in clear."""
    obj.version = F("version") + 1
    obj.save()
    obj.refresh_from_db()
    changes = audit.diff(before, audit.snapshot(obj, fields))
    for name in set(masked) & set(changes):
        changes[name] = ["…" if v else v for v in changes[name]]
    audit.record(obj, user, action, changes, source, note)
    return obj
