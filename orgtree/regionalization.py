"""区域化: a township's or street's regionalized founding or renewal, recorded as an election.

A regionalization is an Election of kind "regionalization" held by a township or street, recorded
from the minutes (its members were elected; no vote counts): the "1+1+N" structure — the chair,
full-time, part-time and seconded vice-chairs, and the executives, each tagged by where she is
drawn from (villages and communities, agencies, enterprises, new domains, other: Candidate.drawn_from).
It goes through the election services of orgtree.elections (create_election, add_candidate,
set_officers, certify_election), so certifying it opens the township's term and seats its
committee as any election does, and the certified election is kept: `townships_regionalized`
counts the townships with one (orgtree.coverage).

`validate()` names every problem in Chinese (as Issues mapped to fields and members, for the
Excel import: orgtree/regionalization_excel.py); `record_regionalization()` refuses while there
is any. Recording the regionalization already certified for that township and day, unchanged,
writes nothing; a changed one is refused: certified results are corrected by an amendment on the
election's page.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federation import scope
from federation.validators import validate_event_date
from orgtree import elections
from orgtree.committees import match_people, new_person_problems
from orgtree.models import Candidate, DrawnFrom, Election, OfficerChoice, Person, Role, Term, Unit


@dataclass
class Member:
    name: str
    id_number: str = ""
    role: str = Role.EXECUTIVE
    vice_chair_type: str = ""
    drawn_from: str = ""

    def key(self):
        """What a re-recorded member is compared by (ID numbers are not exported, names are)."""
        vice = self.vice_chair_type if self.role == Role.VICE_CHAIR else ""
        return (self.name, self.role, vice, self.drawn_from)


@dataclass
class Regionalization:
    """What a county cadre records for one township (a spreadsheet row and its member rows)."""

    held_on: datetime.date
    members: list = field(default_factory=list)  # Member, the chair and vice-chairs included
    entitled: int | None = None
    present: int | None = None


@dataclass(frozen=True)
class Issue:
    """A problem: its message, and where (a Regionalization field, or a Member field and its index)."""

    message: str
    field: str = ""
    member: int | None = None


class InvalidRegionalizationError(ValidationError):
    def __init__(self, issues):
        super().__init__([i.message for i in issues])
        self.issues = issues


def certified(townships):
    """{township id: its latest certified regionalization}, its members loaded, in three queries."""
    latest: dict[int, Election] = {}
    for election in regionalizations(townships):
        latest.setdefault(election.unit_id, election)
    return latest


def regionalizations(townships):
    """The certified regionalizations of these townships, latest first, with their members."""
    return (
        Election.objects.filter(
            unit__in=townships, kind=Election.Kind.REGIONALIZATION, status=Election.Status.CERTIFIED
        )
        .order_by("unit_id", "-held_on", "-pk")
        .prefetch_related("candidates__person", "officers")
    )


def members_of(election):
    """The elected members of a certified regionalization as Members (chair first, then vice-chairs, …)."""
    officers = {o.person_id: o for o in election.officers.all()}
    order = {Role.CHAIR: 0, Role.VICE_CHAIR: 1, Role.STANDING: 2, Role.EXECUTIVE: 3}
    found = []
    for c in election.candidates.all():
        if not c.elected:  # a candidate of a ballot who was not elected
            continue
        officer = officers.get(c.person_id)
        role = officer.role if officer else Role.EXECUTIVE
        found.append(Member(c.person.name, "", role, officer.vice_chair_type if officer else "", c.drawn_from))
    return sorted(found, key=lambda m: (order[m.role], m.name))


def unchanged(election, data):
    """Does `data` say what the certified `election` says (same day, turnout and members)?"""
    return (
        election.held_on == data.held_on
        and (election.entitled, election.present) == (data.entitled, data.present)
        and sorted(m.key() for m in members_of(election)) == sorted(m.key() for m in data.members)
    )


UNREAD = object()


def validate(user, township, data, existing=UNREAD, clashes=None):
    """Every problem recording `data` for `township` would meet now, as Issues (empty: it can be
    recorded). `existing`: its latest certified regionalization or None (read when not given)."""
    if township.kind not in elections.REGIONALIZED_KINDS:
        return [Issue(elections.not_a_township(township))]
    if existing is UNREAD:
        existing = certified([township]).get(township.pk)
    if existing is not None and existing.held_on == data.held_on:
        if unchanged(existing, data):
            return []
        return [
            Issue(
                _(
                    "The regionalization of %(unit)s on %(date)s is already certified: correct it as an "
                    "amendment on the election's page."
                )
                % {"unit": township.name, "date": data.held_on},
                "held_on",
            )
        ]
    issues = _date_issues(township, data.held_on)
    issues += [Issue(m, "present") for m in elections.turnout_problems(data.entitled, data.present)]
    issues += _member_issues(data.members)
    issues += _people_issues(user, township, data.members, clashes if clashes is not None else [])
    # The election rules, on the election record_regionalization would certify (nothing saved).
    election = Election(
        unit=township,
        kind=Election.Kind.REGIONALIZATION,
        votes_itemized=False,
        held_on=data.held_on,
        entitled=data.entitled,
        present=data.present,
        seats=len(data.members),
    )
    people = [Person(pk=-1 - i, unit=township, name=m.name) for i, m in enumerate(data.members)]
    candidates = [
        Candidate(election=election, person=p, drawn_from=m.drawn_from)
        for p, m in zip(people, data.members, strict=True)
    ]
    officers = [
        OfficerChoice(election=election, person=p, role=m.role, vice_chair_type=m.vice_chair_type)
        for p, m in zip(people, data.members, strict=True)
        if m.role != Role.EXECUTIVE
    ]
    said = {i.message for i in issues}
    issues += [Issue(m) for m in elections.violations(election, candidates, officers) if m not in said]
    return list(dict.fromkeys(issues))


def _date_issues(township, held_on):
    if held_on is None:
        return [Issue(_("Enter %(fields)s.") % {"fields": _("the date it was held")}, "held_on")]
    if held_on > timezone.localdate():
        return [Issue(_("The election date %(date)s is in the future.") % {"date": held_on}, "held_on")]
    try:
        validate_event_date(held_on)
    except ValidationError as error:
        return [Issue(m, "held_on") for m in error.messages]
    running = Term.objects.filter(unit=township, ended_on__isnull=True).first()
    if running is not None and held_on < running.started_on:
        return [Issue(_("The election date is before the current term started."), "held_on")]
    return []


def _member_issues(members):
    problems, seen = [], set()
    for i, m in enumerate(members):
        if not m.name.strip():
            problems.append(Issue(_("A member has no name."), "name", i))
        elif (m.name, m.id_number) in seen:
            problems.append(Issue(_("%(name)s is listed twice.") % {"name": m.name}, "name", i))
        seen.add((m.name, m.id_number))
        if m.role == Role.VICE_CHAIR and not m.vice_chair_type:
            problems.append(
                Issue(
                    _("Say whether vice-chair %(name)s is full-time, part-time or seconded.") % {"name": m.name},
                    "vice_chair_type",
                    i,
                )
            )
        if m.drawn_from not in DrawnFrom.values:
            problems.append(
                Issue(
                    _("Say where %(name)s is drawn from (village/community, agency, enterprise, new domain or other).")
                    % {"name": m.name},
                    "drawn_from",
                    i,
                )
            )
    chairs = [i for i, m in enumerate(members) if m.role == Role.CHAIR]
    if members and len(chairs) != 1:
        message = _("The new committee must elect exactly one chair (%(count)d entered).") % {"count": len(chairs)}
        problems.append(Issue(message, "role", chairs[1]) if chairs else Issue(message))
    return problems


def _people_issues(user, township, members, clashes):
    """What creating the members not yet recorded would refuse (ID numbers: checksum, gender,
    registered to someone else), as create_people checks it."""
    entries = [(m.name.strip(), m.id_number) for m in members]
    found = match_people(user, township, entries)
    new = [i for i, person in enumerate(found) if person is None]
    problems = new_person_problems(user, township, [entries[i] for i in new], clashes)
    issues = []
    for j, fields in problems.items():
        for name, messages in fields.items():
            issues += [Issue(m, "name" if name == "name" else "id_number", new[j]) for m in messages]
    return issues


def record_regionalization(user, township, data, *, source="web"):
    """Record and certify the regionalization of `township` through the election services; returns
    the certified election and whether anything was written. Refuses (InvalidRegionalizationError,
    nothing written) while validate() finds a problem; the same record again writes nothing."""
    with transaction.atomic():
        township = Unit.objects.select_for_update().get(pk=township.pk)
        scope.require(user, scope.CHANGE, township)
        existing = certified([township]).get(township.pk)
        issues = validate(user, township, data, existing)
        if issues:
            raise InvalidRegionalizationError(issues)
        if existing is not None and existing.held_on == data.held_on:
            return existing, False  # unchanged (validate refuses a changed one)
        election = elections.create_election(
            user,
            township,
            kind=Election.Kind.REGIONALIZATION,
            votes_itemized=False,
            held_on=data.held_on,
            entitled=data.entitled,
            present=data.present,
            seats=len(data.members),
            source=source,
        )
        candidates = [
            elections.add_candidate(
                user, election, name=m.name.strip(), id_number=m.id_number, drawn_from=m.drawn_from, source=source
            )
            for m in data.members
        ]
        elections.set_officers(
            user,
            election,
            [
                {
                    "person_id": c.person_id,
                    "role": m.role,
                    "vice_chair_type": m.vice_chair_type if m.role == Role.VICE_CHAIR else "",
                }
                for c, m in zip(candidates, data.members, strict=True)
                if m.role != Role.EXECUTIVE
            ],
        )
        elections.certify_election(user, election, source=source)
        election.refresh_from_db()
        return election, True
