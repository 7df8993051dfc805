"""会改联: recording a village's conversion from women's congress to federation.

The first save creates a conversion election recorded from the minutes and certifies it through
orgtree.elections (term, offices, the unit's form); later saves amend it: the correction is an
ElectionAmendment and the term's offices follow (a member entered by mistake gets a void office,
ended on the day it started, so no figure as of any date counts her). Pages and the API call
`record_conversion`; the Excel import saves a whole file with `record_conversions`, which is the same
service for many villages at once (record_conversion is it for one): the same rules, the same
history, all or nothing, in a fixed number of queries whatever the number of villages.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from federation import audit, locks, scope, writes
from federation.conflicts import ConflictError
from federation.models import ChangeRecord
from federation.validators import validate_event_date
from orgtree import elections, services
from orgtree.choices import GRASSROOTS_KINDS
from orgtree.committees import (
    MATCHED_FIELDS,
    id_holders,
    keep_clash,
    match_people_many,
    new_person_problems,
    save_new_people,
)
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
from orgtree.models.committee import with_committees
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
    # The village facts (Unit.secretary_is_woman, director_is_woman); None: as recorded. A chair
    # marked party secretary (director) makes the fact true (services.set_village_facts).
    secretary_is_woman: bool | None = None
    director_is_woman: bool | None = None


def current_election(village):
    return current_elections([village]).get(village.pk)


def current_elections(villages):
    """{village id: its latest certified conversion election}, in one query for any number of villages."""
    latest: dict[int, Election] = {}
    for election in (
        Election.objects.filter(unit__in=villages, kind=Election.Kind.CONVERSION, status=Election.Status.CERTIFIED)
        .select_related("opened_term")
        .order_by("unit_id", "-held_on", "-pk")
    ):
        latest.setdefault(election.unit_id, election)
    return latest


def version_of(village):
    """What an editor saw: 0 before the first conversion, then the election's version."""
    election = current_election(village)
    return election.version if election else 0


# The approvable figure set (federation.locks) the 会改联 records make: approved, they are locked.
LOCK = "conversion"


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
    return problems + _member_issues(data.members) + _pay_issues(data) + _fact_issues(data)


def _fact_issues(data):
    """A chair marked party secretary (director) while the row says the secretary (director) is not a woman."""
    problems = []
    if data.chair_flags.get("is_party_secretary") and data.secretary_is_woman is False:
        problems.append(
            Issue(
                _("The chair is marked party organization secretary: the secretary is a woman."), "secretary_is_woman"
            )
        )
    if data.chair_flags.get("is_village_director") and data.director_is_woman is False:
        problems.append(
            Issue(
                _("The chair is marked villagers' (residents') committee director: the director is a woman."),
                "director_is_woman",
            )
        )
    return problems


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

    The one validation path: record_conversion(s) runs it before writing, and the Excel import runs it
    on each row when checking the file, so a checked file meets nothing new when it is saved (unless
    the data changed in between). It covers the data (check()), the fields of the records to be
    written (lengths, ranges, digits), the people to be created (ID number, gender, registered
    elsewhere), the terms already recorded, and the election rules of orgtree.elections."""
    return validate_many(user, [(village, data)], clashes)[0]


def validate_many(user, items, clashes=None):
    """validate() of several villages, [(village, data)] → [Issues of each], reading what it needs
    of the database for all of them at once (a fixed number of queries, whatever their number)."""
    known = _Known(user, items)
    clashes = clashes if clashes is not None else []
    locked = locks.locked_units([village for village, _d in items], LOCK)  # approved 会改联结果 (one query)
    return [
        [Issue(locked[village.pk])] if village.pk in locked else _issues(user, village, data, known, clashes)
        for village, data in items
    ]


class _Known:
    """What validating (and then recording) several villages' conversions asks of the database, read
    for all of them at once: the person each member resolves to, the holders of the ID numbers of
    those to be created, the current conversion elections and the open terms. Filled on the way:
    `new`, the people to create ({village pk: {member index: Person}}, checked as create_people
    checks them)."""

    def __init__(self, user, items, existing=None):
        lists = [(village, [(m.name, m.id_number) for m in data.members]) for village, data in items]
        self.entries = {village.pk: entries for village, entries in lists}
        self.found = {
            village.pk: found for (village, _e), found in zip(lists, match_people_many(user, lists), strict=True)
        }
        self.holders = id_holders(
            user,
            [
                number
                for village, entries in lists
                for (_name, number), person in zip(entries, self.found[village.pk], strict=True)
                if person is None and number
            ],
        )
        self.existing = existing if existing is not None else current_elections([v for v, _d in items])
        first = [village.pk for village, _d in items if village.pk not in self.existing]
        self.open_terms = (
            {t.unit_id: t for t in Term.objects.filter(unit__in=first, ended_on__isnull=True)} if first else {}
        )
        self.new: dict[int, dict[int, Person]] = {}


def _issues(user, village, data, known, clashes):
    checked = check(data)
    said = {i.field for i in checked if i.member is None}
    fields = [i for i in _field_issues(village, data) if i.field not in said]  # one problem per value
    unstorable = {i.field for i in fields}
    # A turnout figure that cannot be stored is reported as such, not again as a failed quorum.
    issues = [i for i in checked if not (i.field == "present" and unstorable & {"entitled", "present"})]
    issues += fields
    people, people_issues = _people(user, village, data, clashes, known)
    issues += people_issues
    existing = known.existing.get(village.pk)
    issues += _term_issues(village, data, existing, known.open_terms.get(village.pk))
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


def _people(user, village, data, clashes, known):
    """({member index: Person, saved or a stand-in for one to be created}, Issues): who each member
    would be, as resolve_people would find or create her. A member resolving to someone already
    listed is left out of the first and reported. The people to create go to `known.new`."""
    entries = known.entries[village.pk]
    found = known.found[village.pk]
    new = [i for i, person in enumerate(found) if person is None]
    issues = []
    built: list[Person] = []
    problems = new_person_problems(
        user, village, [entries[i] for i in new], clashes, holders=known.holders, built=built
    )
    known.new[village.pk] = dict(zip(new, built, strict=True))
    for j, fields in problems.items():
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


def _term_issues(village, data, existing, previous):
    """The dates certify_election (first record: `previous`, the open term) or _amend (correction)
    would refuse."""
    if not data.held_on:
        return []
    if existing is None:
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
        recorded = record_conversions(user, [(village, data)], versions={village.pk: version}, source=source)
        if recorded.refused:
            raise recorded.refused[village.pk]
        return recorded.elections[village.pk]


@dataclass
class Recorded:
    """What record_conversions did: the certified election of each village, the villages whose record
    it created or amended, and the error refusing each village refused (then nothing is written)."""

    elections: dict = field(default_factory=dict)
    changed: set = field(default_factory=set)
    refused: dict = field(default_factory=dict)


def record_conversions(user, items, *, versions=None, source="web", progress=None):
    """Create or amend the conversion records of villages [(village, Conversion)], all or nothing, in a
    fixed number of queries whatever their number (a city's import), by the rules and with the history
    of one village's record: the villages locked, the writer's scope checked for all of them before
    and after writing, each refused as record_conversion refuses one (out of scope: PermissionDenied;
    not a village: ValidationError; `versions` {pk: version seen} stale: ConflictError; its data:
    InvalidConversionError, after validate()) — and when any is refused, nothing is written. Then the
    people to create are saved at once (one woman's ID number listed in several villages is registered
    once, at the first), first records are created and certified together (elections.certify_checked),
    corrections amend their village, homes and pay follow, and the figures of the villages touched are
    refreshed once. `progress(done, total)` hears of the steps."""
    recorded = Recorded()
    if not items:
        return recorded

    def step(done):
        if progress:
            progress(done, 4)

    with transaction.atomic():
        # One writer per village at a time, locked in one order.
        locked = {
            u.pk: u for u in Unit.objects.select_for_update().filter(pk__in=[v.pk for v, _d in items]).order_by("pk")
        }
        if len(locked) != len({village.pk for village, _d in items}):
            raise Unit.DoesNotExist("Unit matching query does not exist.")
        items = [(locked[village.pk], data) for village, data in items]
        existing = current_elections(list(locked.values()))
        for election in existing.values():
            election.unit = locked[election.unit_id]
        todo, known = _checked(user, items, existing, versions or {}, recorded)
        step(1)
        if recorded.refused:
            return recorded
        people = _resolve(user, todo, known, source)
        first = [(village, data) for village, data in todo if village.pk not in existing]
        recorded.elections.update(_first_records(user, first, people, source))
        recorded.changed.update(recorded.elections)
        step(2)
        amended = [(village, data) for village, data in todo if village.pk in existing]
        offices = _offices_of([existing[village.pk] for village, _d in amended], people)
        for village, data in amended:
            before = existing[village.pk]
            after = _amend(user, before, data, people[village.pk], source, offices)
            recorded.elections[village.pk] = after
            if after.version != before.version:
                recorded.changed.add(village.pk)
        step(3)
        touched = recorded.changed | _positions(user, todo, source)
        _pays(user, todo, source)
        services.set_village_facts(
            user,
            {
                village: {f: getattr(data, f) for f in services.VILLAGE_FACTS if getattr(data, f) is not None}
                for village, data in todo
            },
            source=source,
        )
        scope.require_all(user, scope.CHANGE, [village for village, _d in todo])  # still hers after writing
        if touched:
            refresh_figures(touched)
        step(4)
        return recorded


def _checked(user, items, existing, versions, recorded):
    """(the villages that may be saved, what was read to check them): each village's refusal, if any,
    goes to `recorded.refused` — its scope (one query for all), kind, version, then its data."""
    allowed = scope.permitted(user, scope.CHANGE, [v for v, _d in items]) if user is not None else None
    locked = locks.approved([v for v, _d in items], LOCK)  # approved 会改联结果 are not changed (one query)
    todo = []
    for village, data in items:
        refusal = _refusal(village, allowed, existing.get(village.pk), versions.get(village.pk))
        if refusal is None and village.pk in locked:
            refusal = locks.LockedError([locked[village.pk]])
        if refusal is not None:
            recorded.refused[village.pk] = refusal
        else:
            todo.append((village, data))
    known = _Known(user, todo, existing)
    for village, data in todo:
        clashes: list[IdNumberClash] = []
        issues = _issues(user, village, data, known, clashes)
        if issues:
            recorded.refused[village.pk] = InvalidConversionError(issues, clashes)
    return todo, known


def _refusal(village, allowed, existing, version):
    """Why record_conversion would refuse `village` before looking at its data, or None. `allowed`: the
    villages the writer may change (None: the system, all)."""
    if allowed is not None and village.pk not in allowed:
        return PermissionDenied(_("%(unit)s is outside your scope.") % {"unit": village})
    if village.kind not in GRASSROOTS_KINDS:
        return ValidationError(_("Only villages and communities are converted from congress to federation."))
    try:
        writes.check_version(existing, version, shown=village)
    except ConflictError as exc:
        return exc
    return None


def _resolve(user, todo, known, source):
    """{village pk: the Person of each member}: those found, and those to create saved at once."""
    people: dict[int, list[Person]] = {}
    create: list[Person] = []
    by_number: dict[str, Person] = {}
    for village, _data in todo:
        chosen = []
        for i, person in enumerate(known.found[village.pk]):
            if person is None:
                person = known.new[village.pk][i]
                if not person.id_number or by_number.setdefault(person.id_number, person) is person:
                    create.append(person)
                else:  # listed in an earlier village of the batch: she is registered there
                    person = by_number[person.id_number]
            chosen.append(person)
        people[village.pk] = chosen
    save_new_people(user, create, source=source)
    return people


def _officer_fields(member, data):
    flags = (
        with_committees({f: bool(data.chair_flags.get(f)) for f in CHAIR_FLAGS}) if member.role == Role.CHAIR else {}
    )
    return {
        "role": member.role,
        "vice_chair_type": member.vice_chair_type if member.role == Role.VICE_CHAIR else "",
        **flags,
    }


def _first_records(user, first, people, source):
    """The first conversion record of each village: its election recorded from the minutes, certified
    together with the others; {village pk: the certified election}."""
    if not first:
        return {}
    creator = user if user is not None and user.is_authenticated else None
    created = writes.insert(
        [
            Election(
                unit=village,
                kind=Election.Kind.CONVERSION,
                votes_itemized=False,
                status=Election.Status.RESULTS,
                held_on=data.held_on,
                entitled=data.entitled,
                present=data.present,
                seats=len(people[village.pk]),
                created_by=creator,
            )
            for village, data in first
        ]
    )
    batch = []
    for election, (village, data) in zip(created, first, strict=True):
        chosen = people[village.pk]
        candidates = [Candidate(election=election, person=p) for p in chosen]
        officers = [
            OfficerChoice(election=election, person=p, **_officer_fields(m, data))
            for m, p in zip(data.members, chosen, strict=True)
            if m.role != Role.EXECUTIVE
        ]
        batch.append((election, candidates, officers))
    writes.insert([c for _e, candidates, _o in batch for c in candidates])
    writes.insert([o for _e, _c, officers in batch for o in officers])
    elections.certify_checked(user, batch, source=source, refresh=False)  # figures: once, by the caller
    fresh = Election.objects.in_bulk([e.pk for e in created])
    return {e.unit_id: fresh[e.pk] for e in created}


@dataclass
class _Seat:
    """An office as a correction compares it: read as values (a city's offices are not built as models)."""

    pk: int
    term_id: int
    person_id: int
    role: str
    vice_chair_type: str
    on_party_committee: bool
    on_villagers_committee: bool
    is_party_secretary: bool
    is_village_director: bool
    person: Person | None = None

    def get_role_display(self):
        return Role(self.role).label


def _offices_of(elections_, people):
    """{term pk: its offices (_Seat), void ones left out} of the terms these elections opened, each with
    its person: from `people` (the members, already read), the few others (members to remove) in one query."""
    terms = [getattr(e, "opened_term", None) for e in elections_]
    found: dict[int, list[_Seat]] = {t.pk: [] for t in terms if t is not None}
    if not found:
        return found
    offices = [
        _Seat(*row)
        for row in Office.objects.filter(term__in=list(found))
        .exclude(ended_on=F("started_on"))
        .values_list("pk", "term_id", "person_id", "role", "vice_chair_type", *CHAIR_FLAGS)
    ]
    known = {p.pk: p for chosen in people.values() for p in chosen}
    missing = {o.person_id for o in offices} - set(known)
    if missing:
        known.update(Person.objects.only(*MATCHED_FIELDS).in_bulk(missing))
    for office in offices:
        office.person = known[office.person_id]
        found[office.term_id].append(office)
    return found


def _amend(user, election, data, people, source, offices):
    """Apply a correction to a certified conversion: amendment record, then the term's offices
    (`offices`: {term pk: its offices}, from _offices_of)."""
    term = election.opened_term
    term.unit = election.unit
    removed, added, changed = _office_changes(offices[term.pk], data, people)
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


def _office_changes(current, data, people):
    """(offices to void, (member, person) to seat, (office, new fields) to change) for the corrected list."""
    offices = {o.person_id: o for o in current}
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
    term.original_due_on = term.due_on
    term.save(update_fields=["started_on", "due_on", "original_due_on"])
    Office.objects.filter(term=term, started_on=old_date).exclude(ended_on=F("started_on")).update(started_on=held_on)


def _positions(user, items, source):
    """Each village's women's and children's homes as its data says (opened, standardized or not, closed),
    for all villages at once; returns the villages whose homes changed."""
    today = timezone.localdate()
    current: dict[tuple[int, str], ServicePosition] = {}
    for found in ServicePosition.objects.filter(
        unit__in=[village for village, _d in items], closed_on__isnull=True
    ).order_by("pk"):
        current.setdefault((found.unit_id, found.kind), found)
    opened: list[ServicePosition] = []
    standardized: list[tuple[ServicePosition, bool]] = []
    closed: list[ServicePosition] = []
    for village, data in items:
        wanted = {
            ServicePosition.Kind.WOMENS_HOME: data.womens_home in ("yes", "standardized"),
            ServicePosition.Kind.CHILDRENS_HOME: data.childrens_home,
        }
        for kind, present in wanted.items():
            value = kind == ServicePosition.Kind.WOMENS_HOME and data.womens_home == "standardized"
            position = current.get((village.pk, kind))
            if position is None:
                if present:
                    opened.append(ServicePosition(unit=village, kind=kind, standardized=value, opened_on=today))
                continue
            position.unit = village  # its name, in history
            if not present:
                closed.append(position)
            elif position.standardized != value:
                standardized.append((position, value))
    writes.create_many(opened, user, POSITION_FIELDS, source=source)
    for value in (True, False):
        pks = [position.pk for position, wanted_value in standardized if wanted_value == value]
        if pks:
            ServicePosition.objects.filter(pk__in=pks).update(standardized=value)
    writes.record_changes(
        [(position, {"standardized": [position.standardized, value]}, "") for position, value in standardized],
        user,
        source=source,
    )
    if closed:
        ServicePosition.objects.filter(pk__in=[p.pk for p in closed]).update(closed_on=today)
        writes.record_changes(
            [(p, {"closed_on": [None, str(today)]}, "") for p in closed],
            user,
            source=source,
            action=ChangeRecord.Action.CLOSE,
        )
    return {p.unit_id for p in [*opened, *closed]} | {p.unit_id for p, _v in standardized}


def _pays(user, items, source):
    record_pays(
        user,
        [
            (village, data.pay_year or data.held_on.year, data.chair_pay, data.secretary_pay)
            for village, data in items
            if data.chair_pay is not None
        ],
        source=source,
    )


def record_pay(user, village, year, chair_annual, party_secretary_annual, source):
    """Record the chair's and the party secretary's annual pay of `village` for `year`: the one way
    ChairPay is written (by a 会改联 record, its Excel import, or the demo), recorded in history.
    Callers hold the transaction; the scope is the caller's (a 会改联 write checks it); refused while the
    village's 会改联结果 are approved and locked."""
    locks.guard(village, LOCK)
    record_pays(user, [(village, year, chair_annual, party_secretary_annual)], source=source)


def record_pays(user, rows, *, source):
    """record_pay for several villages, rows [(village, year, chair_annual, party_secretary_annual)],
    in a fixed number of queries (read, insert, update, history): a new year is created, changed
    amounts are updated, amounts as stored (two decimals) are left as they are — nothing written,
    nothing recorded. Each row written sends the post_save a save() would (created, or the fields
    updated), so what listens to ChairPay (funding's stored compliance) follows."""
    if not rows:
        return
    recorder = user if user is not None and user.is_authenticated else None
    stored = {
        (pay.unit_id, pay.year): pay
        for pay in ChairPay.objects.filter(unit__in={v.pk for v, *_r in rows}, year__in={y for _v, y, *_r in rows})
    }
    created, updated, created_records, updated_records = [], [], [], []
    for village, year, chair_annual, party_secretary_annual in rows:
        amounts = {"chair_annual": _cents(chair_annual), "party_secretary_annual": _cents(party_secretary_annual)}
        pay = stored.get((village.pk, year))
        if pay is None:
            pay = stored[(village.pk, year)] = ChairPay(unit=village, year=year, recorded_by=recorder, **amounts)
            created.append(pay)
            created_records.append((pay, audit.diff({}, audit.snapshot(pay, PAY_FIELDS)), ""))
            continue
        before = audit.snapshot(pay, PAY_FIELDS)
        pay.unit = village  # its name, in history
        for name, value in amounts.items():
            setattr(pay, name, value)
        delta = audit.diff(before, audit.snapshot(pay, PAY_FIELDS))
        if delta:
            pay.recorded_by, pay.updated_at = recorder, timezone.now()
            updated.append(pay)
            updated_records.append((pay, delta, ""))
    ChairPay.objects.bulk_create(created)
    if updated:
        ChairPay.objects.bulk_update(updated, PAY_UPDATED)
    writes.record_changes(created_records, user, source=source, action=ChangeRecord.Action.CREATE)
    writes.record_changes(updated_records, user, source=source)
    using = router.db_for_write(ChairPay)
    for pay in created:
        post_save.send(sender=ChairPay, instance=pay, created=True, update_fields=None, raw=False, using=using)
    for pay in updated:
        post_save.send(
            sender=ChairPay, instance=pay, created=False, update_fields=frozenset(PAY_UPDATED), raw=False, using=using
        )


PAY_UPDATED = ("chair_annual", "party_secretary_annual", "recorded_by", "updated_at")


def _cents(amount):
    """An amount in yuan as a two-decimal column stores it."""
    return None if amount is None else Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
