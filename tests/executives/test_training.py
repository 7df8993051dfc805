"""Training: the rules of sessions and attendance, history, scope, the figures counted from the records,
and checklist item D1 filled from them."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from executives import training as services
from executives.figures import training_by_child, training_figures
from executives.models import Attendance, TrainingSession
from federation import figures as figure_sets
from federation.models import ChangeRecord
from orgtree.models import Office
from tests.executives.training_world import session_fields, training_world  # noqa: F401 - the fixture "world"


def messages_of(exc):
    with translation.override("zh-hans"):
        return " ".join(str(m) for m in exc.value.messages)


def test_a_session_is_created_with_its_level_and_history(world):
    session = services.create_session(world.users.editor_a, world.tree.township_a, **session_fields())
    assert session.level == "township" and session.created_by == world.users.editor_a
    record = ChangeRecord.objects.get(
        content_type=ContentType.objects.get_for_model(TrainingSession), object_id=session.pk
    )
    assert record.unit_id == world.tree.township_a.pk and record.action == "create"


@pytest.mark.parametrize(
    ("fields", "word"),
    [
        ({"ends_on": datetime.date(2024, 5, 1)}, "结束"),
        ({"hours": 0}, "学时"),
        ({"hours": 5000}, "学时"),
        ({"type": "no_such_type"}, "培训类型"),
        ({"title": ""}, "不能为空"),
        ({"starts_on": datetime.date(1900, 1, 1), "ends_on": datetime.date(1900, 1, 2)}, "1949"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(world, fields, word):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.create_session(world.users.editor_a, world.tree.county_a, **session_fields(**fields))
    assert word in messages_of(exc)
    assert (
        not TrainingSession.objects.exists()
        and not ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(TrainingSession)).exists()
    )


def test_a_cadre_writes_only_in_her_subtree(world):
    with pytest.raises(PermissionDenied):
        services.create_session(world.users.editor_b, world.tree.county_a, **session_fields())
    with pytest.raises(PermissionDenied):
        services.create_session(world.users.viewer, world.tree.city, **session_fields())
    session = services.create_session(world.users.editor_a, world.tree.township_a, **session_fields())
    with pytest.raises(PermissionDenied):
        services.record_attendance(world.users.editor_b, session, world.b1)
    with pytest.raises(PermissionDenied):
        services.edit_session(world.users.editor_b, session, {"title": "改"})
    assert not Attendance.objects.exists()


def test_attendees_are_people_of_the_organizers_subtree(world):
    session = services.create_session(world.users.editor_a, world.tree.village_a1, **session_fields())
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.record_attendance(world.users.editor_a, session, [world.a1[0], world.a2[0]])
    assert "王丽" in messages_of(exc) and "林秀英" not in messages_of(exc)
    assert not Attendance.objects.exists()  # all or nothing


def test_attendance_is_recorded_once_per_person_with_history(world):
    session = services.create_session(world.users.editor_a, world.tree.township_a, **session_fields())
    new = services.record_attendance(world.users.editor_a, session, [*world.a1, world.a1[0]])
    assert len(new) == 3
    assert services.record_attendance(world.users.editor_a, session, world.a1) == []  # again: nothing new
    records = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(Attendance))
    assert records.count() == 3 and {r.unit_id for r in records} == {world.tree.township_a.pk}


def test_the_tick_list_adds_and_removes_one_committees_executives(world):
    session = services.create_session(world.users.editor_a, world.tree.township_a, **session_fields())
    assert services.set_committee_attendance(world.users.editor_a, session, world.tree.village_a1, world.a1) == (3, 0)
    assert services.set_committee_attendance(world.users.editor_a, session, world.tree.village_a1, world.a1[:1]) == (
        0,
        2,
    )
    assert list(session.attendances.values_list("person__name", flat=True)) == ["林秀英"]
    removal = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(TrainingSession), object_id=session.pk
    ).latest("pk")
    assert "attendees_removed" in removal.changes
    with pytest.raises(ValidationError):  # someone of another committee is not on this list
        services.set_committee_attendance(world.users.editor_a, session, world.tree.village_a1, world.a2)


def test_a_closed_session_is_final(world):
    session = services.create_session(world.users.editor_a, world.tree.township_a, **session_fields())
    services.close_session(world.users.editor_a, session, version=session.version)
    session.refresh_from_db()
    assert session.closed_on is not None
    for write in (
        lambda: services.record_attendance(world.users.editor_a, session, world.a1),
        lambda: services.edit_session(world.users.editor_a, session, {"title": "改"}),
        lambda: services.close_session(world.users.editor_a, session),
    ):
        with pytest.raises(ValidationError):
            write()
    future = services.create_session(
        world.users.editor_a,
        world.tree.township_a,
        **session_fields(starts_on=datetime.date.today(), ends_on=datetime.date.today() + datetime.timedelta(days=3)),
    )
    with pytest.raises(ValidationError):
        services.close_session(world.users.editor_a, future)


def test_a_stale_edit_is_a_conflict(world):
    from federation.conflicts import ConflictError

    session = services.create_session(world.users.editor_a, world.tree.township_a, **session_fields())
    services.edit_session(world.users.editor_a, session, {"title": "第一期"}, version=1)
    with pytest.raises(ConflictError):
        services.edit_session(world.users.editor_a, session, {"title": "第二期"}, version=1)


# --- figures -------------------------------------------------------------------------------------------


def expected(unit, period_start=None):
    """The figures counted from the records in Python, one row at a time."""
    today = datetime.date.today()
    units = {u.pk for u in type(unit).objects.filter(unit.subtree_q())}
    offices = [
        o
        for o in Office.objects.select_related("term", "unit")
        if o.unit_id in units and o.ended_on is None and o.started_on <= today and o.unit.closed_on is None
    ]
    sessions = [
        s
        for s in TrainingSession.objects.all()
        if s.unit_id in units and s.starts_on <= today and (period_start is None or s.starts_on >= period_start)
    ]

    def trained(office):
        start = period_start or (office.term.started_on if office.term else office.started_on)
        return any(
            a.session.starts_on >= start and a.session.starts_on <= today
            for a in Attendance.objects.filter(person=office.person_id).select_related("session")
        )

    done = sum(1 for o in offices if trained(o))
    return {
        "training_sessions": len(sessions),
        "training_attendances": sum(s.attendances.count() for s in sessions),
        "executives_in_office": len(offices),
        "executives_trained": done,
        "executives_trained_rate": round(done * 100 / len(offices), 1) if offices else None,
    }


@pytest.fixture
def trained(world):
    editor = world.users.editor_a
    county = services.create_session(editor, world.tree.county_a, **session_fields())
    services.record_attendance(editor, county, [world.a1[0], world.a2[0], world.ta[0]])
    township = services.create_session(editor, world.tree.township_a, **session_fields(title="轮训"))
    services.record_attendance(editor, township, [world.a1[0], world.a1[1]])
    old = services.create_session(
        editor,
        world.tree.township_a,
        **session_fields(title="上届培训", starts_on=datetime.date(2019, 5, 1), ends_on=datetime.date(2019, 5, 1)),
    )
    services.record_attendance(editor, old, [world.a2[1]])  # before her term: not trained in this one
    other = services.create_session(world.users.editor_b, world.tree.county_b, **session_fields())
    services.record_attendance(world.users.editor_b, other, [world.b1[0]])
    return world


def test_the_figures_equal_the_counts_from_the_records(trained):
    t = trained.tree
    for unit in (t.city, t.county_a, t.township_a, t.village_a1, t.village_a2, t.county_b):
        assert training_figures(unit) == expected(unit), unit.name
    figures = training_figures(t.county_a)
    assert figures["executives_in_office"] == 6 and figures["executives_trained"] == 4
    assert figures["executives_trained_rate"] == 66.7
    assert figures["training_sessions"] == 3 and figures["training_attendances"] == 6
    for child, values in training_by_child(t.city):
        assert values == expected(child), child.name


def test_a_set_period_start_replaces_the_term(trained, settings):
    settings.TRAINING_PERIOD_START = "2020-01-01"
    assert training_figures(trained.tree.county_a) == expected(trained.tree.county_a, datetime.date(2020, 1, 1))
    assert training_figures(trained.tree.county_a)["training_sessions"] == 2  # the 2019 session left out
    settings.TRAINING_PERIOD_START = "2018-01-01"
    assert training_figures(trained.tree.county_a)["executives_trained"] == 5  # 黄春燕's 2019 session counts


def test_the_figures_take_a_fixed_number_of_queries(trained, django_assert_num_queries):
    with django_assert_num_queries(3):
        training_figures(trained.tree.county_a)
    children = list(trained.tree.city.children.open())
    # The counties by their ancestor column (one statement per source: their own rows and the rows
    # below them), the city's agency by its tree (one per source): six, whatever the number of children.
    with django_assert_num_queries(6):
        training_by_child(trained.tree.city, children=children)


def test_the_set_is_registered_with_an_evaluator(trained):
    found = figure_sets.set_of("executives_trained_rate")
    assert found.name == "executives" and found.evaluate is not None
    values = found.evaluate([trained.tree.county_a, trained.tree.village_a1])
    assert values[trained.tree.village_a1.pk]["executives_trained_rate"] == 66.7


# --- D1, the automatic checklist item ----------------------------------------------------------------


def test_d1_is_filled_from_the_trained_rate_and_follows_attendance(world, django_capture_on_commit_callbacks):
    from reform import services as reform
    from reform.models import ChecklistItem, ChecklistTemplate

    template = ChecklistTemplate.objects.get(name="破难行动督导目标清单", version=1)
    assert template.items.get(number="D1").coverage_key == "executives_trained_rate"
    reform.assign(world.users.editor_a, template, world.tree.county_a)
    d1 = ChecklistItem.objects.get(unit=world.tree.county_a, template_item__number="D1")
    assert d1.value_number == 0 and d1.status == "submitted" and d1.met is False
    with django_capture_on_commit_callbacks(execute=True):
        session = services.create_session(world.users.editor_a, world.tree.township_a, **session_fields())
        services.record_attendance(world.users.editor_a, session, [*world.a1, *world.a2, *world.ta])
    d1.refresh_from_db()
    township = ChecklistItem.objects.get(unit=world.tree.township_a, template_item__number="D1")
    assert d1.value_number == 100 and d1.met is True and township.value_number == 100
    with django_capture_on_commit_callbacks(execute=True):
        services.set_committee_attendance(world.users.editor_a, session, world.tree.village_a1, [])
    d1.refresh_from_db()
    assert d1.value_number == 50  # 3 of 6 seats


def test_the_demo_loads_sessions_once(tree):
    from executives.demo_training import demo_training
    from orgtree.management.commands.load_demo import demo_conversions

    demo_conversions()
    assert demo_training() >= 2
    county = type(tree.county_a).objects.get(pk=tree.county_a.pk)
    loaded = training_figures(county)
    assert loaded["training_sessions"] >= 2 and loaded["executives_trained"] > 0
    assert demo_training() == 0  # already there: skipped
    assert training_figures(county) == loaded


def test_a_campaign_milestone_can_target_the_trained_rate(client, world):
    from django.urls import reverse

    from federation.models import Role
    from reform import services as reform
    from reform.forms import coverage_choices
    from tests.conftest import scoped_user

    assert "executives_trained_rate" in dict(coverage_choices())
    admin = scoped_user("city_admin", world.tree.city, Role.ADMIN)
    due = datetime.date.today() + datetime.timedelta(days=30)
    campaign = reform.create_campaign(
        admin,
        world.tree.city,
        [{"phase": "轮训", "due_on": due, "coverage_key": "executives_trained_rate", "target": 50}],
        name="领头雁轮训",
        starts_on=datetime.date.today(),
        ends_on=due,
    )
    milestone = campaign.milestones.get()
    assert reform.milestone_status(milestone, world.tree.county_a, {})["state"] == "behind"
    session = services.create_session(world.users.editor_a, world.tree.county_a, **session_fields())
    services.record_attendance(world.users.editor_a, session, [*world.a1, *world.a2])
    status = reform.milestone_status(milestone, world.tree.county_a, {})
    assert status["actual"] == 83.3 and status["state"] == "met"
    client.force_login(world.users.viewer)
    page = client.get(reverse("reform:campaign", args=[world.tree.city.pk, campaign.pk])).content.decode()
    assert "执委轮训覆盖率" in page and "建阳区" in page  # county B is behind
    with pytest.raises(ValidationError):
        reform.create_campaign(
            admin,
            world.tree.city,
            [{"phase": "一", "due_on": due, "coverage_key": "no_such_key", "target": 1}],
            name="错",
            starts_on=datetime.date.today(),
            ends_on=due,
        )
