"""Attributable history: services call `record()` for every write they make; pages show `readable()` rows."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from federation import scope
from federation.models import ChangeRecord

EMPTY = "—"
DATE, DATETIME = "Y-m-d", "Y-m-d H:i"  # as every template shows dates
SOURCES = {
    "web": _("web page"),
    "api": _("API"),
    "admin": _("admin site"),
    "import": _("Excel import"),
    "demo": _("demo data"),
    "load_divisions": _("division code load"),
}


def snapshot(obj, fields):
    """The current values of `fields` as JSON-able values (foreign keys by id)."""
    return {name: jsonable(getattr(obj, obj._meta.get_field(name).attname)) for name in fields}


def jsonable(value):
    return value if value is None or isinstance(value, (int, str, bool)) else str(value)


def diff(before, after):
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def unit_id_of(obj):
    """The pk of the unit `obj` belongs to: a unit itself, else along its model's `scope_unit_path`
    (the path `scope.restrict()` filters by); None for objects of no unit."""
    path = getattr(type(obj), "scope_unit_path", None)
    if path is None:
        return None
    if path == "":
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
        if obj is None:
            return None
    return getattr(obj, obj._meta.get_field(last).attname)


def build(obj, user, action, changes, source, note="", unit=None):
    """An unsaved record (for bulk_create by bulk loaders); its unit is derived from `obj` unless given."""
    return ChangeRecord(**columns(obj, user, action, changes, source, note, unit))


def columns(obj, user, action, changes, source, note="", unit=None):
    """The values of the record `build` makes, by column (`federation.writes` copies many at once)."""
    return {
        "user_id": user.pk if user is not None and user.is_authenticated else None,
        "source": source,
        "action": action,
        "changes": changes,
        "note": note[:200],
        "content_type_id": ContentType.objects.get_for_model(obj).pk,
        "object_id": obj.pk,
        "object_repr": str(obj)[:200],
        "unit_id": unit.pk if unit is not None else unit_id_of(obj),
    }


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


def author(record):
    return record.user.get_username() if record.user_id else pgettext("author", "System")


def source_label(source):
    return SOURCES.get(source, _("command"))  # any other source is the name of a management command


@dataclass
class Row:
    """One history record as a page shows it."""

    record: ChangeRecord
    who: str
    source: str
    action: str
    changes: list = field(default_factory=list)  # [(label, before, after)]

    def __getattr__(self, name):
        return getattr(self.record, name)


def _field(model, name):
    try:
        return model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        return None


def _label(model, name, field):
    if field is None:  # a change that is no field of its own: the model names it
        label = getattr(model, "history_labels", {}).get(name, name)
    elif field.is_relation and field.auto_created:  # a reverse relation, e.g. evidence attached
        label = field.related_model._meta.verbose_name
    else:
        label = field.verbose_name
    return capfirst(str(label))


def _points_to(field):
    """The model whose ids a change of `field` holds (forward foreign keys only)."""
    if field is not None and field.is_relation and not field.auto_created and (field.many_to_one or field.one_to_one):
        return field.related_model
    return None


def _show(value, field, names):
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, list):
        return "、".join(_show(v, field, names) for v in value)
    if isinstance(value, bool) or isinstance(field, models.BooleanField):
        if value in (True, "True", "true"):
            return pgettext("boolean", "Yes")
        if value in (False, "False", "false"):
            return pgettext("boolean", "No")
        return EMPTY if value == "None" else str(value)
    target = _points_to(field)
    if target is not None:
        return names.get(target, {}).get(str(value), str(value))
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(str(value))
        return (
            format_date(timezone.localtime(moment) if timezone.is_aware(moment) else moment, DATETIME)
            if moment
            else str(value)
        )
    if isinstance(field, models.DateField):
        day = parse_date(str(value))
        return format_date(day, DATE) if day else str(value)
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def readable(records):
    """History rows as people read them: field labels, choice labels, names instead of ids, 是/否, dates.

    Generic: everything comes from the models' metadata. The names of related objects are read in
    one query per related model, not per row."""
    records = list(records)
    wanted: defaultdict[type[models.Model], set[object]] = defaultdict(set)
    for r in records:
        model = ContentType.objects.get_for_id(r.content_type_id).model_class()
        for name, pair in r.changes.items():
            target = _points_to(_field(model, name))
            if target is not None:
                wanted[target].update(v for v in (pair if isinstance(pair, list) else [pair]) if v not in (None, ""))
    names = {}
    for target, ids in wanted.items():
        pks = [target._meta.pk.to_python(v) for v in ids if str(v).isdigit()]
        names[target] = {str(o.pk): str(o) for o in target._base_manager.filter(pk__in=pks)}
    rows = []
    for r in records:
        model = ContentType.objects.get_for_id(r.content_type_id).model_class()
        changes = []
        for name, pair in r.changes.items():
            f = _field(model, name)
            before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            shown = _show(before, f, names), _show(after, f, names)
            if shown != (EMPTY, EMPTY):  # a created object's empty fields
                changes.append((_label(model, name, f), *shown))
        rows.append(Row(r, author(r), source_label(r.source), r.get_action_display(), changes))
    return rows


def after_rollback(exc):
    """Some refusals must leave a trace although the transaction they abort is rolled back (an ID
    number that belongs to someone the writer cannot see is kept for the admins above). Such an
    error carries an `after_rollback()`; the places that catch errors, outside every transaction
    (the API's error handler, the page forms, the import job), call it through here."""
    write = getattr(exc, "after_rollback", None)
    if write is not None:
        write()
