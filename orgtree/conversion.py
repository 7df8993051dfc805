"""会改联: recording a village's conversion from women's congress to federation.

The first save creates a conversion election recorded from the minutes and certifies it through
orgtree.elections (term, offices, the unit's form); later saves amend it: the correction is an
ElectionAmendment and the term's offices follow (a member entered by mistake gets a void office,
ended on the day it started, so no figure as of any date counts her). Pages, the Excel import and
the API all call `record_conversion`.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from federation import audit, scope, writes
from federation.models import ChangeRecord
from federation.validators import validate_event_date
from orgtree import elections
from orgtree.choices import GRASSROOTS_KINDS
from orgtree.committees import keep_clash, match_people, new_person_problems, resolve_people
from orgtree.coverage import refresh_figures
from orgtree.idnumber import validate_id_number
from orgtree.models import (
    Candidate,
    ChairPay,
    Election,
    ElectionAmendment,
    IdNumberClash,
    Office,
    OfficerChoice,
    Person,
    Role,
    Term,
    Unit,
)
from orgtree.models.position import ServicePosition

CHAIR_FLAGS = ("on_party_committee", "on_villagers_committee", "is_party_secretary", "is_village_director")
POSITION_FIELDS = ("kind", "standardized", "opened_on")
PAY_FIELDS = ("year", "chair_annual", "party_secretary_annual")


@dataclass
class Member:
    name: str
    id_number: str = ""
    role: str = Role.EXECUTIVE
    vice_chair_type: str = ""


@dataclass
class Conversion:
    """What a county cadre records for one village (the form and one spreadsheet row + member rows)."""

    held_on: datetime.date
    members: list  # Member, the chair and vice-chairs included
    entitled: int | None = None
    present: int | None = None
    chair_flags: dict = field(default_factory=dict)
    pay_year: int | None = None
    chair_pay: Decimal | None = None
    secretary_pay: Decimal | None = None
    womens_home: str = ""  # "", "yes" or "standardized"
    childrens_home: bool = False


def current_election(village):
    return current_elections([village]).get(village.pk)


def current_elections(villages):
    """{village id: its latest certified conversion election}, in one query for any number of villages."""
    latest: dict[int, Election] = {}
    for election in Election.objects.filter(
        unit__in=villages, kind=Election.Kind.CONVERSION, status=Election.Status.CERTIFIED
    ).order_by("unit_id", "-held_on", "-pk"):
        latest.setdefault(election.unit_id, election)
    return latest


def version_of(village):
    """What an editor saw: 0 before the first conversion, then the election's version."""
    election = current_election(village)
    return election.version if election else 0


@dataclass(frozen=True)
class Issue:
    """A problem with a conversion: its message, and where it is (a Conversion field, or a Member field
    and the member's index in `members`); the import maps it to a sheet, row and column."""

    message: str
    field: str = ""
    member: int | None = None


class InvalidConversionError(ValidationError):
    """record_conversion refused the data: `issues` say what and where. ID numbers that belong to
    someone the writer cannot see (`clashes`) are kept for the admins above once the transaction it
    aborts has rolled back (federation.audit.after_rollback)."""

    def __init__(self, issues, clashes=()):
        super().__init__([i.message for i in issues])
        self.issues = issues
        self.clashes = list(clashes)

    def after_rollback(self):
        for clash in self.clashes:
            keep_clash(clash)


def check(data):
    """Problems with the data itself (before any scope or database check), as Issues in Chinese."""
    problems = _date_issues(data.held_on)
    problems += [Issue(m, "present") for m in elections.turnout_problems(data.entitled, data.present)]
    return problems + _member_issues(data.members) + _pay_issues(data)


def _date_issues(held_on):
    if held_on and held_on > timezone.localdate():
        return [Issue(_("The election date %(date)s is in the future.") % {"date": held_on}, "held_on")]
    try:
        if held_on:
            validate_event_date(held_on)
    except ValidationError as error:
        return [Issue(m, "held_on") for m in error.messages]
    return []


def _member_issues(members):
    problems, seen = [], set()
    for i, m in enumerate(members):
        key = (m.name, m.id_number)
        if not m.name.strip():
            problems.append(Issue(_("A member has no name."), "name", i))
        elif key in seen:
            problems.append(Issue(_("%(name)s is listed twice.") % {"name": m.name}, "name", i))
        seen.add(key)
    chairs = [i for i, m in enumerate(members) if m.role == Role.CHAIR]
    if len(chairs) != 1 and members:  # no members at all: the election rules say so, once
        message = _("The new committee must elect exactly one chair (%(count)d entered).") % {"count": len(chairs)}
        problems.append(Issue(message, "role", chairs[1]) if chairs else Issue(message))
    for i, m in enumerate(members):
        if m.role == Role.VICE_CHAIR and not m.vice_chair_type:
            problems.append(
                Issue(
                    _("Say whether vice-chair %(name)s is full-time, part-time or seconded.") % {"name": m.name},
                    "vice_chair_type",
                    i,
                )
            )
    return problems


def _pay_issues(data):
    problems = []
    last = timezone.localdate().year + 1
    if data.pay_year is not None and not 2000 <= data.pay_year <= last:
        problems.append(Issue(_("Enter a year from 2000 to %(last)d.") % {"last": last}, "pay_year"))
    for name, label, value in (
        ("chair_pay", _("the chair's pay"), data.chair_pay),
        ("secretary_pay", _("the party secretary's pay"), data.secretary_pay),
    ):
        if value is not None and value < 0:
            problems.append(Issue(_("%(what)s cannot be negative.") % {"what": label}, name))
    return problems


def validate(user, village, data, clashes=None):
    """Every problem saving `data` for `village` would meet now, as Issues; empty when it can be saved.
    ID numbers held by someone the writer cannot see are added to `clashes` (committees.UNUSABLE_HERE).

    The one validation path: record_conversion runs it before writing, and the Excel import runs it
    on each row when checking the file, so a checked file meets nothing new when it is saved (unless
    the data changed in between). It covers the data (check()), the fields of the records to be
    written (lengths, ranges, digits), the people to be created (ID number, gender, registered
    elsewhere), the terms already recorded, and the election rules of orgtree.elections."""
    checked = check(data)
    said = {i.field for i in checked if i.member is None}
    fields = [i for i in _field_issues(village, data) if i.field not in said]  # one problem per value
    unstorable = {i.field for i in fields}
    # A turnout figure that cannot be stored is reported as such, not again as a failed quorum.
    issues = [i for i in checked if not (i.field == "present" and unstorable & {"entitled", "present"})]
    issues += fields
    people, people_issues = _people(user, village, data, clashes if clashes is not None else [])
    issues += people_issues
    existing = current_election(village)
    issues += _term_issues(village, data, existing)
    # The election rules, on the election record_conversion would certify (in memory, nothing saved).
    election = Election(
        unit=village,
        kind=Election.Kind.CONVERSION,
        votes_itemized=False,
        held_on=data.held_on,
        entitled=data.entitled,
        present=data.present,
        seats=len(people),
    )
    candidates = [Candidate(election=election, person=p) for p in people.values()]
    officers = [
        OfficerChoice(election=election, person=people[i], **_officer_fields(m, data))
        for i, m in enumerate(data.members)
        if i in people and m.role != Role.EXECUTIVE
    ]
    said = {i.message for i in issues}
    issues += [
        Issue(m)
        for m in elections.violations(election, candidates, officers)
        if m not in said
        and not (unstorable & {"entitled", "present"} and m in elections.turnout_problems(data.entitled, data.present))
    ]
    return list(dict.fromkeys(issues))


def _errors(exc, fields):
    """(field, message) of a model ValidationError, its fields renamed by `fields` (others: the record)."""
    return [(fields.get(name, ""), m) for name, messages in exc.message_dict.items() for m in messages]


def _field_issues(village, data):
    """The values as the saved records' fields check them (ranges, digits), without saving."""
    found = []
    election = Election(
        unit=village,
        kind=Election.Kind.CONVERSION,
        held_on=data.held_on,
        entitled=data.entitled,
        present=data.present,
        seats=min(len(data.members), 32767),
    )
    try:
        election.full_clean(
            exclude=["unit", "created_by", "certified_by", "version"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        found += _errors(exc, {"held_on": "held_on", "entitled": "entitled", "present": "present"})
    if data.chair_pay is not None and data.held_on:
        pay = ChairPay(
            unit=village,
            year=data.pay_year or data.held_on.year,
            chair_annual=data.chair_pay,
            party_secretary_annual=data.secretary_pay,
        )
        try:
            pay.full_clean(exclude=["unit", "recorded_by"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            found += _errors(
                exc, {"year": "pay_year", "chair_annual": "chair_pay", "party_secretary_annual": "secretary_pay"}
            )
    return [Issue(m, f) for f, m in found]


def _people(user, village, data, clashes):
    """({member index: Person, saved or a stand-in for one to be created}, Issues): who each member
    would be, as resolve_people will find or create her. A member resolving to someone already
    listed is left out of the first and reported."""
    entries = [(m.name, m.id_number) for m in data.members]
    found = match_people(user, village, entries)
    new = [i for i, person in enumerate(found) if person is None]
    issues = []
    for j, fields in new_person_problems(user, village, [entries[i] for i in new], clashes).items():
        invalid_number = "id_number" in fields and any(
            m in fields["id_number"] for m in _format_messages(entries[new[j]][1])
        )
        for name, messages in fields.items():
            if invalid_number and name in ("gender", "birth_date"):
                continue  # follows from the malformed number, reported once
            column = "name" if name == "name" else "id_number"
            issues += [Issue(m, column, new[j]) for m in messages]
    people, seen = {}, set()
    for i, person in enumerate(found):
        if person is None:
            person = Person(pk=-1 - i, unit=village, name=data.members[i].name)  # a stand-in, never saved
        elif person.pk in seen:
            issues.append(Issue(_("%(name)s is listed twice.") % {"name": data.members[i].name}, "name", i))
            continue
        seen.add(person.pk)
        people[i] = person
    return people, issues


def _format_messages(number):
    try:
        validate_id_number(number)
    except ValidationError as exc:
        return exc.messages
    return []


def _term_issues(village, data, existing):
    """The dates certify_election (first record) or _amend (correction) would refuse."""
    if not data.held_on:
        return []
    if existing is None:
        previous = Term.objects.filter(unit=village, ended_on__isnull=True).first()
        if previous is not None and data.held_on < previous.started_on:
            return [Issue(_("The election date is before the current term started."), "held_on")]
        return []
    term = getattr(existing, "opened_term", None)
    if (
        data.held_on != existing.held_on
        and term is not None
        and term.ended_on is not None
        and data.held_on >= term.ended_on
    ):
        return [
            Issue(
                _("The election date must be before the next term began (%(date)s).") % {"date": term.ended_on},
                "held_on",
            )
        ]
    return []


def record_conversion(user, village, data, *, version=None, source="web"):
    """Create or amend the conversion record of `village`; returns the (certified) election."""
    with transaction.atomic():
        village = Unit.objects.select_for_update().get(pk=village.pk)  # one writer per village at a time
        scope.require(user, scope.CHANGE, village)
        if village.kind not in GRASSROOTS_KINDS:
            raise ValidationError(_("Only villages and communities are converted from congress to federation."))
        existing = current_election(village)
        writes.check_version(existing, version, shown=village)
        clashes: list[IdNumberClash] = []
        issues = validate(user, village, data, clashes)
        if issues:
            raise InvalidConversionError(issues, clashes)
        people = resolve_people(user, village, [(m.name, m.id_number) for m in data.members], source=source)
        if existing is None:
            election = _first_record(user, village, data, people, source)
        else:
            election = _amend(user, existing, data, people, source)
        _positions(user, village, data, source)
        _pay(user, village, data, source)
        refresh_figures([village.pk])
        return election


def _officer_fields(member, data):
    flags = {f: bool(data.chair_flags.get(f)) for f in CHAIR_FLAGS} if member.role == Role.CHAIR else {}
    return {
        "role": member.role,
        "vice_chair_type": member.vice_chair_type if member.role == Role.VICE_CHAIR else "",
        **flags,
    }


def _first_record(user, village, data, people, source):
    election = Election.objects.create(
        unit=village,
        kind=Election.Kind.CONVERSION,
        votes_itemized=False,
        status=Election.Status.RESULTS,
        held_on=data.held_on,
        entitled=data.entitled,
        present=data.present,
        seats=len(people),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    Candidate.objects.bulk_create([Candidate(election=election, person=p) for p in people])
    OfficerChoice.objects.bulk_create(
        [
            OfficerChoice(election=election, person=p, **_officer_fields(m, data))
            for m, p in zip(data.members, people, strict=True)
            if m.role != Role.EXECUTIVE
        ]
    )
    elections.certify_election(user, election, source=source)
    return Election.objects.get(pk=election.pk)


def _amend(user, election, data, people, source):
    """Apply a correction to a certified conversion: amendment record, then the term's offices."""
    term = election.opened_term
    removed, added, changed = _office_changes(term, data, people)
    changes = _amendment_changes(election, data, removed, added, changed)
    if not changes:
        return election
    held_on = data.held_on
    if "held_on" in changes:
        _move_term_start(term, election.held_on, held_on)
    for office in removed:  # entered by mistake: a void office, so no date counts her
        Office.objects.filter(pk=office.pk).update(ended_on=F("started_on"))
    for office, fields in changed:
        Office.objects.filter(pk=office.pk).update(**fields)
    if term.ended_on is None:
        elections.seat(
            user,
            [
                Office(
                    person=p,
                    unit=term.unit,
                    term=term,
                    election=election,
                    started_on=held_on,
                    **_officer_fields(m, data),
                )
                for m, p in added
            ],
            source,
        )
    ElectionAmendment.objects.create(
        election=election,
        reason=_("Conversion record corrected"),
        changes=changes,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    Election.objects.filter(pk=election.pk).update(
        held_on=held_on, entitled=data.entitled, present=data.present, seats=len(people), version=F("version") + 1
    )
    writes.record_change(election, user, changes, source=source)
    return Election.objects.get(pk=election.pk)


def _office_changes(term, data, people):
    """(offices to void, (member, person) to seat, (office, new fields) to change) for the corrected list."""
    offices = {o.person_id: o for o in Office.objects.filter(term=term).exclude(ended_on=F("started_on"))}
    wanted = {p.pk: (m, p) for m, p in zip(data.members, people, strict=True)}
    removed = [o for pk, o in offices.items() if pk not in wanted]
    added = [(m, p) for pk, (m, p) in wanted.items() if pk not in offices]
    changed = []
    for pk, (m, _p) in wanted.items():
        office = offices.get(pk)
        if office is None:
            continue
        fields = _officer_fields(m, data)
        if any(getattr(office, k) != v for k, v in fields.items()) or (
            m.role != Role.CHAIR and any(getattr(office, f) for f in CHAIR_FLAGS)
        ):
            changed.append((office, {**dict.fromkeys(CHAIR_FLAGS, False), **fields}))
    return removed, added, changed


def _amendment_changes(election, data, removed, added, changed):
    """What the amendment record and history say changed (names and role labels, not ids or codes)."""
    changes = {}
    for name in ("held_on", "entitled", "present"):
        before, after = getattr(election, name), getattr(data, name)
        if before != after:
            changes[name] = [str(before) if before is not None else None, str(after) if after is not None else None]
    if removed:
        changes["removed"] = [o.person.name for o in removed]
    if added:
        changes["added"] = [p.name for _m, p in added]
    if changed:
        changes["roles"] = [f"{o.person.name}: {o.get_role_display()} → {Role(f['role']).label}" for o, f in changed]
    return changes


def _move_term_start(term, old_date, held_on):
    """A corrected election date moves the term's start, its due date and the offices that began with it."""
    if term.ended_on is not None and held_on >= term.ended_on:
        raise ValidationError(
            _("The election date must be before the next term began (%(date)s).") % {"date": term.ended_on}
        )
    term.started_on, term.due_on = held_on, elections.add_years(held_on, elections.term_years(term.unit))
    term.save(update_fields=["started_on", "due_on"])
    Office.objects.filter(term=term, started_on=old_date).exclude(ended_on=F("started_on")).update(started_on=held_on)


def _positions(user, village, data, source):
    today = timezone.localdate()
    wanted = {
        ServicePosition.Kind.WOMENS_HOME: data.womens_home in ("yes", "standardized"),
        ServicePosition.Kind.CHILDRENS_HOME: data.childrens_home,
    }
    for kind, present in wanted.items():
        current = ServicePosition.objects.filter(unit=village, kind=kind, closed_on__isnull=True).first()
        standardized = kind == ServicePosition.Kind.WOMENS_HOME and data.womens_home == "standardized"
        if present and current is None:
            position = ServicePosition(unit=village, kind=kind, standardized=standardized, opened_on=today)
            writes.create(position, user, POSITION_FIELDS, source=source)
        elif present and current is not None and current.standardized != standardized:
            ServicePosition.objects.filter(pk=current.pk).update(standardized=standardized)
            writes.record_change(current, user, {"standardized": [current.standardized, standardized]}, source=source)
        elif not present and current is not None:
            ServicePosition.objects.filter(pk=current.pk).update(closed_on=today)
            writes.record_change(
                current, user, {"closed_on": [None, str(today)]}, source=source, action=ChangeRecord.Action.CLOSE
            )


def _pay(user, village, data, source):
    if data.chair_pay is not None:
        record_pay(user, village, data.pay_year or data.held_on.year, data.chair_pay, data.secretary_pay, source)


def record_pay(user, village, year, chair_annual, party_secretary_annual, source):
    """Record the chair's and the party secretary's annual pay of `village` for `year`: the one way
    ChairPay is written (by a 会改联 record, its Excel import, or the demo), recorded in history.
    Callers hold the transaction; the scope is the caller's (a 会改联 write checks it)."""
    existing = ChairPay.objects.filter(unit=village, year=year).first()
    before = audit.snapshot(existing, PAY_FIELDS) if existing else {}
    pay, created = ChairPay.objects.update_or_create(
        unit=village,
        year=year,
        defaults={
            "chair_annual": chair_annual,
            "party_secretary_annual": party_secretary_annual,
            "recorded_by": user if user is not None and user.is_authenticated else None,
        },
    )
    pay.refresh_from_db()  # amounts as stored (two decimals), so an unchanged amount is no change
    delta = audit.diff(before, audit.snapshot(pay, PAY_FIELDS))
    if delta:
        action = ChangeRecord.Action.CREATE if created else ChangeRecord.Action.UPDATE
        writes.record_change(pay, user, delta, source=source, action=action)
