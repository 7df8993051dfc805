"""Changes to a committee during its term (能进能出): an executive leaves, seats fall vacant and are
filled by a by-election (orgtree.elections, kind BY_ELECTION), a unit above appoints a vice-chair
for a period without an election (选聘 / 挂职).

Every write checks the scope, records history and refreshes the unit's stored figures (and so the
group sums) the way the election services do. Nothing is deleted: a leaving sets the office's end
date and reason; the person and her past offices stay.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federation import scope, writes
from orgtree import services
from orgtree.committees import resolve_people
from orgtree.coverage import refresh_figures
from orgtree.idnumber import normalize
from orgtree.models import Appointment, LeaveReason, Office, Role, Term, ViceChairType

LEAVE_FIELDS = ("ended_on", "end_reason", "end_note")
APPOINTMENT_FIELDS = (
    "person",
    "term",
    "role",
    "vice_chair_type",
    "started_on",
    "appointment",
    "appointed_by",
    "appointed_until",
)


def running_term(unit):
    return Term.objects.filter(unit=unit, ended_on__isnull=True).select_related("election").first()


def term_offices(term):
    """Every office of `term`, ended ones included: what the rules below count (one query)."""
    return list(Office.objects.filter(term=term).select_related("person"))


def elected_seats(term, offices=None):
    """The seats a term opened with: the seats of its election when the votes were itemized, else
    the members it seated (a result from the minutes, a term loaded without an election: its
    members who started the day it opened). Void offices (ended the day they started) and
    appointments do not count. `offices`: every office of the term, if the caller has read them."""
    election = term.election if term.election_id else None
    if election is not None and election.votes_itemized and election.seats:
        return election.seats
    offices = term_offices(term) if offices is None else offices
    return sum(
        1
        for o in offices
        if not o.appointment
        and o.ended_on != o.started_on
        and (o.election_id == election.pk if election is not None else o.started_on == term.started_on)
    )


def vacancies(term, offices=None):
    """Elected seats of the running term nobody holds: its seats at the opening less its open
    elected offices (by-elections included, appointed vice-chairs not). Never below zero.
    `offices`: every office of the term, if the caller has read them."""
    if term is None or term.ended_on is not None:
        return 0
    offices = term_offices(term) if offices is None else offices
    held = sum(1 for o in offices if o.ended_on is None and not o.appointment)
    return max(0, elected_seats(term, offices) - held)


def left_mid_term(term, office):
    """Did `office` of `term` end before the term did (not a void office: a correction)?"""
    if office.ended_on is None or office.ended_on == office.started_on:
        return False
    return term.ended_on is None or office.ended_on < term.ended_on


def former_members(term, offices=None):
    """Offices of the term that ended before it did (who left mid-term), latest first; void
    offices (corrections) are not departures. `offices`: every office of the term, if read."""
    offices = term_offices(term) if offices is None else offices
    found = sorted((o for o in offices if left_mid_term(term, o)), key=lambda o: o.pk)
    found.sort(key=lambda o: o.ended_on, reverse=True)
    return found


def leave_office(user, office, *, ended_on, reason, note="", source="web"):
    """An executive leaves during the term: her office ends on `ended_on` for `reason` (a
    LeaveReason; OTHER needs a note). Refused, with nothing saved: an office already ended, a date
    not after the day it started or after today."""
    with transaction.atomic():
        office = Office.objects.select_for_update().select_related("unit", "person").get(pk=office.pk)
        scope.require(user, scope.CHANGE, office.unit)
        services.guard_counted([office.unit])  # a village's officers count in its approved 会改联结果
        note = (note or "").strip()
        errors = {}
        if office.ended_on is not None:
            errors["ended_on"] = _("This office has already ended (on %(date)s).") % {
                "date": office.ended_on.isoformat()
            }
        elif ended_on is None:
            errors["ended_on"] = _("Enter the day she left.")
        elif ended_on <= office.started_on:
            errors["ended_on"] = _("The leaving date must be later than the day the office started (%(date)s).") % {
                "date": office.started_on.isoformat()
            }
        elif ended_on > timezone.localdate():
            errors["ended_on"] = _("The leaving date %(date)s is in the future.") % {"date": ended_on.isoformat()}
        if reason not in LeaveReason.values:
            errors["reason"] = _("Choose why she left.")
        elif reason == LeaveReason.OTHER and not note:
            errors["note"] = _("Say in the note why she left.")
        if errors:
            raise ValidationError(errors)
        office.ended_on, office.end_reason, office.end_note = ended_on, reason, note[:200]
        office.save(update_fields=list(LEAVE_FIELDS))
        writes.record_change(
            office,
            user,
            {"ended_on": [None, ended_on.isoformat()], "end_reason": ["", reason], "end_note": ["", office.end_note]},
            source=source,
            note=office.end_note,
        )
        refresh_figures([office.unit_id])
        return office


def appointing_units(user, unit):
    """The units above `unit` that `user` may change: those that may appoint its vice-chairs."""
    above = list(unit.lineage())
    if user is None:  # management commands act as the system
        return above
    permitted = scope.permitted(user, scope.CHANGE, above)
    return [u for u in above if u.pk in permitted]


def appoint_vice_chair(
    user,
    unit,
    *,
    name,
    appointment,
    appointed_by,
    started_on,
    appointed_until,
    vice_chair_type="",
    id_number="",
    source="web",
):
    """选聘 / 挂职: a unit above (`appointed_by`, which the user may change) appoints a vice-chair of
    `unit`'s running term from `started_on` until `appointed_until`, without an election. A
    seconded vice-chair's type is seconded; a selected one is full-time or part-time."""
    with transaction.atomic():
        scope.require(user, scope.CHANGE, unit)
        services.guard_counted([unit])  # a village's officers count in its approved 会改联结果
        term = running_term(unit)
        if term is None:
            raise ValidationError(
                _("%(unit)s has no running term: record its committee before appointing a vice-chair.")
                % {"unit": unit.name}
            )
        vice_chair_type, errors = _appointment_problems(
            user, unit, term, appointment, appointed_by, vice_chair_type, started_on, appointed_until
        )
        if not (name or "").strip():
            errors["name"] = _("Enter her name.")
        if errors:
            raise ValidationError(errors)
        [person] = resolve_people(user, unit, [(name.strip(), normalize(id_number))], source=source)
        if Office.objects.filter(unit=unit, person=person, ended_on__isnull=True).exists():
            raise ValidationError({"name": _("%(name)s already sits on this committee.") % {"name": person.name}})
        office = Office(
            person=person,
            unit=unit,
            term=term,
            role=Role.VICE_CHAIR,
            vice_chair_type=vice_chair_type,
            started_on=started_on,
            appointment=appointment,
            appointed_by=appointed_by,
            appointed_until=appointed_until,
        )
        office.full_clean(validate_constraints=False)
        writes.create(office, user, APPOINTMENT_FIELDS, source=source)
        refresh_figures([unit.pk])
        return office


def _appointment_problems(user, unit, term, appointment, appointed_by, vice_chair_type, started_on, appointed_until):
    """(the vice-chair type, {field: message}) of an appointment (see appoint_vice_chair)."""
    errors: dict[str, str] = {}
    above = {u.pk for u in unit.lineage()}
    if appointed_by is None or appointed_by.pk not in above:
        errors["appointed_by"] = _("The appointing unit must be a unit above %(unit)s.") % {"unit": unit.name}
    elif user is not None and not scope.can(user, scope.CHANGE, appointed_by):
        errors["appointed_by"] = _("You may record appointments only for units above that are in your scope.")
    if appointment == Appointment.SECONDED:
        vice_chair_type = ViceChairType.SECONDED
    elif appointment != Appointment.SELECTED:
        errors["appointment"] = _("Choose how she is appointed: selected or seconded.")
    elif vice_chair_type not in (ViceChairType.FULL_TIME, ViceChairType.PART_TIME):
        errors["vice_chair_type"] = _("Say whether the selected vice-chair is full-time or part-time.")
    if started_on is None:
        errors["started_on"] = _("Enter the day the appointment starts.")
    elif started_on < term.started_on:
        errors["started_on"] = _("The appointment cannot start before the current term started (%(date)s).") % {
            "date": term.started_on.isoformat()
        }
    elif started_on > timezone.localdate():
        errors["started_on"] = _("The appointment start %(date)s is in the future.") % {"date": started_on.isoformat()}
    if appointed_until is None:
        errors["appointed_until"] = _("Enter the end of the appointment period.")
    elif started_on is not None and appointed_until <= started_on:
        errors["appointed_until"] = _("The appointment period must end after it starts.")
    return vice_chair_type, errors


def by_election_problems(election, candidates, officers):
    """The rules a by-election (补选) adds to those of every election: a running term to fill, held
    after it started, no more seats than vacancies, nobody already sitting on the committee, at
    most one chair and only when the chair's seat is vacant. Officers are optional."""
    term = running_term(election.unit)
    if term is None:
        return [_("A by-election fills seats of a running term, and %(unit)s has none.") % {"unit": election.unit.name}]
    found = []
    if election.held_on and election.held_on < term.started_on:
        found.append(
            _("The by-election cannot be held before the current term started (%(date)s).")
            % {"date": term.started_on.isoformat()}
        )
    free = vacancies(term)
    if election.seats and election.seats > free:
        found.append(
            _("%(seats)d seats to fill, but the current term has %(free)d vacancies.")
            % {"seats": election.seats, "free": free}
        )
    sitting = set(
        Office.objects.filter(
            unit=election.unit, ended_on__isnull=True, person__in=[c.person_id for c in candidates]
        ).values_list("person_id", flat=True)
    )
    found += [
        _("%(name)s already sits on this committee.") % {"name": c.person.name}
        for c in candidates
        if c.person_id in sitting
    ]
    chairs = [o for o in officers if o.role == Role.CHAIR]
    if len(chairs) > 1:
        found.append(_("A by-election elects at most one chair (%(count)d entered).") % {"count": len(chairs)})
    elif chairs and Office.objects.filter(term=term, role=Role.CHAIR, ended_on__isnull=True).exists():
        found.append(_("The committee has a chair: a by-election can elect a chair only when the seat is vacant."))
    return found
