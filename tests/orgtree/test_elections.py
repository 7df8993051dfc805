"""Election rules (each with its Chinese message) and certification of a renewal."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from orgtree import elections
from orgtree.models import Candidate, Election, Office, OfficerChoice, Person, Term, Unit


def people(unit, count, prefix="执委"):
    return [Person.objects.create(unit=unit, name=f"{prefix}{i:02d}") for i in range(count)]


def build_election(
    unit,
    *,
    seats=7,
    candidates=8,
    entitled=100,
    present=80,
    issued=80,
    returned=80,
    invalid=0,
    approvals=None,
    officers=True,
    kind=Election.Kind.RENEWAL,
    held_on=datetime.date(2024, 5, 10),
):
    election = Election.objects.create(
        unit=unit,
        kind=kind,
        held_on=held_on,
        entitled=entitled,
        present=present,
        ballots_issued=issued,
        ballots_returned=returned,
        ballots_invalid=invalid,
        seats=seats,
    )
    approvals = approvals or [70 - i for i in range(candidates)]
    for person, approve in zip(people(unit, candidates), approvals, strict=True):
        Candidate.objects.create(
            election=election, person=person, approve=approve, disapprove=max(0, min(5, returned - invalid - approve))
        )
    if officers:
        top = list(election.candidates.order_by("-approve"))
        OfficerChoice.objects.create(
            election=election, person=top[0].person, role="chair", on_party_committee=True, on_villagers_committee=True
        )
        for c in top[1:3]:
            OfficerChoice.objects.create(
                election=election, person=c.person, role="vice_chair", vice_chair_type="part_time"
            )
    return election


def messages(election):
    return " ".join(elections.violations(election))


def test_a_sound_election_has_no_violations(tree):
    assert elections.violations(build_election(tree.village_a1)) == []


def test_quorum_is_more_than_two_thirds_of_the_entitled(tree):
    approvals = [58 - i for i in range(8)]
    assert "三分之二" in messages(
        build_election(tree.village_a1, entitled=90, present=60, issued=60, returned=60, approvals=approvals)
    )
    assert (
        elections.violations(
            build_election(tree.village_a2, entitled=90, present=61, issued=61, returned=61, approvals=approvals)
        )
        == []
    )


def test_more_ballots_returned_than_issued_voids_the_round(tree):
    text = messages(build_election(tree.village_a1, issued=78, returned=80))
    assert "收回" in text and "80" in text and "78" in text


def test_contested_executive_elections_need_more_candidates_than_seats(tree):
    assert "差额" in messages(build_election(tree.village_a1, seats=7, candidates=7))


def test_no_majority_of_the_entitled(tree):
    text = messages(build_election(tree.village_a1, approvals=[50] * 8, officers=False))
    assert "半数" in text  # 50 of 100 entitled is not more than half


def test_majority_counts_the_entitled_not_those_present(tree):
    election = build_election(
        tree.village_a1,
        entitled=100,
        present=80,
        issued=80,
        returned=80,
        approvals=[45, 44, 43, 60, 59, 58, 57, 56],
        officers=False,
    )
    elected, _ = elections.elected_candidates(election, list(election.candidates.all()))
    assert sorted(c.approve for c in elected) == [56, 57, 58, 59, 60]  # 45 of 80 present is not enough


def test_a_tie_for_the_last_seat_needs_a_revote(tree):
    text = messages(build_election(tree.village_a1, seats=3, candidates=4, approvals=[70, 65, 60, 60]))
    assert "再次投票" in text or "重新投票" in text


def test_officers_must_be_elected_members_with_one_chair(tree):
    election = build_election(tree.village_a1)
    outsider = Person.objects.create(unit=tree.village_a1, name="未当选者")
    OfficerChoice.objects.create(election=election, person=outsider, role="vice_chair", vice_chair_type="part_time")
    text = messages(election)
    assert "未当选者" in text
    election.officers.filter(role="chair").delete()
    assert "主席" in messages(election)


def test_future_date_and_missing_figures_are_named(tree):
    assert "未来" in messages(build_election(tree.village_a1, held_on=datetime.date(2999, 1, 1)))
    election = build_election(tree.village_a2)
    election.entitled = None
    assert "应到" in messages(election)


def test_rules_are_settings(tree, settings):
    settings.BANYAN = {**settings.BANYAN, "ELECTION_RULES": {**settings.BANYAN["ELECTION_RULES"], "odd_seats": True}}
    assert "奇数" in messages(build_election(tree.village_a1, seats=8, candidates=9))


def test_certifying_opens_a_term_and_seats_the_committee(tree, users):
    election = build_election(tree.village_a1, kind=Election.Kind.CONVERSION)
    term = elections.certify_election(users.editor_a, election)
    assert (term.number, term.started_on, term.due_on) == (1, datetime.date(2024, 5, 10), datetime.date(2029, 5, 10))
    offices = Office.objects.filter(term=term)
    assert offices.count() == 7  # every committee member counts as an executive
    assert offices.get(role="chair").on_party_committee
    assert offices.filter(role="vice_chair", vice_chair_type="part_time").count() == 2
    assert Unit.objects.get(pk=tree.village_a1.pk).form == "federation"  # 会改联: the form follows
    election.refresh_from_db()
    assert election.is_certified and election.certified_by == users.editor_a
    assert Candidate.objects.filter(election=election, elected=True).count() == 7


def test_a_renewal_ends_the_previous_term_and_its_offices(tree, users):
    first = elections.certify_election(users.editor_a, build_election(tree.village_a1))
    second_election = build_election(tree.village_a1, held_on=datetime.date(2024, 11, 1))
    second = elections.certify_election(users.editor_a, second_election)
    first.refresh_from_db()
    assert first.ended_on == datetime.date(2024, 11, 1) and second.number == 2
    assert not Office.objects.filter(term=first, ended_on__isnull=True).exists()
    assert Office.objects.filter(unit=tree.village_a1, ended_on__isnull=True).count() == 7


def test_certify_refuses_violations_and_changes_nothing(tree, users):
    election = build_election(tree.village_a1, entitled=100, present=50, issued=50, returned=50)
    with pytest.raises(ValidationError) as excinfo:
        elections.certify_election(users.editor_a, election)
    assert "三分之二" in " ".join(excinfo.value.messages)
    assert not Term.objects.exists() and not Office.objects.exists()


def test_certify_twice_is_refused(tree, users):
    election = build_election(tree.village_a1)
    elections.certify_election(users.editor_a, election)
    with pytest.raises(ValidationError) as excinfo:
        elections.certify_election(users.editor_a, election)
    assert "已" in " ".join(excinfo.value.messages)
    assert Term.objects.count() == 1


def test_certify_outside_the_scope_is_refused(tree, users):
    with pytest.raises(PermissionDenied):
        elections.certify_election(users.editor_b, build_election(tree.village_a1))
    with pytest.raises(PermissionDenied):
        elections.certify_election(users.viewer, build_election(tree.village_a2))
    assert not Term.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_certification_leaves_one_result(tree, users):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serializes writers by itself")
    election = build_election(tree.village_a1)
    outcomes = []

    def certify():
        try:
            elections.certify_election(users.editor_a, Election.objects.get(pk=election.pk))
            outcomes.append("certified")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=certify) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["certified", "refused", "refused", "refused"]
    assert Term.objects.count() == 1 and Office.objects.count() == 7


def test_amendments_record_corrections_without_touching_the_result(tree, users):
    election = build_election(tree.village_a1)
    elections.certify_election(users.editor_a, election)
    with pytest.raises(ValidationError):
        elections.amend_election(users.editor_a, election, "  ", {})
    amendment = elections.amend_election(users.editor_a, election, "选票统计笔误", {"present": [80, 81]})
    assert amendment.created_by == users.editor_a
    assert Election.objects.get(pk=election.pk).present == 80


def test_renewals_lists_overdue_due_soon_and_delayed_with_counts_per_child(tree):
    today = datetime.date(2025, 1, 1)
    Term.objects.create(
        unit=tree.village_a1, number=1, started_on=datetime.date(2019, 1, 1), due_on=datetime.date(2024, 1, 1)
    )
    Term.objects.create(
        unit=tree.village_a2, number=1, started_on=datetime.date(2020, 2, 1), due_on=datetime.date(2025, 2, 1)
    )
    Term.objects.create(
        unit=tree.village_b1, number=1, started_on=datetime.date(2018, 1, 1), due_on=datetime.date(2023, 1, 1)
    )
    found = elections.renewals(Unit.objects.get(pk=tree.county_a.pk), today)
    assert [t.unit.name for t in found["overdue"]] == ["黄墩社区"]
    assert [t.unit.name for t in found["due_soon"]] == ["西门社区"]
    counts = elections.renewal_counts_per_child([tree.county_a, tree.county_b, tree.agency], today)
    assert counts[tree.county_a.pk] == {"overdue": 1, "due_soon": 1}
    assert counts[tree.county_b.pk] == {"overdue": 1, "due_soon": 0}


def test_a_chairs_posts_put_her_on_their_committees_and_set_the_village_facts(tree, users):
    """A chair chosen as party secretary (village director) sits on the party (villagers')
    committee, derived when the choice is saved; once seated, her village's fact follows."""
    election = build_election(tree.village_a3, officers=False)
    top = list(election.candidates.order_by("-approve"))
    chosen = elections.set_officers(
        users.editor_a,
        election,
        [{"person_id": top[0].person_id, "role": "chair", "is_party_secretary": True, "is_village_director": True}],
    )
    assert chosen[0].on_party_committee and chosen[0].on_villagers_committee
    term = elections.certify_election(users.editor_a, election)
    chair = Office.objects.get(term=term, role="chair")
    assert chair.on_party_committee and chair.on_villagers_committee
    village = Unit.objects.get(pk=tree.village_a3.pk)
    assert village.secretary_is_woman and village.director_is_woman
