"""Training operations: the only way pages, the API, the import and the demo write sessions and
attendance. Each checks the writer's scope (the organizing unit's subtree), refuses stale versions
and records history; attendance changes tell the figures' listeners (orgtree.signals.figures_changed)
which units' trained figures moved, so the automatic checklist item D1 refills."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from executives.models import Attendance, TrainingSession
from executives.models.training import Level, training_types
from executives.unique import first_writer_wins
from federation import audit, scope, writes
from orgtree.models import Office, Person, Unit
from orgtree.signals import figures_changed

SESSION_FIELDS = ("level", "title", "type", "starts_on", "ends_on", "hours", "place", "trainers", "closed_on")
EDITABLE = ("level", "title", "type", "starts_on", "ends_on", "hours", "place", "trainers")
MAX_HOURS = Decimal("1000")

# The level a unit's own sessions are held at, when none is given.
LEVEL_OF_KIND = {
    "national": Level.PROVINCE,
    "province": Level.PROVINCE,
    "city": Level.CITY,
    "county": Level.COUNTY,
    "township": Level.TOWNSHIP,
    "street": Level.TOWNSHIP,
}


def default_level(unit):
    return LEVEL_OF_KIND.get(unit.kind, Level.VILLAGE)


def _check(session):
    """The rules of a session beyond its fields' own (full_clean runs those)."""
    errors = {}
    if session.type and session.type not in {code for code, _label in training_types()}:
        errors["type"] = _("Choose a training type from the list.")
    if session.starts_on and session.ends_on and session.ends_on < session.starts_on:
        errors["ends_on"] = _("A session cannot end before it starts.")
    if session.hours is not None:
        try:
            hours = Decimal(session.hours)
        except (InvalidOperation, TypeError, ValueError):
            hours = None
        if hours is None or not hours.is_finite() or hours <= 0 or hours > MAX_HOURS:
            errors["hours"] = _("Enter the hours as a number above 0 and at most 1000.")
    if errors:
        raise ValidationError(errors)
    session.full_clean(exclude=["created_by"])


def create_session(user, unit, *, source="web", **fields):
    """A session organized by `unit` (the writer may change it; the unit is open)."""
    scope.require(user, scope.CHANGE, unit)
    if unit.closed_on is not None:
        raise ValidationError(_("%(unit)s is closed.") % {"unit": unit.name})
    values = {k: v for k, v in fields.items() if k in EDITABLE}
    if not values.get("level"):
        values["level"] = default_level(unit)
    session = TrainingSession(unit=unit, created_by=user, **values)
    _check(session)
    with transaction.atomic():
        writes.create(session, user, SESSION_FIELDS, source=source)
        _moved([unit.pk])
    return session


def _locked(session):
    return writes.locked(TrainingSession, session.pk, related=("unit",))


def edit_session(user, session, fields, *, version=None, source="web"):
    scope.require(user, scope.CHANGE, session.unit)
    with transaction.atomic():
        current = _locked(session)
        writes.check_version(current, version)
        if current.closed_on is not None:
            raise ValidationError(_("This session's attendance is closed; it can no longer be changed."))
        before = audit.snapshot(current, SESSION_FIELDS)
        for name, value in fields.items():
            if name in EDITABLE:
                setattr(current, name, value)
        _check(current)
        saved = writes.save(current, user, before, SESSION_FIELDS, source=source)
        _moved([current.unit_id, *_office_units(current.attendances.values("person_id"))])
        return saved


def close_session(user, session, *, version=None, source="web"):
    """Attendance is final: the session can no longer be edited nor its attendance changed."""
    scope.require(user, scope.CHANGE, session.unit)
    with transaction.atomic():
        current = _locked(session)
        writes.check_version(current, version)
        if current.closed_on is not None:
            raise ValidationError(_("This session's attendance is already closed."))
        today = timezone.localdate()
        if current.ends_on > today:
            raise ValidationError(_("A session can be closed once it has ended."))
        before = audit.snapshot(current, SESSION_FIELDS)
        current.closed_on = today
        return writes.save(current, user, before, SESSION_FIELDS, source=source)


# --- attendance --------------------------------------------------------------------------------------


def attendees_in_scope(user, session):
    """The people who may attend `session` for this writer: registered in the organizer's subtree,
    inside her scope, not merged into another record."""
    people = Person.objects.filter(merged_into__isnull=True)
    if user is not None:  # management commands and the demo act as the system
        people = scope.restrict(people, user)
    return people.filter(session.unit.subtree_q("unit__"))


def _writable(user, session):
    scope.require(user, scope.CHANGE, session.unit)
    if session.closed_on is not None:
        raise ValidationError(_("This session's attendance is closed; it can no longer be changed."))


def check_attendees(user, session, people):
    """Raise a ValidationError naming every person who may not attend (one query)."""
    people = list(people)
    allowed = set(attendees_in_scope(user, session).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True))
    refused = [p for p in people if p.pk not in allowed]
    if refused:
        raise ValidationError(
            _("Not registered under %(unit)s: %(names)s.")
            % {"unit": session.unit.name, "names": "、".join(p.name for p in refused)}
        )


def record_attendance(user, session, people, *, source="web"):
    """Add these people's attendance (those already recorded are left as they are); returns the new rows."""
    _writable(user, session)
    people = list({p.pk: p for p in people}.values())
    with transaction.atomic():
        current = _locked(session)  # with its unit as stored (its place in the tree)
        _writable(user, current)
        check_attendees(user, current, people)
        present = set(Attendance.objects.filter(session=current).values_list("person_id", flat=True))
        new = [Attendance(session=current, person=p, recorded_by=user) for p in people if p.pk not in present]
        taken = _("Someone recorded the attendance of %(names)s at the same time. Reload the page and check it.")
        with first_writer_wins(message=taken % {"names": "、".join(a.person.name for a in new)}):
            writes.create_many(new, user, ("session", "person"), source=source)
        if new:
            _moved([current.unit_id, *_office_units([a.person_id for a in new])])
        return new


def set_committee_attendance(user, session, committee, ticked, *, source="web"):
    """The tick list of one committee: its current executives ticked attend, the others do not.
    Returns (added, removed). A removal is recorded on the session (names before → none)."""
    _writable(user, session)
    members = {p.pk: p for p in current_executives(committee)}
    ticked_ids = {p.pk for p in ticked}
    stray = [p for p in ticked if p.pk not in members]
    if stray:
        raise ValidationError(
            _("Not an executive of %(unit)s: %(names)s.")
            % {"unit": committee.name, "names": "、".join(p.name for p in stray)}
        )
    with transaction.atomic():
        added = record_attendance(user, session, [members[pk] for pk in ticked_ids], source=source)
        gone = Attendance.objects.filter(session=session, person_id__in=set(members) - ticked_ids)
        names = [a.person.name for a in gone.select_related("person")]
        if names:
            removed_ids = list(gone.values_list("person_id", flat=True))
            gone.delete()
            writes.record_change(session, user, {"attendees_removed": [None, "、".join(names)]}, source=source)
            _moved([session.unit_id, *_office_units(removed_ids)])
        return len(added), len(names)


def current_executives(committee):
    """The people on `committee` today (open offices), chair first."""
    today = timezone.localdate()
    offices = Office.objects.filter(unit=committee, ended_on__isnull=True, started_on__lte=today)
    return list(Person.objects.filter(pk__in=offices.values("person_id")).order_by("name", "pk"))


def _office_units(person_ids):
    """The units where these people hold an open office (their trained figures moved)."""
    return set(Office.objects.filter(person_id__in=person_ids, ended_on__isnull=True).values_list("unit_id", flat=True))


def _moved(unit_ids):
    """Tell the figures' listeners (reform's automatic items) that these units' training figures moved."""
    figures_changed.send(sender=TrainingSession, unit_ids=sorted(set(unit_ids)))


def committees_in_scope(user, unit):
    """Open units under `unit` the user may change, for the tick list (the unit itself first)."""
    return scope.restrict(Unit.objects.open(), user, scope.CHANGE).within(unit).order_by("tree_id", "lft", "pk")
