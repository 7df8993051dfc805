"""Tracked writes: how every service changes a versioned object, so that history follows by construction.

A service locks the row (`locked`), checks its scope, refuses a write based on another version than the
row's (`check_version`), sets the new values, and hands the object to `save`, which bumps the version,
saves, and records the difference against the snapshot taken before, with the object's unit and the one
keyword `source=` for where the write came from (web, api, import, a command).

A new object goes through `create` (or `create_many`, `create_rows` for bulk loads); a write that is no
difference of the object's own fields (a file attached, a merge, a queryset update, a status set by a
rule) through `record_change` (`record_changes` for many objects at once). Nothing outside this module
records history itself (tests/test_history_by_construction.py checks the source).

Services that write many objects at once validate them with `full_clean_many`: each object's
`full_clean()`, with what their foreign keys point at checked in one query for all of them."""

import json
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import F
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

from federation import audit, datacache
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
    objs = insert(objs)
    _insert_records([audit.columns(o, user, Action.CREATE, _created(o, fields, masked), source) for o in objs])
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


def record_changes(entries, user, *, source, action=Action.UPDATE, masked=()):
    """`record_change` for several objects in one insert, whatever their number: `entries` are
    (obj, {field: [before, after]}, note) (a batch of certifications, of homes opened or closed)."""
    _insert_records(
        [
            audit.columns(obj, user, action, _masked(dict(changes), masked), source, note)
            for obj, changes, note in entries
        ]
    )


def insert(objs):
    """Save new objects of one model in one statement and set their ids, as bulk_create does (no save(),
    no signals, auto_now fields set): by COPY on PostgreSQL, the ids drawn from the table's sequence
    first, since bulk_create spends seconds quoting a city's worth of rows (tens of thousands) into
    one statement; by bulk_create elsewhere, and for models with database defaults."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    fields = model._meta.concrete_fields
    if (
        connection.vendor != "postgresql"
        or not _numbered(model)
        or any(f.has_db_default() or f.generated for f in fields)
        or any(obj.pk is not None for obj in objs)
    ):
        return model._default_manager.bulk_create(objs)
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    pk_column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk_column, len(objs)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
    db = connections[connection.alias]  # the connection itself, not the proxy asked per value
    _copy(
        model._meta.db_table,
        [f.column for f in fields],
        ([f.get_db_prep_save(f.pre_save(o, True), db) for f in fields] for o in objs),
    )
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    return objs


def _numbered(model):
    """Are `model`'s ids drawn from a sequence (an auto field)?"""
    return isinstance(model._meta.pk, AutoFieldMixin)


def _insert_records(rows):
    """Insert records given by their columns (`audit.columns`): copied on PostgreSQL, like `insert`."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        ChangeRecord.objects.bulk_create([ChangeRecord(**row) for row in rows])
        return
    at = timezone.now()
    names = [c for c in RECORD_COLUMNS if c != "at"]
    _copy(
        ChangeRecord._meta.db_table,
        RECORD_COLUMNS,
        ([at, *(json.dumps(row[c], ensure_ascii=False) if c == "changes" else row[c] for c in names)] for row in rows),
    )


def _copy(table, columns, rows):
    """COPY `rows` (lists of values, in the order of `columns`) into `table` (PostgreSQL)."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    datacache.written()  # a COPY passes no execute wrapper
    # The raw cursor's errors as Django's (a unique key taken meanwhile is an IntegrityError).
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def full_clean_many(objs, *, exclude=(), **options):
    """`full_clean(exclude=exclude, **options)` of each of `objs` (one model), raising the first object's
    errors as it would, except that the existence of what their foreign keys point at is checked in
    one query per target model for all of them, not in one query per object and key (Django's
    `ForeignKey.validate`); the same rule, with the same message."""
    objs = list(objs)
    if not objs:
        return
    keys = [
        f
        for f in type(objs[0])._meta.concrete_fields
        if f.many_to_one and f.name not in exclude and not f.remote_field.parent_link
    ]
    groups = {f.name: _target(f) for f in keys}  # which query checks each key
    wanted: defaultdict[tuple, set] = defaultdict(set)
    limits = {}
    for f in keys:
        wanted[groups[f.name]] |= {getattr(o, f.attname) for o in objs} - {None}
        limits[groups[f.name]] = f.get_limit_choices_to()
    existing = {}
    for group, values in wanted.items():
        model, field_name, _limit = group
        rows = model._base_manager.filter(**{f"{field_name}__in": values}).complex_filter(limits[group])
        existing[group] = set(rows.values_list(field_name, flat=True)) if values else set()
    for obj in objs:
        errors: dict[str, list[ValidationError]] = {}
        try:
            obj.full_clean(exclude=[*exclude, *(f.name for f in keys)], **options)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for f in keys:
            value = getattr(obj, f.attname)
            if value is not None and value not in existing[groups[f.name]]:
                errors[f.name] = [  # first, as clean_fields() reports before clean()
                    ValidationError(
                        f.error_messages["invalid"],
                        code="invalid",
                        params={
                            "model": f.remote_field.model._meta.verbose_name,
                            "pk": value,
                            "field": f.remote_field.field_name,
                            "value": value,
                        },
                    ),
                    *errors.get(f.name, []),
                ]
        if errors:
            raise ValidationError(errors)


def _target(field):
    """(model, field, limit) a foreign key points at: keys with the same target share one query."""
    return field.remote_field.model, field.remote_field.field_name, repr(field.get_limit_choices_to())
