"""轮值主席: the rules of the schedule, its writes (scope, history, conflicts), the page, the panel on
the committee page and the API."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from executives import rotation
from executives.models import RotationMonth, RotationSetting
from federation.conflicts import ConflictError
from federation.models import ChangeRecord
from orgtree.models import Office, Person, Term

START = datetime.date(2024, 3, 1)
NAMES = ["郑秀英", "林美华", "黄丽萍", "陈玉兰", "吴桂香"]
MISSING = 987654321


def seat(unit, names, roles=("chair", "vice_chair", "vice_chair")):
    term = Term.objects.create(unit=unit, number=1, started_on=START, due_on=START.replace(year=2029))
    offices = []
    for i, name in enumerate(names):
        person = Person.objects.create(unit=unit, name=name)
        role = roles[i] if i < len(roles) else "executive"
        offices.append(
            Office.objects.create(
                unit=unit,
                person=person,
                term=term,
                started_on=START,
                role=role,
                vice_chair_type="part_time" if role == "vice_chair" else "",
            )
        )
    return offices


@pytest.fixture
def world(tree, users):
    """黄墩街道 (county A) with 5 executives, 潭城街道 (county B) with 2."""
    return {"a": seat(tree.township_a, NAMES), "b": seat(tree.township_b, ["乙县甲", "乙县乙"])}


def months_from(month, n):
    return [rotation.add_months(month, i) for i in range(n)]


# --- rules ------------------------------------------------------------------------------------------


def test_months_and_the_order_of_a_plan():
    assert rotation.add_months(datetime.date(2026, 11, 1), 3) == datetime.date(2027, 2, 1)
    assert rotation.add_months(datetime.date(2026, 1, 1), -1) == datetime.date(2025, 12, 1)
    assert rotation.parse_month("2026-12") == rotation.parse_month("2026年12月") == datetime.date(2026, 12, 1)
    with pytest.raises(ValidationError):
        rotation.parse_month("2026-13")
    assert [o for _m, o in rotation.plan(datetime.date(2026, 11, 1), 5, ["c", "a", "b"])] == ["c", "a", "b", "c", "a"]


def test_the_committee_order_is_chair_vice_chairs_then_executives(tree, world):
    assert [o.person.name for o in rotation.current_executives(tree.township_a)] == NAMES
    Office.objects.filter(pk=world["a"][1].pk).update(ended_on=datetime.date(2025, 1, 1))
    assert [o.person.name for o in rotation.current_executives(tree.township_a)] == [NAMES[0], *NAMES[2:]]


def test_generation_fills_each_month_once_in_the_order_given(tree, users, world):
    a = world["a"]
    order = [a[2], a[0], a[4]]
    start = rotation.this_month()
    rows = rotation.generate(users.editor_a, tree.township_a, start=start, months=7, order=order)
    assert [r.month for r in rows] == months_from(start, 7)
    assert [r.office for r in rows] == [a[2], a[0], a[4], a[2], a[0], a[4], a[2]]
    assert RotationMonth.objects.filter(unit=tree.township_a).count() == 7
    assert rotation.current_chair(tree.township_a).office == a[2]
    # Again over part of the range with another order: the overlap is replaced, nothing else moves.
    later = rotation.add_months(start, 5)
    rotation.generate(users.editor_a, tree.township_a, start=later, months=4, order=[a[1]])
    got = {r.month: r.office for r in RotationMonth.objects.filter(unit=tree.township_a)}
    assert len(got) == 9 and [got[m] for m in months_from(later, 4)] == [a[1]] * 4
    assert got[start] == a[2]
    changed = RotationMonth.objects.get(unit=tree.township_a, month=later)
    assert changed.version == 2
    records = ChangeRecord.objects.filter(object_id=changed.pk, content_type__model="rotationmonth").order_by("pk")
    assert [r.action for r in records] == ["create", "update"]
    assert records[1].changes == {"office": [a[4].pk, a[1].pk]} and records[1].unit_id == tree.township_a.pk


def test_only_current_executives_of_the_unit_take_turns(tree, users, world):
    a, b = world["a"], world["b"]
    start = rotation.this_month()
    Office.objects.filter(pk=a[4].pk).update(ended_on=datetime.date(2025, 1, 1))
    for order in ([a[0], a[4]], [a[0], b[0]]):
        with pytest.raises(ValidationError) as refused:
            rotation.generate(users.root, tree.township_a, start=start, months=3, order=order)
        assert "order" in refused.value.message_dict
    with pytest.raises(ValidationError):
        rotation.set_month(users.root, tree.township_a, start, a[4])
    Term.objects.filter(unit=tree.township_a).update(ended_on=datetime.date(2025, 6, 1))
    with pytest.raises(ValidationError):
        rotation.set_month(users.root, tree.township_a, start, a[0])
    assert not RotationMonth.objects.exists()


def test_the_length_the_start_and_the_order_are_checked(tree, users, world):
    a = world["a"]
    month = rotation.this_month()
    for kwargs, field in [
        ({"start": month, "months": 0, "order": a}, "months"),
        ({"start": month, "months": rotation.MAX_MONTHS + 1, "order": a}, "months"),
        ({"start": rotation.add_months(month, -1), "months": 3, "order": a}, "start"),
        ({"start": month, "months": 3, "order": []}, "order"),
        ({"start": month, "months": 3, "order": [a[0], a[1], a[0]]}, "order"),
        ({"start": datetime.date(2099, 10, 1), "months": 6, "order": a}, "months"),  # past 2099-12-31
    ]:
        with pytest.raises(ValidationError) as refused:
            rotation.generate(users.editor_a, tree.township_a, **kwargs)
        assert field in refused.value.message_dict, kwargs
    assert not RotationMonth.objects.exists()


def test_who_keeps_a_rotating_chair(tree, users, world):
    assert rotation.applies(tree.township_a) and not rotation.applies(tree.village_a1)
    person = Person.objects.create(unit=tree.village_a1, name="村执委")
    term = Term.objects.create(unit=tree.village_a1, number=1, started_on=START, due_on=START.replace(year=2029))
    office = Office.objects.create(unit=tree.village_a1, person=person, term=term, started_on=START)
    with pytest.raises(ValidationError):
        rotation.set_month(users.editor_a, tree.village_a1, rotation.this_month(), office)
    rotation.set_enabled(users.editor_a, tree.village_a1, True)
    rotation.set_month(users.editor_a, tree.village_a1, rotation.this_month(), office)
    assert rotation.current_chair(tree.village_a1).office == office
    setting = rotation.set_enabled(users.editor_a, tree.township_a, False)
    assert not rotation.applies(tree.township_a)
    with pytest.raises(ValidationError):
        rotation.generate(users.editor_a, tree.township_a, start=rotation.this_month(), months=2, order=world["a"])
    with pytest.raises(ConflictError):
        rotation.set_enabled(users.editor_a, tree.township_a, True, version=setting.version + 1)
    assert ChangeRecord.objects.filter(content_type__model="rotationsetting", unit=tree.township_a).count() == 1


def test_a_month_is_set_changed_and_guarded_by_its_version(tree, users, world):
    a = world["a"]
    month = rotation.add_months(rotation.this_month(), 2)
    row = rotation.set_month(users.editor_a, tree.township_a, month, a[1], version=0, note="换届后首月")
    assert (row.office, row.note, row.version) == (a[1], "换届后首月", 1)
    with pytest.raises(ConflictError):
        rotation.set_month(users.editor_a, tree.township_a, month, a[2], version=0)  # she saw it empty
    row = rotation.set_month(users.editor_a, tree.township_a, month + datetime.timedelta(days=9), a[2], version=1)
    assert row.month == month and row.office == a[2] and row.version == 2
    assert RotationMonth.objects.filter(unit=tree.township_a).count() == 1  # one chair a month
    assert ChangeRecord.objects.filter(object_id=row.pk, content_type__model="rotationmonth").count() == 2


def test_writes_outside_the_scope_or_by_a_viewer_are_refused(tree, users, world):
    a, b = world["a"], world["b"]
    month = rotation.this_month()
    with pytest.raises(PermissionDenied):
        rotation.generate(users.editor_a, tree.township_b, start=month, months=2, order=b)
    with pytest.raises(PermissionDenied):
        rotation.set_month(users.viewer, tree.township_a, month, a[0])
    with pytest.raises(PermissionDenied):
        rotation.set_enabled(users.viewer, tree.township_a, False)
    assert not RotationMonth.objects.exists() and not RotationSetting.objects.exists()


# --- pages ------------------------------------------------------------------------------------------


def page_url(unit_pk):
    return reverse("executives:rotation", args=[unit_pk])


def same_404(client, method, url_of, outside_pk, data=None):
    """The answer about county B's unit is the answer about no unit at all."""
    answers = []
    for pk in (outside_pk, MISSING):
        url = url_of(pk)
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 404, url
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
        answers.append(text.replace(url, "<url>").replace(str(pk), "<id>"))
    assert answers[0] == answers[1]


def test_county_a_gets_the_404_of_nothing_on_county_bs_rotation_page(client, tree, users, world):
    client.force_login(users.editor_a)
    same_404(client, "get", page_url, tree.township_b.pk)
    same_404(client, "post", page_url, tree.township_b.pk, {"action": "enable", "enabled": "0"})
    assert not RotationSetting.objects.exists()


def test_a_viewer_sees_the_page_and_gets_403_on_every_form(client, tree, users, world):
    rotation.generate(users.editor_a, tree.township_a, start=rotation.this_month(), months=3, order=world["a"])
    client.force_login(users.viewer)
    page = client.get(page_url(tree.township_a.pk)).content.decode()
    assert NAMES[0] in page and 'name="action"' not in page
    for data in (
        {"action": "enable", "enabled": "0"},
        {"action": "month", "month": "2030-01", "office": world["a"][1].pk},
        {"action": "generate", "start": "2030-01", "months": "2"},
    ):
        assert client.post(page_url(tree.township_a.pk), data).status_code == 403
    assert RotationMonth.objects.count() == 3 and not RotationSetting.objects.exists()


def test_an_editor_generates_and_changes_a_month_on_the_page(client, tree, users, world):
    a = world["a"]
    client.force_login(users.editor_a)
    url = page_url(tree.township_a.pk)
    month = rotation.this_month()
    places = {f"place_{o.pk}": "" for o in a} | {f"place_{a[3].pk}": "1", f"place_{a[0].pk}": "2"}
    response = client.post(url, {"action": "generate", "start": f"{month:%Y-%m}", "months": "4", **places})
    assert response.status_code == 302, response.content.decode()
    assert [r.office for r in rotation.schedule(tree.township_a)] == [a[3], a[0], a[3], a[0]]
    next_month = rotation.add_months(month, 1)
    page = client.get(url, {"month": f"{next_month:%Y-%m}"}).content.decode()
    assert 'name="version" value="1"' in page
    response = client.post(
        url, {"action": "month", "month": f"{next_month:%Y-%m}", "office": a[4].pk, "note": "", "version": "1"}
    )
    assert response.status_code == 302
    assert RotationMonth.objects.get(unit=tree.township_a, month=next_month).office == a[4]


def test_bad_input_on_the_page_is_refused_in_chinese_and_nothing_saved(client, tree, users, world):
    a = world["a"]
    client.force_login(users.editor_a)
    url = page_url(tree.township_a.pk)
    month = rotation.this_month()
    same_place = {f"place_{o.pk}": "1" for o in a}
    page = client.post(url, {"action": "generate", "start": f"{month:%Y-%m}", "months": "3", **same_place})
    assert page.status_code == 200 and "序号不能重复" in page.content.decode()
    page = client.post(url, {"action": "month", "month": "2026-13", "office": a[0].pk})
    assert "请输入月份" in page.content.decode()
    past = rotation.add_months(month, -2)
    page = client.post(url, {"action": "generate", "start": f"{past:%Y-%m}", "months": "3", f"place_{a[0].pk}": "1"})
    assert "排班只能从本月起生成" in page.content.decode()
    page = client.post(url, {"action": "month", "month": f"{month:%Y-%m}", "office": world["b"][0].pk})
    assert page.status_code == 200 and "选择一个有效的选项" in page.content.decode()
    assert not RotationMonth.objects.exists()


def test_the_rotation_page_has_a_fixed_number_of_queries(client, tree, users, world, django_assert_num_queries):
    client.force_login(users.editor_a)
    url = page_url(tree.township_a.pk)
    client.get(url)  # the first page of her day asks for notices
    with django_assert_num_queries(11) as captured:
        client.get(url)
    rotation.generate(users.editor_a, tree.township_a, start=rotation.this_month(), months=12, order=world["a"])
    with django_assert_num_queries(len(captured)):
        page = client.get(url).content.decode()
    assert page.count(NAMES[0]) >= 3


def test_the_committee_page_shows_this_months_chair_with_a_fixed_number_of_queries(
    client, tree, users, world, django_assert_num_queries
):
    client.force_login(users.viewer)
    url = reverse("orgtree:committee", args=[tree.township_a.pk])
    client.get(url)
    with django_assert_num_queries(13) as captured:  # the committee page's 11 and the panel's two
        page = client.get(url).content.decode()
    assert "尚未安排" in page and page_url(tree.township_a.pk) in page
    rotation.generate(users.editor_a, tree.township_a, start=rotation.this_month(), months=6, order=world["a"][1:])
    with django_assert_num_queries(len(captured)):
        page = client.get(url).content.decode()
    assert "本月：<strong>林美华</strong>" in page
    village = client.get(reverse("orgtree:committee", args=[tree.village_a1.pk])).content.decode()
    assert "本月：" not in village and "轮值主席" in village  # the tab, not the panel


# --- API --------------------------------------------------------------------------------------------


def api_url(pk, tail=""):
    return f"/api/units/{pk}/rotation/{tail}"


def test_the_api_shows_the_current_chair_and_the_schedule(api, tree, users, world):
    month = rotation.this_month()
    rotation.generate(users.editor_a, tree.township_a, start=month, months=3, order=world["a"][:2])
    data = api(users.viewer).get(api_url(tree.township_a.pk)).json()
    assert data["enabled"] is True and data["month"] == f"{month:%Y-%m}"
    assert data["current"]["person_name"] == NAMES[0] and data["current"]["on_committee"] is True
    assert [(r["month"], r["person_name"]) for r in data["schedule"]] == [
        (f"{m:%Y-%m}", n) for m, n in zip(months_from(month, 3), [NAMES[0], NAMES[1], NAMES[0]], strict=True)
    ]
    assert api(users.viewer).get(api_url(tree.village_a1.pk)).json()["enabled"] is False


def test_editors_generate_and_set_months_through_the_api(api, tree, users, world):
    a = world["a"]
    month = rotation.this_month()
    client = api(users.editor_a)
    body = {"start": f"{month:%Y-%m}", "months": 2, "order": [a[2].pk, a[1].pk]}
    response = client.post(api_url(tree.township_a.pk, "generate/"), body, format="json")
    assert response.status_code == 201, response.content
    assert [r["person_name"] for r in response.json()["schedule"]] == [NAMES[2], NAMES[1]]
    response = client.put(
        api_url(tree.township_a.pk, f"{month:%Y-%m}/"), {"office": a[0].pk, "version": 1}, format="json"
    )
    assert response.status_code == 200 and response.json()["person_name"] == NAMES[0]
    stale = client.put(api_url(tree.township_a.pk, f"{month:%Y-%m}/"), {"office": a[3].pk, "version": 1}, format="json")
    assert stale.status_code == 409
    assert RotationMonth.objects.get(unit=tree.township_a, month=month).office == a[0]
    assert ChangeRecord.objects.filter(content_type__model="rotationmonth", source="api").count() == 3


def test_the_api_refuses_in_chinese_and_saves_nothing(api, tree, users, world):
    a = world["a"]
    client = api(users.editor_a)
    month = rotation.this_month()
    bad = client.post(
        api_url(tree.township_a.pk, "generate/"), {"start": "明年", "months": 2, "order": [a[0].pk]}, format="json"
    )
    assert bad.status_code == 400 and "请输入月份" in str(bad.json())
    bad = client.post(
        api_url(tree.township_a.pk, "generate/"),
        {"start": f"{month:%Y-%m}", "months": 2, "order": [a[0].pk, a[0].pk]},
        format="json",
    )
    assert bad.status_code == 400 and "序号不能重复" in str(bad.json())
    bad = client.put(api_url(tree.township_a.pk, "2026-13/"), {"office": a[0].pk}, format="json")
    assert bad.status_code == 400 and "请输入月份" in str(bad.json())
    assert not RotationMonth.objects.exists()


def test_the_api_gives_county_b_the_404_of_nothing_and_viewers_403(api, tree, users, world):
    a, b = world["a"], world["b"]
    month = f"{rotation.this_month():%Y-%m}"
    client = api(users.editor_a)
    for method, tail, body in [
        ("get", "", None),
        ("post", "generate/", {"start": month, "months": 2, "order": [b[0].pk]}),
        ("put", f"{month}/", {"office": b[0].pk}),
    ]:
        outside = getattr(client, method)(api_url(tree.township_b.pk, tail), body, format="json")
        missing = getattr(client, method)(api_url(MISSING, tail), body, format="json")
        assert outside.status_code == missing.status_code == 404 and outside.json() == missing.json()
    # An office of county B named for county A's township: the answer for an office of nothing.
    answers = [
        client.post(
            api_url(tree.township_a.pk, "generate/"), {"start": month, "months": 2, "order": [pk]}, format="json"
        )
        for pk in (b[0].pk, MISSING)
    ]
    assert {r.status_code for r in answers} == {400}
    assert answers[0].content.decode().replace(str(b[0].pk), "<id>") == answers[1].content.decode().replace(
        str(MISSING), "<id>"
    )
    viewer = api(users.viewer)
    assert (
        viewer.post(
            api_url(tree.township_a.pk, "generate/"), {"start": month, "months": 2, "order": [a[0].pk]}, format="json"
        ).status_code
        == 403
    )
    assert viewer.put(api_url(tree.township_a.pk, f"{month}/"), {"office": a[0].pk}, format="json").status_code == 403
    assert not RotationMonth.objects.exists()


# --- demo -------------------------------------------------------------------------------------------


def test_the_demo_seats_a_township_and_schedules_a_year_once(tree, users):
    assert rotation.demo_rotation() == 1
    rows = list(rotation.schedule(tree.township_a, rotation.this_month()))
    assert len(rows) == 12 and len({r.office_id for r in rows}) == 7
    assert rotation.demo_rotation() == 0
    assert RotationMonth.objects.count() == 12


def test_the_demo_leaves_a_schedule_someone_entered(tree, users, world):
    a = world["a"]
    rotation.set_month(users.editor_a, tree.township_a, rotation.this_month(), a[3])
    assert rotation.demo_rotation() == 0
    assert list(RotationMonth.objects.values_list("office", flat=True)) == [a[3].pk]
