"""Activities and points (积分考评): the rules (inheritance, ranking), who may evaluate, bad input in Chinese
with nothing saved, history, the export through the formula-safe writer, query counts."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from executives import activities, points
from executives.models import Activity, ActivityType, Evaluation, PointsRule
from federation.conflicts import ConflictError
from federation.models import ChangeRecord, Role
from orgtree.models import Office, Person, ServicePosition
from tests.conftest import scoped_user

YEAR = timezone.localdate().year
DAY = datetime.date(YEAR, 1, 5)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def kind(name):
    return ActivityType.objects.get(name=name)


def seat(unit, name, started=datetime.date(2021, 3, 1), role="executive"):
    person = Person.objects.create(unit=unit, name=name)
    Office.objects.create(unit=unit, person=person, started_on=started, role=role)
    return person


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def w(tree, users):
    """Executives in two villages of county A, one in county B, a county-A township executive."""
    ns = SimpleNamespace(tree=tree, users=users)
    ns.fang = seat(tree.village_a1, "王芳")
    ns.li = seat(tree.village_a1, "李丽")
    ns.mei = seat(tree.village_a3, "陈美")
    ns.hong = seat(tree.township_a, "黄红", role="chair")
    ns.bing = seat(tree.village_b1, "林冰")
    ns.city_editor = scoped_user("city_editor", tree.city, Role.EDITOR)
    ns.township_editor = scoped_user("township_editor", tree.township_a, Role.EDITOR)
    ns.village_editor = scoped_user("village_editor", tree.village_a1, Role.EDITOR)
    return ns


def record(w, unit, person, type_name="走访慰问", held_on=DAY, user=None, **extra):
    return activities.record_activity(
        user or w.users.editor_a,
        unit,
        person=person,
        activity_type=kind(type_name),
        held_on=held_on,
        place=extra.pop("place", "村委会"),
        participants=extra.pop("participants", 10),
        **extra,
    )


def messages_of(exc):
    return [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "error_dict") else exc.messages


# --- activity types ---------------------------------------------------------------------------------


def test_the_default_activity_types_are_there(db):
    names = list(ActivityType.objects.filter(active=True).values_list("name", flat=True))
    assert names == ["宣传宣讲", "走访慰问", "维权调解", "技能培训", "家庭教育", "志愿服务", "其他"]


# --- points rules -----------------------------------------------------------------------------------


def test_the_nearest_ancestors_rule_wins_and_empty_inherits_from_above(w):
    t = w.tree
    visit, talk = kind("走访慰问"), kind("宣传宣讲")
    activities.set_rules(w.city_editor, t.city, YEAR - 1, {visit: 3, talk: 2})
    activities.set_rules(w.users.editor_a, t.county_a, YEAR, {visit: 5})
    activities.set_rules(w.users.editor_a, t.county_a, YEAR + 1, {visit: 8})
    at_a = points.rules_in_force(t.village_a1, YEAR)
    assert at_a[visit.pk].points == 5 and at_a[visit.pk].unit == t.county_a
    assert at_a[talk.pk].points == 2 and at_a[talk.pk].unit == t.city
    assert points.rules_in_force(t.village_b1, YEAR)[visit.pk].points == 3  # county B inherits the city's
    assert points.rules_in_force(t.village_a1, YEAR - 1)[visit.pk].points == 3  # the county's start later
    assert points.rules_in_force(t.village_a1, YEAR + 1)[visit.pk].points == 8
    assert kind("其他").pk not in at_a  # no rule anywhere: no points
    # Emptied for a year, the county's rule gives way to the city's again.
    activities.set_rules(w.users.editor_a, t.county_a, YEAR + 1, {visit: None})
    assert points.rules_in_force(t.village_a1, YEAR + 1)[visit.pk].unit == t.city


def test_rules_in_force_take_a_fixed_number_of_queries(w, django_assert_num_queries):
    activities.set_rules(w.city_editor, w.tree.city, YEAR, {kind("走访慰问"): 3})
    village = type(w.tree.village_a1).objects.get(pk=w.tree.village_a1.pk)
    with django_assert_num_queries(3):  # the ancestors (2) and every rule of the chain at once
        points.rules_in_force(village, YEAR)


def test_rules_are_set_by_a_county_or_above_within_scope(w):
    t, visit = w.tree, kind("走访慰问")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        activities.set_rules(w.users.editor_a, t.township_a, YEAR, {visit: 3})
    assert CHINESE.search(messages_of(refused.value)[0])
    with pytest.raises(PermissionDenied):
        activities.set_rules(w.users.editor_b, t.county_a, YEAR, {visit: 3})
    with pytest.raises(PermissionDenied):
        activities.set_rules(w.users.viewer, t.city, YEAR, {visit: 3})
    with translation.override("zh-hans"), pytest.raises(ValidationError) as bad:
        activities.set_rules(w.users.editor_a, t.county_a, YEAR, {visit: 3, kind("其他"): 101})
    assert f"points_{kind('其他').pk}" in bad.value.message_dict
    assert CHINESE.search(messages_of(bad.value)[0])
    assert not PointsRule.objects.exists()  # nothing saved, not even the valid one


def test_a_rule_change_is_recorded_with_its_unit(w):
    visit = kind("走访慰问")
    (rule,) = activities.set_rules(w.users.editor_a, w.tree.county_a, YEAR, {visit: 3})
    activities.set_rules(w.users.editor_a, w.tree.county_a, YEAR, {visit: 4})
    assert activities.set_rules(w.users.editor_a, w.tree.county_a, YEAR, {visit: 4}) == []  # no change, no record
    records = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(PointsRule), object_id=rule.pk)
    assert [r.changes.get("points") for r in records.order_by("pk")] == [[None, 3], [3, 4]]
    assert {r.unit_id for r in records} == {w.tree.county_a.pk}


# --- activities ---------------------------------------------------------------------------------------


def test_bad_activities_are_refused_in_chinese_with_nothing_saved(w):
    t = w.tree
    position_b = ServicePosition.objects.create(unit=t.village_b1, kind="womens_home")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        activities.record_activity(
            w.users.editor_a,
            t.village_a1,
            person=w.mei,  # an executive of another village
            activity_type=kind("走访慰问"),
            held_on=DAY,
            place="",
            position=position_b,
            participants=200_000,
        )
    errors = refused.value.message_dict
    assert set(errors) == {"person", "position", "participants"}
    assert all(CHINESE.search(m) for ms in errors.values() for m in ms)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as nowhere:
        record(w, t.village_a1, w.fang, place="")
    assert set(nowhere.value.message_dict) == {"place"}
    retired = ActivityType.objects.create(name="旧类型", active=False)
    with pytest.raises(ValidationError) as old:
        activities.record_activity(
            w.users.editor_a, t.village_a1, activity_type=retired, held_on=DAY, place="村委会", participants=3
        )
    assert set(old.value.message_dict) == {"activity_type"}
    with pytest.raises(ValidationError) as photo:
        record(w, t.village_a1, w.fang, photo=SimpleUploadedFile("a.pdf", PDF))
    assert set(photo.value.message_dict) == {"photo"}
    with pytest.raises(ValidationError):  # before she took office
        record(w, t.village_a1, w.fang, held_on=datetime.date(2020, 1, 1))
    assert not Activity.objects.exists()


def test_an_activity_outside_the_scope_is_refused(w):
    with pytest.raises(PermissionDenied):
        record(w, w.tree.village_b1, w.bing)
    with pytest.raises(PermissionDenied):
        record(w, w.tree.village_a1, w.fang, user=w.users.viewer)
    assert not Activity.objects.exists()


def test_a_correction_keeps_the_history_and_refuses_a_stale_version(w):
    activity = record(w, w.tree.village_a1, w.fang, participants=10)
    position = ServicePosition.objects.create(unit=w.tree.village_a1, kind="womens_home")
    activities.correct_activity(
        w.users.editor_a, activity, version=activity.version, participants=12, position=position, place=""
    )
    with pytest.raises(ConflictError):
        activities.correct_activity(w.users.editor_a, activity, version=activity.version, participants=15)
    with pytest.raises(PermissionDenied):
        activities.correct_activity(w.users.editor_b, activity, participants=15)
    activity.refresh_from_db()
    assert activity.participants == 12 and activity.version == 2
    records = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Activity), object_id=activity.pk
    ).order_by("pk")
    assert [r.action for r in records] == ["create", "update"]
    assert records[1].changes["participants"] == [10, 12] and records[1].changes["position"] == [None, position.pk]
    assert {r.unit_id for r in records} == {w.tree.village_a1.pk}


def test_a_photo_is_stored_under_our_name(w):
    activity = record(w, w.tree.village_a1, w.fang, photo=SimpleUploadedFile("../../合影.png", PNG))
    assert activity.photo_name == "合影.png" and activity.photo_type == "image/png"
    assert "合影" not in activity.photo.name and activity.photo.name.startswith(f"activities/{w.tree.village_a1.pk}/")


# --- ranking --------------------------------------------------------------------------------------


def test_the_ranking_sums_the_points_in_force_and_shares_ranks(w):
    t = w.tree
    activities.set_rules(w.city_editor, t.city, YEAR, {kind("走访慰问"): 3, kind("宣传宣讲"): 2})
    activities.set_rules(w.users.editor_a, t.county_a, YEAR, {kind("走访慰问"): 5})
    record(w, t.village_a1, w.fang)  # 5
    record(w, t.village_a1, w.fang, "宣传宣讲")  # 2
    record(w, t.village_a1, w.li, "其他")  # no rule: 0 points, 1 activity
    record(w, t.village_a3, w.mei)  # 5
    record(w, t.village_a3, w.mei, "宣传宣讲")  # 2
    withdrawn = record(w, t.village_a3, w.mei)
    activities.correct_activity(w.users.editor_a, withdrawn, withdrawn=True)
    record(w, t.village_a1, w.fang, held_on=datetime.date(YEAR - 1, 12, 31))  # another year
    record(w, t.village_a1, None)  # the unit's own: no executive's points
    record(w, t.village_b1, w.bing, user=w.users.editor_b)  # county B
    ranking = points.ranking(t.county_a, YEAR)
    rows = {r.name: r for r in ranking.rows}
    assert set(rows) == {"王芳", "李丽", "陈美", "黄红"}
    assert (rows["王芳"].points, rows["王芳"].activities, rows["王芳"].rank) == (7, 2, 1)
    assert (rows["陈美"].points, rows["陈美"].rank) == (7, 1)
    assert (rows["李丽"].points, rows["李丽"].activities, rows["李丽"].rank) == (0, 1, 3)
    assert rows["黄红"].rank == 3 and rows["黄红"].role == "chair"
    township = points.ranking(type(t.township_a).objects.get(pk=t.township_a.pk), YEAR)  # fresh lft/rght
    assert [r.points for r in township.rows] == [r.points for r in ranking.rows]
    assert [r.name for r in points.ranking(t.county_b, YEAR).rows] == ["林冰"]
    assert points.ranking(t.county_b, YEAR).rows[0].points == 3  # the city's rule in county B


def test_an_executive_who_left_before_the_year_is_not_ranked(w):
    Office.objects.filter(person=w.li).update(ended_on=datetime.date(YEAR - 1, 6, 30))
    assert "李丽" not in {r.name for r in points.ranking(w.tree.county_a, YEAR).rows}
    assert "李丽" in {r.name for r in points.ranking(w.tree.county_a, YEAR - 1).rows}


def test_the_ranking_takes_a_fixed_number_of_queries(w):
    t = w.tree
    activities.set_rules(w.city_editor, t.city, YEAR, {kind("走访慰问"): 3})
    record(w, t.village_a1, w.fang)

    def count():
        county = type(t.county_a).objects.get(pk=t.county_a.pk)
        with CaptureQueriesContext(connection) as queries:
            points.ranking(county, YEAR)
        return len(queries)

    few = count()
    for n in range(5):
        person = seat(t.village_a2, f"新执委{n}")
        record(w, t.village_a2, person, "宣传宣讲")
        activities.evaluate(w.users.editor_a, t.village_a2, person, YEAR, "competent")
    assert count() == few == 5  # ancestors (2), rules, offices, activities, evaluations


# --- evaluations -------------------------------------------------------------------------------------


def test_only_the_managing_level_evaluates(w):
    t = w.tree
    # The township's committee is managed by the county; a village's by its township (and so the county).
    activities.evaluate(w.users.editor_a, t.township_a, w.hong, YEAR, "excellent")
    activities.evaluate(w.township_editor, t.village_a1, w.fang, YEAR, "competent")
    for user, unit, person in [
        (w.township_editor, t.township_a, w.hong),  # her own committee
        (w.village_editor, t.village_a1, w.fang),
        (w.users.editor_b, t.village_a1, w.fang),  # another county
        (w.users.viewer, t.village_a1, w.fang),  # a viewer above
    ]:
        with pytest.raises(PermissionDenied):
            activities.evaluate(user, unit, person, YEAR, "incompetent")
    assert dict(Evaluation.objects.values_list("person__name", "grade")) == {"黄红": "excellent", "王芳": "competent"}
    assert activities.may_evaluate(w.city_editor, t.county_a)
    assert not activities.may_evaluate(w.users.editor_a, t.county_a)


def test_one_evaluation_per_executive_and_year_with_history(w):
    t = w.tree
    first = activities.evaluate(w.users.editor_a, t.village_a1, w.fang, YEAR, "competent")
    again = activities.evaluate(w.users.editor_a, t.village_a1, w.fang, YEAR, "excellent", version=first.version)
    assert again.pk == first.pk and Evaluation.objects.count() == 1 and again.grade == "excellent"
    with pytest.raises(ConflictError):
        activities.evaluate(w.users.editor_a, t.village_a1, w.fang, YEAR, "basic", version=first.version)
    records = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(Evaluation)).order_by("pk")
    assert [r.changes.get("grade") for r in records] == [[None, "competent"], ["competent", "excellent"]]
    ranking = points.ranking(t.county_a, YEAR)
    assert dict(ranking.grades)["优秀" if translation.get_language() == "zh-hans" else "Excellent"] == 1
    assert points.not_evaluated(ranking) == 3


def test_bad_evaluations_are_refused_in_chinese_with_nothing_saved(w):
    t = w.tree
    for person, year, grade, field in [
        (w.mei, YEAR, "excellent", "person"),  # not on this committee
        (w.fang, YEAR + 1, "excellent", "year"),  # a year not begun
        (w.fang, 1990, "excellent", "year"),
        (w.fang, YEAR, "superb", "grade"),
        (w.fang, 2020, "excellent", "person"),  # before she took office
    ]:
        with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
            activities.evaluate(w.users.editor_a, t.village_a1, person, year, grade)
        assert field in refused.value.message_dict
        assert CHINESE.search(refused.value.message_dict[field][0])
    assert not Evaluation.objects.exists()


# --- demo -------------------------------------------------------------------------------------------


def test_the_demo_loads_once(tree):
    from executives.demo_activities import demo_activities
    from orgtree.management.commands.load_demo import demo_conversions

    demo_conversions()
    loaded = demo_activities()
    assert loaded > 0 and Activity.objects.count() == loaded
    assert PointsRule.objects.filter(unit=tree.city).count() == 7
    assert Evaluation.objects.count() == 2
    assert points.ranking(tree.county_a, YEAR).total_points > 0
    assert demo_activities() == 0 and Activity.objects.count() == loaded


def test_the_activity_types_are_kept_by_the_system_administrators(client, users):
    client.force_login(users.root)
    url = "/admin/executives/activitytype/"
    assert client.get(url).status_code == 200
    added = client.post(url + "add/", {"name": "巾帼建功", "order": 80, "active": "on"})
    assert added.status_code == 302 and ActivityType.objects.filter(name="巾帼建功", active=True).exists()
    client.force_login(users.admin_a)
    assert client.get(url).status_code in (302, 403)
