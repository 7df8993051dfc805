"""Changes mid-term (能进能出): leaving, by-elections (补选) filling the vacancies, vice-chairs appointed by a
unit above (选聘 / 挂职) — the rules, scope, Chinese errors with nothing saved, history and figures."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from federation.audit import history_of
from orgtree import changes, coverage, elections
from orgtree.models import Candidate, Election, Office, Person, Term
from tests.orgtree.test_elections import build_election, people

HELD = datetime.date(2024, 5, 10)


def vacancies(term):
    return changes.vacancies(term)


@pytest.fixture
def committee(tree, users):
    """黄墩社区 with a certified term: 7 seats, a chair, two part-time vice-chairs, four executives."""
    term = elections.certify_election(users.editor_a, build_election(tree.village_a1, held_on=HELD))
    return term


def executive(term, role="executive"):
    return Office.objects.filter(term=term, role=role, ended_on__isnull=True).order_by("pk").first()


def leave(user, office, day=datetime.date(2025, 3, 1), reason="transferred", note=""):
    return changes.leave_office(user, office, ended_on=day, reason=reason, note=note)


def by_election(unit, *, seats=2, approvals=(70, 66), present=80, held_on=datetime.date(2025, 6, 1), officers=()):
    election = Election.objects.create(
        unit=unit,
        kind=Election.Kind.BY_ELECTION,
        held_on=held_on,
        entitled=100,
        present=present,
        ballots_issued=present,
        ballots_returned=present,
        seats=seats,
    )
    for person, approve in zip(people(unit, len(approvals), prefix="补选"), approvals, strict=True):
        Candidate.objects.create(election=election, person=person, approve=approve)
    for person_name, role, kind in officers:
        election.officers.create(person=Person.objects.get(name=person_name), role=role, vice_chair_type=kind)
    return election


def messages(election):
    return " ".join(elections.violations(election))


# --- leaving ---------------------------------------------------------------------------------


def test_leaving_ends_the_office_keeps_her_and_records_why(tree, users, committee):
    office = executive(committee)
    before = coverage.coverage(tree.county_a)["executives"]
    leave(users.editor_a, office, reason="other", note="外出务工")
    office.refresh_from_db()
    assert (office.ended_on, office.end_reason, office.end_note) == (datetime.date(2025, 3, 1), "other", "外出务工")
    assert Person.objects.filter(pk=office.person_id).exists()  # she and her past office stay
    assert Term.objects.get(pk=committee.pk).ended_on is None  # the term runs on
    entry = history_of(office, None).first()
    assert entry.changes["end_reason"] == ["", "other"] and entry.changes["ended_on"] == [None, "2025-03-01"]
    assert entry.user == users.editor_a
    assert coverage.coverage(tree.county_a)["executives"] == before - 1
    assert coverage.coverage(tree.county_a) == coverage.coverage(tree.county_a, from_records=True)
    assert vacancies(committee) == 1
    assert [o.pk for o in changes.former_members(committee)] == [office.pk]


@pytest.mark.parametrize(
    ("day", "reason", "note", "said"),
    [
        (HELD, "resigned", "", "须晚于任职开始日期"),
        (datetime.date(2024, 1, 1), "resigned", "", "须晚于任职开始日期"),
        ("tomorrow", "resigned", "", "晚于今天"),
        (datetime.date(2025, 3, 1), "other", " ", "说明"),
        (datetime.date(2025, 3, 1), "fired", "", "离任原因"),
    ],
)
def test_leaving_refuses_bad_input_in_chinese_and_saves_nothing(tree, users, committee, day, reason, note, said):
    office = executive(committee)
    if day == "tomorrow":
        day = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        leave(users.editor_a, office, day, reason, note)
    assert said in " ".join(excinfo.value.messages)
    office.refresh_from_db()
    assert office.ended_on is None and office.end_reason == ""
    assert not history_of(office, None).exclude(action="create").exists()


def test_an_office_ends_once(tree, users, committee):
    office = executive(committee)
    leave(users.editor_a, office)
    with pytest.raises(ValidationError) as excinfo:
        leave(users.editor_a, office, datetime.date(2025, 4, 1), "resigned")
    assert "已于2025-03-01结束" in " ".join(excinfo.value.messages)
    assert Office.objects.get(pk=office.pk).end_reason == "transferred"


def test_leaving_outside_the_scope_or_as_a_viewer_is_refused(tree, users, committee):
    office = executive(committee)
    for user in (users.editor_b, users.viewer):
        with pytest.raises(PermissionDenied):
            leave(user, office)
    assert Office.objects.get(pk=office.pk).ended_on is None


# --- by-elections ----------------------------------------------------------------------------


def test_a_by_election_fills_the_vacancies_of_the_running_term(tree, users, committee):
    leave(users.editor_a, executive(committee))
    leave(users.editor_a, executive(committee), reason="deceased")
    assert vacancies(committee) == 2
    before = coverage.coverage(tree.county_a)["executives"]
    election = by_election(tree.village_a1)  # 等额: two candidates for two seats is allowed
    assert elections.violations(election) == []
    term = elections.certify_election(users.editor_a, election)
    assert term == committee and Term.objects.filter(unit=tree.village_a1).count() == 1  # no new term
    joined = Office.objects.filter(term=committee, election=election)
    assert sorted(o.person.name for o in joined) == ["补选00", "补选01"]
    assert {o.started_on for o in joined} == {datetime.date(2025, 6, 1)}
    assert Office.objects.filter(term=committee, ended_on__isnull=True).count() == 7
    assert vacancies(committee) == 0
    assert coverage.coverage(tree.county_a)["executives"] == before + 2
    assert "补选" in history_of(election, None).first().note


def test_a_by_election_has_its_own_quorum_and_majority(tree, users, committee):
    leave(users.editor_a, executive(committee))
    leave(users.editor_a, executive(committee))
    assert "三分之二" in messages(by_election(tree.village_a1, present=66, approvals=(60, 60)))
    # 50 of 100 entitled is not more than half, though it is most of the 80 present.
    election = by_election(tree.village_a1, approvals=(70, 50))
    elected, _tied = elections.elected_candidates(election, list(election.candidates.all()))
    assert [c.approve for c in elected] == [70]
    term = elections.certify_election(users.editor_a, election)
    assert Office.objects.filter(term=term, election=election).count() == 1
    assert vacancies(term) == 1


def test_a_by_election_fills_no_more_seats_than_are_vacant(tree, users, committee):
    leave(users.editor_a, executive(committee))
    election = by_election(tree.village_a1, seats=2)
    assert "只有1个空缺名额" in messages(election)
    with pytest.raises(ValidationError):
        elections.certify_election(users.editor_a, election)
    assert not Office.objects.filter(election=election).exists()


def test_a_by_election_needs_a_running_term_and_a_later_date(tree, users, committee):
    with pytest.raises(ValidationError) as excinfo:
        elections.create_election(users.editor_a, tree.village_a2, kind="by_election")
    assert "补选" in " ".join(excinfo.value.messages) and not Election.objects.filter(unit=tree.village_a2).exists()
    leave(users.editor_a, executive(committee))
    early = by_election(tree.village_a1, seats=1, approvals=(70,), held_on=datetime.date(2024, 1, 1))
    assert "不能早于本届开始日期" in messages(early)


def test_a_by_election_seats_nobody_twice_and_a_chair_only_into_a_vacant_seat(tree, users, committee):
    chair = executive(committee, "chair")
    leave(users.editor_a, executive(committee))
    election = by_election(tree.village_a1, seats=1, approvals=(70,), officers=[("补选00", "chair", "")])
    assert "已有主席" in messages(election)
    Candidate.objects.create(election=election, person=chair.person, approve=71)
    assert "已是本届委员会成员" in messages(election)


def test_a_by_election_may_elect_the_chair_when_she_left(tree, users, committee):
    leave(users.editor_a, executive(committee, "chair"), reason="resigned")
    election = by_election(tree.village_a1, seats=1, approvals=(70,), officers=[("补选00", "chair", "")])
    assert elections.violations(election) == []
    elections.certify_election(users.editor_a, election)
    assert Office.objects.get(term=committee, role="chair", ended_on__isnull=True).person.name == "补选00"


def test_vacancies_of_a_result_from_the_minutes_count_its_members(tree, users):
    term = Term.objects.create(unit=tree.village_a2, number=1, started_on=HELD, due_on=datetime.date(2029, 5, 10))
    for person in people(tree.village_a2, 3):
        Office.objects.create(unit=tree.village_a2, term=term, person=person, started_on=HELD)
    assert (changes.elected_seats(term), changes.vacancies(term)) == (3, 0)
    leave(users.editor_a, Office.objects.filter(term=term).first())
    assert vacancies(term) == 1


# --- appointed vice-chairs -------------------------------------------------------------------


def appoint(user, unit, appointed_by, **extra):
    fields = {
        "name": "挂职干部",
        "appointment": "seconded",
        "appointed_by": appointed_by,
        "started_on": datetime.date(2025, 1, 1),
        "appointed_until": datetime.date(2026, 12, 31),
        **extra,
    }
    return changes.appoint_vice_chair(user, unit, **fields)


def test_a_unit_above_appoints_a_vice_chair_for_a_period(tree, users, committee):
    office = appoint(users.editor_a, tree.village_a1, tree.county_a)
    assert (office.role, office.vice_chair_type, office.appointment) == ("vice_chair", "seconded", "seconded")
    assert office.term == committee and office.appointed_by == tree.county_a
    assert office.election is None
    assert history_of(office, None).get().changes["appointed_by"][1] == tree.county_a.pk
    selected = appoint(
        users.editor_a,
        tree.village_a1,
        tree.township_a,
        name="选聘人员",
        appointment="selected",
        vice_chair_type="full_time",
    )
    assert selected.vice_chair_type == "full_time"
    figures = coverage.coverage(tree.county_a)
    assert (figures["vice_chairs_appointed_seconded"], figures["vice_chairs_appointed_selected"]) == (1, 1)
    assert figures == coverage.coverage(tree.county_a, from_records=True)
    assert vacancies(committee) == 0  # appointments take no elected seat
    assert [u.pk for u in changes.appointing_units(users.editor_a, tree.village_a1)] == [
        tree.county_a.pk,
        tree.township_a.pk,
    ]


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ({"appointed_by": "county_b"}, "上级组织"),
        ({"appointed_by": "village_a1"}, "上级组织"),
        ({"appointed_by": "city"}, "权限范围"),  # above, but not hers to change
        ({"appointment": "selected"}, "专职还是兼职"),
        ({"appointment": ""}, "选聘或挂职"),
        ({"started_on": datetime.date(2024, 1, 1)}, "不能早于本届开始日期"),
        ({"appointed_until": datetime.date(2024, 12, 31)}, "须晚于任职开始日期"),
        ({"name": " "}, "姓名"),
    ],
)
def test_appointments_refuse_bad_input_in_chinese_and_save_nothing(tree, users, committee, extra, said):
    if isinstance(extra.get("appointed_by"), str):
        extra["appointed_by"] = getattr(tree, extra["appointed_by"])
    people_before = Person.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        appoint(users.editor_a, tree.village_a1, extra.pop("appointed_by", tree.county_a), **extra)
    assert said in " ".join(excinfo.value.messages)
    assert not Office.objects.exclude(appointment="").exists() and Person.objects.count() == people_before


def test_appointments_need_a_running_term_and_the_scope(tree, users, committee):
    with pytest.raises(ValidationError) as excinfo:
        appoint(users.editor_a, tree.village_a2, tree.county_a)
    assert "没有在任的一届" in " ".join(excinfo.value.messages)
    for user in (users.editor_b, users.viewer):
        with pytest.raises(PermissionDenied):
            appoint(user, tree.village_a1, tree.county_a)
    assert not Office.objects.exclude(appointment="").exists()


def test_a_sitting_member_is_not_appointed_again(tree, users, committee):
    sitting = executive(committee)
    with pytest.raises(ValidationError) as excinfo:
        appoint(users.editor_a, tree.village_a1, tree.county_a, name=sitting.person.name)
    assert "已是本届委员会成员" in " ".join(excinfo.value.messages)


def test_an_appointment_ends_like_any_office(tree, users, committee):
    office = appoint(users.editor_a, tree.village_a1, tree.county_a)
    leave(users.editor_a, office, datetime.date(2025, 6, 30), "period_ended")
    assert coverage.coverage(tree.county_a)["vice_chairs_appointed_seconded"] == 0
    assert coverage.coverage(tree.county_a, datetime.date(2025, 3, 1))["vice_chairs_appointed_seconded"] == 1
