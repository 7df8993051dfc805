"""Tracked writes: how every service changes a versioned object, so that history follows by construction.

A service locks the row (`locked`), checks its scope, refuses a write based on another version than the
row's (`check_version`), sets the new values, and hands the object to `save`, which bumps the version,
saves, and records the difference against the snapshot taken before, with the object's unit and the one
keyword `source=` for where the write came from (web, api, import, a command).

A new object goes through `create` (or `create_many`, `create_rows` for bulk loads); a write that is no
difference of the object's own fields (a file attached, a merge, a queryset update, a status set by a
rule) through `record_change`. Nothing outside this module records history itself
(tests/test_history_by_construction.py checks the source)."""

import json

from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.utils import timezone

from federation import audit
from federation.conflicts import ConflictError
from federation.models import ChangeRecord

Action = ChangeRecord.Action


def locked(model, pk, *, related=()):
    """The row of `model` locked until the transaction ends (one writer at a time)."""
    rows = model.objects.select_for_update()
    return (rows.select_related(*related) if related else rows).get(pk=pk)


def check_version(obj, version, shown=None):
    """`version` is what the writer saw (None: she saw nothing to compare, e.g. a command); a missing
    object is version 0. Another version is a conflict, reported with `shown` (default: `obj`)."""
    if version is not None and int(version) != (obj.version if obj is not None else 0):
        raise ConflictError(shown if shown is not None else obj)


def _masked(changes, masked):
    """`changes` with the values of the `masked` fields kept only as changed ("…"), never in clear."""
    for name in set(masked) & set(changes):
        changes[name] = ["…" if v else v for v in changes[name]]
    return changes


def _created(obj, fields, masked):
    """The changes of a creation: the value of each of `fields` (None ones left out)."""
    return _masked(audit.diff({}, audit.snapshot(obj, fields)), masked)


def save(obj, user, before, fields, *, source, action=Action.UPDATE, note="", masked=()):
    """Bump the version, save, and record what changed in `fields` since `before` (a snapshot).
    The values of `masked` fields are kept only as changed ("…"), never in clear."""
    obj.version = F("version") + 1
    obj.save()
    obj.refresh_from_db()
    changes = _masked(audit.diff(before, audit.snapshot(obj, fields)), masked)
    audit.record(obj, user, action, changes, source, note)
    return obj


def create(obj, user, fields, *, source, note="", masked=()):
    """Save the new `obj` and record its creation with the values of `fields` (masked as by `save`).
    Validation is the caller's. An object already saved another way (`objects.create`, `get_or_create`,
    a tree insert) is only recorded."""
    if obj._state.adding:
        obj.save()
    audit.record(obj, user, Action.CREATE, _created(obj, fields, masked), source, note)
    return obj


def create_many(objs, user, fields, *, source, masked=()):
    """Save new objects of one model in one insert and record each creation as `create` does, in one
    more insert whatever their number (a committee list, the offices an election seats)."""
    objs = list(objs)
    if not objs:
        return objs
    objs = type(objs[0])._default_manager.bulk_create(objs)
    ChangeRecord.objects.bulk_create(
        [audit.build(o, user, Action.CREATE, _created(o, fields, masked), source) for o in objs]
    )
    return objs


RECORD_COLUMNS = (
    "at",
    "user_id",
    "source",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "changes",
    "note",
    "unit_id",
)


def create_rows(model, created, user, *, source, insert, at=None):
    """Record the creation of objects a loader inserted as plain rows, without model instances (a national
    division load): `created` holds (pk, str, changes, unit pk) of each; `insert(model, columns, rows)` is
    the loader's raw insert of tuples. Returns the number of records."""
    at = at or timezone.now()
    content_type = ContentType.objects.get_for_model(model).pk
    user_id = user.pk if user is not None and user.is_authenticated else None
    rows = [
        (
            at,
            user_id,
            source,
            Action.CREATE,
            content_type,
            pk,
            str(name)[:200],
            json.dumps(changes, ensure_ascii=False),
            "",
            unit_id,
        )
        for pk, name, changes, unit_id in created
    ]
    insert(ChangeRecord, RECORD_COLUMNS, rows)
    return len(rows)


def record_change(obj, user, changes, *, source, action=Action.UPDATE, note="", masked=()):
    """Record a write to `obj` that is no `save` of its own fields against a snapshot: a file attached, a
    merge or a correction made by queryset updates, a status set by a rule, a row written by
    `update_or_create`. `changes` is {field: [before, after]}; `masked` fields as by `save`."""
    return audit.record(obj, user, action, _masked(dict(changes), masked), source, note)
