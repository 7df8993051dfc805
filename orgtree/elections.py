"""Election rules and certification: the one place pages, the API and imports go through.

`violations()` names every broken rule in Chinese; `certify_election()` refuses while there is
any, then ends the previous term and its offices, opens the new term and seats the new committee
in one transaction. A certified election is never edited: `amend_election()` records corrections.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, DateField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from federation import audit, notices, scope, writes
from orgtree import changes, services
from orgtree.choices import Form, Kind
from orgtree.committees import resolve_people
from orgtree.coverage import refresh_figures
from orgtree.idnumber import normalize
from orgtree.models import Candidate, DrawnFrom, Election, ElectionAmendment, Office, OfficerChoice, Role, Term
from orgtree.models.committee import role_title, with_committees
from orgtree.rollups import count_per_child

# The units that hold a regionalization (区域化) election.
REGIONALIZED_KINDS = (Kind.TOWNSHIP, Kind.STREET)


def rules():
    return settings.BANYAN["ELECTION_RULES"]


def term_years(unit):
    years = settings.BANYAN["TERM_YEARS"]
    return years.get(unit.kind, years["default"])


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def elected_candidates(election, candidates):
    """(elected, tied): highest approvals first while seats remain, if above the majority threshold.

    `tied` lists the candidates sharing the last seat's vote count beyond the seats: a revote is needed.
    """
    if not election.votes_itemized:  # a result recorded from the minutes: the listed members were elected
        return list(candidates), []
    base = election.entitled if rules()["majority_of"] == "entitled" else election.present
    eligible = sorted((c for c in candidates if base and c.approve * 2 > base), key=lambda c: -c.approve)
    seats = election.seats or 0
    if len(eligible) <= seats:
        return eligible, []
    cutoff = eligible[seats - 1].approve if seats else None
    tied = [c for c in eligible if c.approve == cutoff]
    if len([c for c in eligible if c.approve > cutoff]) + len(tied) > seats and len(tied) > 1:
        return [c for c in eligible if c.approve > cutoff], tied
    return eligible[:seats], []


def violations(election, candidates=None, officers=None):
    """Every rule the entered results break, in Chinese; empty when the election can be certified."""
    candidates = list(election.candidates.select_related("person")) if candidates is None else candidates
    officers = list(election.officers.select_related("person")) if officers is None else officers
    if not election.votes_itemized:
        return _recorded_result_violations(election, candidates, officers)
    required = {
        "held_on": _("the date it was held"),
        "entitled": _("the number entitled to vote"),
        "present": _("the number present"),
        "ballots_issued": _("the ballots issued"),
        "ballots_returned": _("the ballots returned"),
        "seats": _("the number of seats"),
    }
    missing = [label for field, label in required.items() if getattr(election, field) in (None, "")]
    if missing:
        return [_("Enter %(fields)s.") % {"fields": "、".join(str(m) for m in missing)}]
    found = _date_problems(election.held_on) + turnout_problems(election.entitled, election.present)
    found += _ballot_violations(election) + _candidate_violations(election, candidates)
    elected, tied = elected_candidates(election, candidates)
    if tied:
        found.append(
            _("%(names)s tie for the last seat with %(votes)d approvals: hold a revote among them.")
            % {"names": "、".join(c.person.name for c in tied), "votes": tied[0].approve}
        )
    if not elected and not tied:
        found.append(
            _("No candidate won approvals from more than half of the %(entitled)d entitled to vote.")
            % {"entitled": election.entitled}
        )
    by_election = election.kind == Election.Kind.BY_ELECTION
    if by_election:
        found += changes.by_election_problems(election, candidates, officers)
    found += regionalization_violations(election, candidates)
    return found + _officer_violations(
        officers, {c.person_id for c in elected}, chair_required=not by_election, form=election.committee_form
    )


def _date_problems(held_on):
    if held_on > timezone.localdate():
        return [_("The election date %(date)s is in the future.") % {"date": held_on}]
    return []


def _ballot_violations(election):
    """The ballots and seats as counted: returned ≤ issued, invalid ≤ returned, odd seats where required."""
    found = []
    if election.ballots_returned > election.ballots_issued:
        found.append(
            _(
                "More ballots returned (%(returned)d) than issued (%(issued)d): this round is void "
                "and must be held again."
            )
            % {"returned": election.ballots_returned, "issued": election.ballots_issued}
        )
    if election.ballots_invalid > election.ballots_returned:
        found.append(_("More invalid ballots than ballots returned."))
    if rules()["odd_seats"] and election.seats % 2 == 0:
        found.append(_("The number of executive seats must be odd (%(seats)d).") % {"seats": election.seats})
    return found


def _candidate_violations(election, candidates):
    """差额 (more candidates than seats) and no candidate with more votes than valid ballots."""
    found = []
    listed = [c for c in candidates if not c.write_in]
    if rules()["contested_executives"] and election.kind != Election.Kind.BY_ELECTION and len(listed) <= election.seats:
        found.append(
            _("A contested election needs more candidates than seats: %(candidates)d candidates for %(seats)d seats.")
            % {"candidates": len(listed), "seats": election.seats}
        )
    valid = election.ballots_returned - election.ballots_invalid
    for c in candidates:
        if c.approve + c.disapprove + c.abstain > valid:
            found.append(
                _("%(name)s has more votes (%(votes)d) than valid ballots (%(valid)d).")
                % {"name": c.person.name, "votes": c.approve + c.disapprove + c.abstain, "valid": valid}
            )
    return found


def turnout_problems(entitled, present):
    """Quorum and plausibility of the turnout, when both figures are known (the one quorum rule)."""
    if entitled is None or present is None:
        return []
    if present > entitled:
        return [
            _("More people present (%(present)d) than entitled to vote (%(entitled)d).")
            % {"present": present, "entitled": entitled}
        ]
    num, den = rules()["quorum"]
    if present * den <= entitled * num:
        return [
            _(
                "Quorum not reached: %(present)d present is not more than %(num)d/%(den)d of the "
                "%(entitled)d entitled to vote; the election is void."
            )
            % {"present": present, "num": num, "den": den, "entitled": entitled}
        ]
    return []


def _recorded_result_violations(election, candidates, officers):
    """A result copied from the meeting's minutes (no vote counts): date, turnout if given, the members."""
    if not election.held_on:
        return [_("Enter %(fields)s.") % {"fields": _("the date it was held")}]
    found = _date_problems(election.held_on) + turnout_problems(election.entitled, election.present)
    if not candidates:
        found.append(_("List the members of the new committee."))
    found += regionalization_violations(election, candidates)
    return found + _officer_violations(officers, {c.person_id for c in candidates}, form=election.committee_form)


def regionalization_violations(election, candidates):
    """A regionalization (区域化) is held by a township or street, and says where each member of the
    new committee is drawn from (village/community, agency, enterprise, new domain, other)."""
    if election.kind != Election.Kind.REGIONALIZATION:
        return []
    found = []
    if election.unit.kind not in REGIONALIZED_KINDS:
        found.append(not_a_township(election.unit))
    for c in candidates:
        if c.drawn_from not in DrawnFrom.values:
            found.append(
                _("Say where %(name)s is drawn from (village/community, agency, enterprise, new domain or other).")
                % {"name": c.person.name}
            )
    return found


def not_a_township(unit):
    return _("%(unit)s is not a township or street: only townships and streets are regionalized.") % {"unit": unit.name}


def _officer_violations(officers, elected_ids, chair_required=True, form=Form.FEDERATION):
    """`chair_required`: a new committee elects exactly one chair (a by-election's own rules:
    orgtree.changes.by_election_problems); `form`: the committee's, for its titles (主任 on a 妇委会)."""
    found = []
    chairs = [o for o in officers if o.role == Role.CHAIR]
    if chair_required and len(chairs) != 1:
        # On a 妇联 this reads exactly as orgtree.conversion's own check (the 会改联 import lists it once).
        found.append(
            _("The new committee must elect exactly one %(title)s (%(count)d entered).")
            % {"title": role_title(Role.CHAIR, form), "count": len(chairs)}
        )
    seen = set()
    for o in officers:
        if o.person_id in seen:
            found.append(_("%(name)s holds more than one office.") % {"name": o.person.name})
        seen.add(o.person_id)
        if o.person_id not in elected_ids:
            found.append(
                _("%(name)s was not elected to the committee, so cannot be one of its officers.")
                % {"name": o.person.name}
            )
        if o.role == Role.VICE_CHAIR and not o.vice_chair_type:
            found.append(
                _("Say whether %(title)s %(name)s is full-time, part-time or seconded.")
                % {"title": role_title(Role.VICE_CHAIR, form), "name": o.person.name}
            )
    return found


def certify_election(user, election, *, source="web"):
    """Certify: close the previous term and its offices, open the next term, seat the committee."""
    with transaction.atomic():
        # The row lock makes a second, concurrent certification wait and then see "certified".
        election = Election.objects.select_for_update().select_related("unit").get(pk=election.pk)
        scope.require(user, scope.CHANGE, election.unit)
        services.guard_counted([election.unit])  # its offices count in an approved 会改联结果
        if election.is_certified:
            raise ValidationError(_("This election is already certified; record a correction as an amendment."))
        candidates = list(election.candidates.select_related("person"))
        officers = list(election.officers.select_related("person"))
        problems = violations(election, candidates, officers)
        if problems:
            raise ValidationError(problems)
        [term] = certify_checked(user, [(election, candidates, officers)], source=source)
        return term


def certify_checked(user, batch, *, source="web", refresh=True):
    """Certify elections their caller has locked, scoped and found free of violations
    (`certify_election` one, a 会改联 import a city's villages at once). `batch` holds
    (election, its candidates, its officers), people loaded, one election per unit. For each: mark
    the elected, end the unit's previous term and its offices, open the next term (a by-election
    fills the running one), seat the committee, record the certification, make a converted unit a
    federation; then refresh the units' figures (unless `refresh` is False: the caller does, once).
    A fixed number of queries whatever the number of elections. Returns the term of each election."""
    now = timezone.now()
    certifier = user if user is not None and user.is_authenticated else None
    units = [election.unit for election, _c, _o in batch]
    elected_by: dict[int, list[Candidate]] = {}
    all_won: list[int] = []  # elections whose candidates were all elected (a result from the minutes)
    won: list[int] = []
    lost: list[int] = []
    for election, candidates, _officers in batch:
        elected, _tied = elected_candidates(election, candidates)
        elected_by[election.pk] = elected
        winners = {c.pk for c in elected}
        for c in candidates:
            c.elected = c.pk in winners
        if len(winners) == len(candidates):
            all_won.append(election.pk)
        else:
            won += [c.pk for c in candidates if c.elected]
            lost += [c.pk for c in candidates if not c.elected]
    if all_won:
        Candidate.objects.filter(election__in=all_won).update(elected=True)
    if won:
        Candidate.objects.filter(pk__in=won).update(elected=True)
    if lost:
        Candidate.objects.filter(pk__in=lost).update(elected=False)

    terms = _open_terms(user, batch, source)
    offices = []
    for election, _candidates, officers in batch:
        by_person = {o.person_id: o for o in officers}
        offices += [
            _office(election.unit, terms[election.pk], election, c.person, by_person.get(c.person_id), election.held_on)
            for c in elected_by[election.pk]
        ]
    seat(user, offices, source)
    Election.objects.filter(pk__in=[e.pk for e, _c, _o in batch]).update(
        status=Election.Status.CERTIFIED, certified_at=now, certified_by=certifier
    )
    notes = []
    for election, _c, _o in batch:
        said = (
            _("By-election: %(count)d executives joined term %(number)d.")
            if election.kind == Election.Kind.BY_ELECTION
            else _("Term %(number)d opened with %(count)d executives.")
        )
        notes.append(
            (
                election,
                {"status": ["results", "certified"]},
                said % {"number": terms[election.pk].number, "count": len(elected_by[election.pk])},
            )
        )
        election.status, election.certified_at, election.certified_by = Election.Status.CERTIFIED, now, certifier
    writes.record_changes(notes, user, source=source)
    converted = [
        election.unit
        for election, _c, _o in batch
        if election.kind == Election.Kind.CONVERSION and election.unit.form != Form.FEDERATION
    ]
    if converted:
        services.update_units(user, converted, {"form": Form.FEDERATION}, source=source)
    if refresh:
        refresh_figures([unit.pk for unit in units])
    return [terms[election.pk] for election, _c, _o in batch]


def _open_terms(user, batch, source):
    """{election pk: its term}: the previous open terms (and their offices) end on the election day and
    the next terms open, numbered on; a by-election's term is the running one."""
    units = [election.unit.pk for election, _c, _o in batch]
    previous = {t.unit_id: t for t in Term.objects.select_for_update().filter(unit__in=units, ended_on__isnull=True)}
    first = [pk for pk in units if pk not in previous]
    counts = dict(
        Term.objects.filter(unit__in=first).order_by().values_list("unit").annotate(n=Count("pk")) if first else ()
    )
    terms, ended, opened = {}, [], []
    for election, _c, _o in batch:
        unit, held_on = election.unit, election.held_on
        prior = previous.get(unit.pk)
        if election.kind == Election.Kind.BY_ELECTION:
            if prior is None:
                raise ValidationError(
                    _("A by-election fills seats of a running term, and %(unit)s has none.") % {"unit": unit.name}
                )
            terms[election.pk] = prior
            continue
        if prior is not None:
            if held_on < prior.started_on:
                raise ValidationError(_("The election date is before the current term started."))
            prior.ended_on = held_on
            ended.append(prior)
        due_on = add_years(held_on, term_years(unit))
        term = Term(
            unit=unit,
            number=(prior.number if prior else counts.get(unit.pk, 0)) + 1,
            started_on=held_on,
            due_on=due_on,
            original_due_on=due_on,
            election=election,
        )
        terms[election.pk] = term
        opened.append(term)
    if ended:  # before the next terms open: one open term per unit
        Term.objects.bulk_update(ended, ["ended_on"])
        days: dict[datetime.date | None, list[int]] = {}
        for term in ended:
            days.setdefault(term.ended_on, []).append(term.unit_id)
        Office.objects.filter(unit__in=[t.unit_id for t in ended], ended_on__isnull=True).update(
            ended_on=Case(
                *[When(unit_id__in=ids, then=Value(day)) for day, ids in days.items()], output_field=DateField()
            )
        )
    writes.create_many(opened, user, ("number", "started_on", "due_on"), source=source)
    return terms


def _office(unit, term, election, person, officer, held_on):
    extra = {}
    if officer is not None:
        extra = {
            "role": officer.role,
            "vice_chair_type": officer.vice_chair_type,
            **with_committees(
                {
                    "on_party_committee": officer.on_party_committee,
                    "on_villagers_committee": officer.on_villagers_committee,
                    "is_party_secretary": officer.is_party_secretary,
                    "is_village_director": officer.is_village_director,
                }
            ),
        }
    return Office(person=person, unit=unit, term=term, election=election, started_on=held_on, **extra)


OFFICE_FIELDS = (
    "person",
    "term",
    "role",
    "vice_chair_type",
    "started_on",
    "on_party_committee",
    "on_villagers_committee",
    "is_party_secretary",
    "is_village_director",
)


def seat(user, offices, source):
    """Create the offices an election seats, each recorded in history; a chair seated as her
    village's party secretary or director sets the village's fact (services.follow_chair_posts)."""
    created = writes.create_many(offices, user, OFFICE_FIELDS, source=source)
    services.follow_chair_posts(user, created, source=source)
    return created


def amend_election(user, election, reason, changes, *, source="web"):
    """Record a correction to a certified election (the certified figures stay as they were)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the certified result is corrected.")})
    scope.require(user, scope.CHANGE, election.unit)
    services.guard_counted([election.unit])
    return ElectionAmendment.objects.create(
        election=election,
        reason=reason,
        changes=changes,
        created_by=user if user is not None and user.is_authenticated else None,
    )


# --- renewals -----------------------------------------------------------------------------

RENEWAL_STATES = ("overdue", "due_soon", "delayed")


def renewal_window(today=None):
    """(today, the last day that counts as due soon)."""
    today = today or timezone.localdate()
    return today, today + datetime.timedelta(days=settings.BANYAN["RENEWAL_WARNING_DAYS"])


def renewal_terms(terms, state, today=None):
    """The open terms of open units among `terms` that are overdue, due soon or were delayed (`state`)."""
    today, soon = renewal_window(today)
    terms = terms.filter(ended_on__isnull=True, unit__closed_on__isnull=True)
    if state == "overdue":
        return terms.filter(overdue_q(today))
    if state == "due_soon":
        return terms.filter(original_due_on__gte=today, original_due_on__lte=soon)
    return terms.filter(delays__isnull=False).distinct()


def overdue_q(today):
    """Running terms overdue for renewal on `today`, whether or not a delay was approved (a delayed
    renewal is still overdue: the coverage figures terms_overdue and terms_delayed; Term.original_due_on)."""
    return Q(original_due_on__lt=today)


def overdue_counts(overdue):
    """{"overdue_count": n, "delayed_count": n} of these overdue terms (one statement): how many are
    overdue, and how many of them had their renewal delayed with approval."""
    found = overdue.aggregate(
        overdue_count=Count("pk", distinct=True),
        delayed_count=Count("pk", filter=Q(delays__isnull=False), distinct=True),
    )
    return found


def renewals(unit, today=None):
    """Open terms in `unit`'s subtree that are overdue, due soon, or were delayed."""
    today, soon = renewal_window(today)
    terms = Term.objects.filter(unit.subtree_q("unit__"))
    return {**{state: renewal_terms(terms, state, today) for state in RENEWAL_STATES}, "today": today, "soon": soon}


def renewal_counts_per_child(children, today=None):
    """{child id: {"overdue": n, "due_soon": n}}: two aggregates, whatever the number of children."""
    today, soon = renewal_window(today)
    open_terms = Term.objects.filter(ended_on__isnull=True, unit__closed_on__isnull=True)
    overdue = count_per_child(children, open_terms.filter(overdue_q(today)), path="unit__")
    due_soon = count_per_child(
        children, open_terms.filter(original_due_on__gte=today, original_due_on__lte=soon), path="unit__"
    )
    return {pk: {"overdue": overdue[pk], "due_soon": due_soon[pk]} for pk in overdue}


# --- entering results (the wizard's steps) -----------------------------------------------

FIGURE_FIELDS = (
    "kind",
    "method",
    "scheduled_on",
    "held_on",
    "entitled",
    "present",
    "ballots_issued",
    "ballots_returned",
    "ballots_invalid",
    "seats",
)


def _editable(user, election):
    election = Election.objects.select_for_update().select_related("unit").get(pk=election.pk)
    scope.require(user, scope.CHANGE, election.unit)
    if election.is_certified:
        raise ValidationError(_("This election is already certified; record a correction as an amendment."))
    return election


def create_election(user, unit, *, source="web", votes_itemized=True, **figures):
    """A draft election of `unit`; `votes_itemized=False`: a result recorded from the minutes (a
    past 会改联 or 区域化), whose listed members were elected."""
    with transaction.atomic():
        scope.require(user, scope.CHANGE, unit)
        if figures.get("kind") == Election.Kind.REGIONALIZATION and unit.kind not in REGIONALIZED_KINDS:
            raise ValidationError({"kind": not_a_township(unit)})
        if figures.get("kind") == Election.Kind.BY_ELECTION and changes.running_term(unit) is None:
            raise ValidationError(
                {"kind": _("A by-election fills seats of a running term, and %(unit)s has none.") % {"unit": unit.name}}
            )
        election = Election(
            unit=unit,
            votes_itemized=votes_itemized,
            created_by=user if user is not None and user.is_authenticated else None,
            **{k: v for k, v in figures.items() if k in FIGURE_FIELDS},
        )
        election.full_clean(exclude=["version"])
        return writes.create(election, user, ("kind",), source=source)


def save_figures(user, election, figures, *, source="web"):
    with transaction.atomic():
        election = _editable(user, election)
        before = audit.snapshot(election, FIGURE_FIELDS)
        for name, value in figures.items():
            if name in FIGURE_FIELDS:
                setattr(election, name, value)
        election.full_clean(exclude=["version"])
        has_results = election.ballots_returned is not None and election.candidates.exists()
        election.status = Election.Status.RESULTS if has_results else Election.Status.DRAFT
        election.save()
        delta = audit.diff(before, audit.snapshot(election, FIGURE_FIELDS))
        if delta:
            writes.record_change(election, user, delta, source=source)
        return election


def add_candidate(
    user,
    election,
    *,
    name,
    id_number="",
    approve=0,
    disapprove=0,
    abstain=0,
    write_in=False,
    drawn_from="",
    source="web",
):
    """Put a person on the ballot: the unit's person of that ID number or name, or a new record.
    `drawn_from`: where a regionalization's member is drawn from (DrawnFrom)."""
    with transaction.atomic():
        election = _editable(user, election)
        [person] = resolve_people(user, election.unit, [(name.strip(), normalize(id_number))], source=source)
        if election.candidates.filter(person=person).exists():
            raise ValidationError({"name": _("%(name)s is already on the ballot.") % {"name": person.name}})
        candidate = Candidate(
            election=election,
            person=person,
            approve=approve,
            disapprove=disapprove,
            abstain=abstain,
            write_in=write_in,
            drawn_from=drawn_from,
        )
        candidate.full_clean()
        candidate.save()
        if election.ballots_returned is not None and election.status == Election.Status.DRAFT:
            Election.objects.filter(pk=election.pk).update(status=Election.Status.RESULTS)
        return candidate


def remove_candidate(user, candidate):
    with transaction.atomic():
        election = _editable(user, candidate.election)
        election.officers.filter(person=candidate.person).delete()
        candidate.delete()  # a draft ballot line, not history: the election is not certified


def set_officers(user, election, entries):
    """Replace the first meeting's choices: entries are dicts of person_id, role, vice_chair_type and flags."""
    with transaction.atomic():
        election = _editable(user, election)
        on_ballot = set(election.candidates.values_list("person_id", flat=True))
        election.officers.all().delete()
        officers = []
        for entry in entries:
            if entry["person_id"] not in on_ballot:
                raise ValidationError(_("Officers are chosen among the candidates."))
            officers.append(OfficerChoice(election=election, **with_committees(entry)))
        OfficerChoice.objects.bulk_create(officers)
        return officers


def notify_overdue(today=None, scopes=None):
    """One notice per scope with overdue renewals, to every user of the scope whatever her role,
    keyed by scope and day (reruns add nothing). `scopes`: UserScope rows (default: all open ones)."""
    today = today or timezone.localdate()
    counts = {}  # users sharing a scope unit share its count
    created = 0
    for user_scope in notices.open_scopes(scopes):
        unit = user_scope.unit
        if unit.pk not in counts:
            counts[unit.pk] = Term.objects.filter(
                unit.subtree_q("unit__"), overdue_q(today), ended_on__isnull=True, unit__closed_on__isnull=True
            ).count()
        overdue = counts[unit.pk]
        if overdue:
            created += notices.notify(
                user_scope,
                "overdue",
                today,
                url=reverse("orgtree:renewals", args=[unit.pk]),
                message=_("%(count)d term renewals are overdue in %(unit)s.") % {"count": overdue, "unit": unit.name},
            )
    return {"notified": created}
