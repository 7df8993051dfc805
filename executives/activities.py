"""Activities and points (积分考评): the only way pages, the API and the demo write activities, points rules
and evaluations. Each checks the writer's scope, validates in Chinese before anything is saved, refuses a
write based on another version, and records who changed what (federation.writes).

Who writes what:
- an activity: the editors of its unit (the executive, when named, holds an office on that unit's
  committee on the day); corrected, or withdrawn, never deleted;
- a points rule: the editors of a county or a unit above it, for their subtree;
- an evaluation: the level that manages the committee — the editors of the committee unit's parent.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from executives.models import RULE_KINDS, Activity, ActivityType, Evaluation, Grade, PointsRule
from executives.unique import first_writer_wins
from federation import audit, scope, writes
from federation.uploads import check_upload
from orgtree.models import Office, ServicePosition

ACTIVITY_FIELDS = (
    "person",
    "activity_type",
    "held_on",
    "place",
    "position",
    "participants",
    "note",
    "withdrawn",
    "photo_name",
)
EDITABLE = ("person", "activity_type", "held_on", "place", "position", "participants", "note", "withdrawn")
RULE_FIELDS = ("points",)
EVALUATION_FIELDS = ("grade", "note")
MAX_PARTICIPANTS = 100_000
MAX_POINTS = 100
PHOTO_TYPES = {"image/jpeg", "image/png"}


def check_year(year, field="year"):
    """A year from 2000 to next year, as an int; ValidationError in Chinese otherwise."""
    last = timezone.localdate().year + 1
    try:
        value = int(year)
    except (TypeError, ValueError):
        value = None
    if value is None or not 2000 <= value <= last:
        raise ValidationError({field: _("Enter a year from 2000 to %(last)d.") % {"last": last}})
    return value


def holds_office(person, unit, start, end=None):
    """Does `person` hold an office on `unit`'s committee on some day from `start` to `end` (one day when
    no end is given)?"""
    end = end or start
    return Office.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start), person=person, unit=unit, started_on__lte=end
    ).exists()


# --- activities ----------------------------------------------------------------------------------


def clean_activity(activity):
    """Every rule of an activity, its problems at once ({field: [message]}), nothing saved."""
    errors: dict[str, list] = {}
    try:
        activity.full_clean(exclude=["photo"])
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if (
        activity.activity_type_id
        and not ActivityType.objects.filter(pk=activity.activity_type_id, active=True).exists()
    ):
        errors.setdefault("activity_type", []).append(ValidationError(_("This activity type is no longer in use.")))
    if activity.participants is not None and activity.participants > MAX_PARTICIPANTS:
        errors.setdefault("participants", []).append(
            ValidationError(_("At most %(max)d participants.") % {"max": MAX_PARTICIPANTS})
        )
    if not activity.place.strip() and activity.position_id is None:
        errors.setdefault("place", []).append(ValidationError(_("Enter the place or choose a service position.")))
    if (
        activity.position_id is not None
        and not ServicePosition.objects.filter(activity.unit.subtree_q("unit__"), pk=activity.position_id).exists()
    ):
        errors.setdefault("position", []).append(
            ValidationError(_("Choose a service position of this unit or of a unit under it."))
        )
    if (
        activity.person_id is not None
        and activity.held_on
        and "held_on" not in errors
        and not holds_office(activity.person_id, activity.unit, activity.held_on)
    ):
        errors.setdefault("person", []).append(
            ValidationError(_("Choose an executive who holds an office on this committee on the day of the activity."))
        )
    if errors:
        raise ValidationError(errors)


def check_photo(upload):
    """(content type, name) of an acceptable photo: the upload store's checks, then JPG or PNG only."""
    try:
        content_type, name = check_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.message_dict["file"]}) from None
    if content_type not in PHOTO_TYPES:
        raise ValidationError({"photo": _("A photo must be a JPG or PNG file.")})
    return content_type, name


def _store_photo(activity, upload, checked):
    content_type, name = checked
    activity.photo.save(name, upload, save=False)
    activity.photo_name, activity.photo_type = name, content_type


def record_activity(user, unit, *, source="web", photo=None, **fields):
    """A new activity of `unit` (its editors), with its photo when given."""
    scope.require(user, scope.CHANGE, unit)
    activity = Activity(unit=unit, recorded_by=user, **{k: v for k, v in fields.items() if k in EDITABLE})
    activity.place = (activity.place or "").strip()
    activity.note = activity.note or ""
    clean_activity(activity)
    checked = check_photo(photo) if photo else None
    with transaction.atomic():
        if checked:
            _store_photo(activity, photo, checked)
        return writes.create(activity, user, ACTIVITY_FIELDS, source=source)


def correct_activity(user, activity, *, version=None, source="web", photo=None, **fields):
    """Correct an activity (its unit's editors): the changed fields are recorded, the earlier values kept
    in history. `withdrawn=True` takes a mistaken one out of the points without deleting it."""
    with transaction.atomic():
        current = writes.locked(Activity, activity.pk, related=("unit",))
        scope.require(user, scope.CHANGE, current.unit)
        writes.check_version(current, version)
        before = audit.snapshot(current, ACTIVITY_FIELDS)
        for name, value in fields.items():
            if name in EDITABLE:
                setattr(current, name, value)
        current.place = (current.place or "").strip()
        current.note = current.note or ""
        clean_activity(current)
        if photo:
            _store_photo(current, photo, check_photo(photo))
        return writes.save(current, user, before, ACTIVITY_FIELDS, source=source)


def attach_photo(user, activity, upload, *, source="web"):
    """Add or replace the photo of an activity (its unit's editors)."""
    return correct_activity(user, activity, source=source, photo=upload)


# --- points rules --------------------------------------------------------------------------------


def check_points(value, field):
    if value in (None, ""):
        return None
    try:
        points = int(str(value))
    except ValueError:
        points = -1
    if not 0 <= points <= MAX_POINTS:
        raise ValidationError({field: _("Points must be a whole number from 0 to %(max)d.") % {"max": MAX_POINTS}})
    return points


def set_rules(user, unit, year, points, *, source="web"):
    """The points of each activity type in `unit`'s subtree from `year` on (the unit's editors; a county or
    above). `points` is {activity type: points or None}; None (empty) inherits from the level above.
    Returns the rules created or changed."""
    scope.require(user, scope.CHANGE, unit)
    if unit.kind not in RULE_KINDS:
        raise ValidationError(_("Points rules are set by a county or a level above it."))
    year = check_year(year, "from_year")
    errors, values = {}, {}
    for activity_type, value in points.items():
        field = f"points_{activity_type.pk}"
        try:
            values[activity_type] = check_points(value, field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    changed = []
    taken = _("Someone set points for these activity types at the same time. Reload the page and check them.")
    with transaction.atomic():
        existing = {
            r.activity_type_id: r
            for r in PointsRule.objects.select_for_update().filter(unit=unit, from_year=year, activity_type__in=values)
        }
        for activity_type, value in values.items():
            rule = existing.get(activity_type.pk)
            if rule is None:
                if value is None:
                    continue
                rule = PointsRule(unit=unit, activity_type=activity_type, from_year=year, points=value, set_by=user)
                with first_writer_wins(message=taken):
                    changed.append(
                        writes.create(rule, user, ("activity_type", "from_year", *RULE_FIELDS), source=source)
                    )
            elif rule.points != value:
                before = audit.snapshot(rule, RULE_FIELDS)
                rule.points, rule.set_by = value, user
                changed.append(writes.save(rule, user, before, RULE_FIELDS, source=source))
    return changed


def set_rule(user, unit, activity_type, from_year, points, *, source="api"):
    """One rule (the API): as set_rules for a single type."""
    found = set_rules(user, unit, from_year, {activity_type: points}, source=source)
    year = check_year(from_year, "from_year")
    rule = (
        found[0] if found else PointsRule.objects.filter(unit=unit, activity_type=activity_type, from_year=year).first()
    )
    if rule is None:  # no rule there, and none asked for
        raise ValidationError({"points": _("Enter the points.")})
    return rule


# --- evaluations ---------------------------------------------------------------------------------


def may_evaluate(user, unit):
    """May `user` record the evaluations of `unit`'s executives? The level that manages the committee
    does: editors of the unit's parent (a top unit's, only the system administrators)."""
    if user is None:
        return True
    if unit.parent_id is None:
        return bool(user.is_authenticated and user.is_superuser)
    return scope.can(user, scope.CHANGE, unit.parent)


def evaluate(user, unit, person, year, grade, note="", *, version=None, source="web"):
    """Record (or change) the evaluation of `person`, an executive of `unit`'s committee in `year`."""
    if not may_evaluate(user, unit):
        raise PermissionDenied(_("The evaluations of a committee are recorded by the level that manages it."))
    errors = {}
    try:
        year = check_year(year)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    else:
        if year > timezone.localdate().year:
            errors["year"] = [_("A year cannot be evaluated before it begins.")]
        elif not holds_office(person, unit, datetime.date(year, 1, 1), datetime.date(year, 12, 31)):
            errors["person"] = [_("She held no office on this committee in that year.")]
    if grade not in Grade.values:
        errors["grade"] = [_("Choose a grade.")]
    note = (note or "").strip()
    if len(note) > 200:
        errors["note"] = [_("At most 200 characters.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = Evaluation.objects.select_for_update().filter(unit=unit, person=person, year=year).first()
        if current is None:
            evaluation = Evaluation(
                unit=unit,
                person=person,
                year=year,
                grade=grade,
                note=note,
                evaluated_by_id=unit.parent_id or unit.pk,
                recorded_by=user,
            )
            with first_writer_wins(lambda: Evaluation.objects.filter(unit=unit, person=person, year=year).first()):
                return writes.create(evaluation, user, ("person", "year", *EVALUATION_FIELDS), source=source)
        writes.check_version(current, version)
        before = audit.snapshot(current, EVALUATION_FIELDS)
        current.grade, current.note, current.recorded_by = grade, note, user
        return writes.save(current, user, before, EVALUATION_FIELDS, source=source)
