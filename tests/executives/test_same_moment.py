"""Two cadres writing the same record at the same moment (executives/unique.py): every executives write
that can meet a unique key — attendance per session and person, contact list per office, evaluation per
executive and year, rotating chair per month (and a unit's rotation setting), points rule per type and
year — answers a conflict (409) or a clear Chinese error, never a 500, with nothing half-saved.

Two ways: on both databases the rival row is slipped in just before the service's own insert (as if a
second writer committed between the check and the insert); on PostgreSQL two threads really write at
once, held together at a barrier right before their inserts."""

import contextlib
import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from executives import activities, contacts, rotation, training
from executives.models import (
    ActivityType,
    Attendance,
    ContactList,
    Evaluation,
    PointsRule,
    RotationMonth,
    RotationSetting,
    TrainingSession,
)
from federation import writes
from federation.conflicts import ConflictError
from federation.models import ChangeRecord
from orgtree.models import Office, Person, Term

TODAY = timezone.localdate()
YEAR = TODAY.year
STARTED = datetime.date(2021, 3, 1)
NEXT_MONTH = (TODAY.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


@pytest.fixture(autouse=True)
def chinese():
    from django.utils import translation

    with translation.override("zh-hans"):
        yield


def seat(unit, name):
    person = Person.objects.create(unit=unit, name=name)
    term = Term.objects.filter(unit=unit, ended_on__isnull=True).first() or Term.objects.create(
        unit=unit, number=1, started_on=STARTED, due_on=datetime.date(YEAR + 3, 3, 1)
    )
    return Office.objects.create(unit=unit, person=person, term=term, role="executive", started_on=STARTED)


def attendance(tree, users):
    session = TrainingSession.objects.create(
        unit=tree.township_a,
        level="township",
        title="领头雁培训",
        type="lead_goose",
        starts_on=TODAY,
        ends_on=TODAY,
        hours=4,
    )
    person = Person.objects.create(unit=tree.village_a1, name="林秀英")
    return (
        Attendance,
        lambda: training.record_attendance(users.editor_a, TrainingSession.objects.get(pk=session.pk), [person]),
        lambda: Attendance.objects.create(session=session, person=person),
    )


def contact_list(tree, users):
    office = seat(tree.village_a1, "陈美华")
    return (
        ContactList,
        lambda: contacts.save_contact_list(users.editor_a, office, {"disabled": 2}, version=0),
        lambda: ContactList.objects.create(office=office, unit=office.unit),
    )


def evaluation(tree, users):
    office = seat(tree.village_a1, "黄丽萍")
    return (
        Evaluation,
        lambda: activities.evaluate(users.editor_a, tree.village_a1, office.person, YEAR - 1, "excellent", version=0),
        lambda: Evaluation.objects.create(
            unit=tree.village_a1, person=office.person, year=YEAR - 1, grade="competent", evaluated_by=tree.township_a
        ),
    )


def rotation_month(tree, users):
    office = seat(tree.township_a, "李桂香")
    return (
        RotationMonth,
        lambda: rotation.set_month(users.editor_a, tree.township_a, NEXT_MONTH, office, version=0),
        lambda: RotationMonth.objects.create(unit=tree.township_a, month=NEXT_MONTH, office=office),
    )


def rotation_schedule(tree, users):
    office = seat(tree.township_a, "张玉兰")
    return (
        RotationMonth,
        lambda: rotation.generate(users.editor_a, tree.township_a, start=NEXT_MONTH, months=2, order=[office]),
        lambda: RotationMonth.objects.create(unit=tree.township_a, month=NEXT_MONTH, office=office),
    )


def rotation_setting(tree, users):
    return (
        RotationSetting,
        lambda: rotation.set_enabled(users.editor_a, tree.village_a1, True, version=0),
        lambda: RotationSetting.objects.create(unit=tree.village_a1, enabled=False),
    )


def points_rule(tree, users):
    kind, _new = ActivityType.objects.get_or_create(name="走访慰问")  # a transactional test flushed the defaults
    return (
        PointsRule,
        lambda: activities.set_rules(users.editor_a, tree.county_a, YEAR, {kind: 3}),
        lambda: PointsRule.objects.create(unit=tree.county_a, activity_type=kind, from_year=YEAR, points=5),
    )


CASES = [attendance, contact_list, evaluation, rotation_month, rotation_schedule, rotation_setting, points_rule]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_a_row_taken_between_check_and_insert_answers_in_chinese_and_saves_nothing(tree, users, monkeypatch, case):
    model, write, rival = case(tree, users)
    real_create, real_create_many = writes.create, writes.create_many

    def create(obj, *args, **kwargs):
        if isinstance(obj, model):
            rival()  # someone else's row, committed between the service's check and its insert
        return real_create(obj, *args, **kwargs)

    def create_many(objs, *args, **kwargs):
        if objs and isinstance(objs[0], model):
            rival()
        return real_create_many(objs, *args, **kwargs)

    monkeypatch.setattr(writes, "create", create)
    monkeypatch.setattr(writes, "create_many", create_many)
    records = ChangeRecord.objects.count()
    with pytest.raises((ValidationError, ConflictError)) as caught:
        write()
    message = " ".join(caught.value.messages) if isinstance(caught.value, ValidationError) else str(caught.value)
    assert "同时" in message or "其他人" in message or "他人" in message, message
    # nothing half-saved: the write rolled back whole (the rival row, inside the same test
    # transaction, went with it), and no history was recorded
    assert model.objects.count() == 0
    assert ChangeRecord.objects.count() == records


def held_at_a_barrier(monkeypatch, model):
    """writes.create / create_many wait for each other before inserting a row of `model`: both writers
    have checked that the row is not there yet and now insert together. A writer that locks a parent
    row first is already serialized: the barrier then just times out and lets the first one go on."""
    barrier = threading.Barrier(2)
    real_create, real_create_many = writes.create, writes.create_many

    def hold(objs):
        if objs and isinstance(objs[0], model):
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=2)

    def create(obj, *args, **kwargs):
        hold([obj])
        return real_create(obj, *args, **kwargs)

    def create_many(objs, *args, **kwargs):
        hold(list(objs))
        return real_create_many(objs, *args, **kwargs)

    monkeypatch.setattr(writes, "create", create)
    monkeypatch.setattr(writes, "create_many", create_many)


def outcome_of(write, outcomes):
    try:
        write()
        outcomes.append("saved")
    except ConflictError:
        outcomes.append("conflict")
    except ValidationError as exc:
        outcomes.append("refused" if "同时" in " ".join(exc.messages) else repr(exc))
    except Exception as exc:  # a 500: reported by the test
        outcomes.append(repr(exc))
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_two_cadres_at_the_same_moment_leave_one_row_and_no_500(tree, users, monkeypatch, case):
    if connection.vendor != "postgresql":
        pytest.skip("two connections at once need PostgreSQL; SQLite serializes writers by itself")
    model, write, _rival = case(tree, users)
    held_at_a_barrier(monkeypatch, model)
    outcomes: list[str] = []
    threads = [threading.Thread(target=outcome_of, args=(write, outcomes)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("saved") >= 1 and all(o in ("saved", "conflict", "refused") for o in outcomes), outcomes
    assert model.objects.count() == (2 if case is rotation_schedule else 1)


# --- through the API: a 400 in Chinese or a 409, never a 500 ----------------------------------------


def test_the_api_answers_a_row_taken_meanwhile_with_a_chinese_400(api, tree, users, monkeypatch):
    model, _write, rival = attendance(tree, users)
    session = TrainingSession.objects.get()
    person = Person.objects.get(name="林秀英")
    real_create_many = writes.create_many

    def create_many(objs, *args, **kwargs):
        rival()
        return real_create_many(objs, *args, **kwargs)

    monkeypatch.setattr(writes, "create_many", create_many)
    records = ChangeRecord.objects.count()
    response = api(users.editor_a).post(
        f"/api/training-sessions/{session.pk}/attendance/", {"people": [person.pk]}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "同时" in response.content.decode()
    assert model.objects.count() == 0 and ChangeRecord.objects.count() == records


@pytest.mark.django_db(transaction=True)
def test_two_evaluations_posted_at_once_answer_201_and_409(api, tree, users, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("two connections at once need PostgreSQL")
    office = seat(tree.village_a1, "黄丽萍")
    held_at_a_barrier(monkeypatch, Evaluation)
    body = {
        "unit": tree.village_a1.pk,
        "person": office.person_id,
        "year": YEAR - 1,
        "grade": "excellent",
        "version": 0,
    }
    statuses: list[int] = []

    def post():
        try:
            statuses.append(api(users.editor_a).post("/api/evaluations/", body, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 409]
    assert Evaluation.objects.count() == 1
