"""Training pages, API and Excel import: scope (county A vs B, no oracle), roles, bad input in
Chinese with nothing saved, query counts."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from executives import training as services
from executives.models import Attendance, TrainingSession
from executives.training_excel import COLUMNS, SHEET, AttendanceImporter
from federation.imports import ImportRefusedError
from tests.executives.training_world import LIN_ID, session_fields, training_world  # noqa: F401 - the fixture "world"
from tests.federation.test_oracles import blanked

MISSING = 987654321


@pytest.fixture
def sessions(world):
    a = services.create_session(world.users.editor_a, world.tree.township_a, **session_fields())
    services.record_attendance(world.users.editor_a, a, world.a1[:2])
    b = services.create_session(world.users.editor_b, world.tree.township_b, **session_fields(title="乙县培训"))
    services.record_attendance(world.users.editor_b, b, world.b1)
    world.session_a, world.session_b = a, b
    return world


def page_urls(w):
    """(url of county A's object, url of county B's twin, url of nothing) for every training page."""
    a, b = w.session_a, w.session_b
    ta, tb = w.tree.township_a.pk, w.tree.township_b.pk
    return [
        *[
            (reverse(name, args=[ta]), reverse(name, args=[tb]), reverse(name, args=[MISSING]))
            for name in ("executives:training", "executives:training_import", "executives:training_export")
        ],
        *[
            (reverse(name, args=[a.pk]), reverse(name, args=[b.pk]), reverse(name, args=[MISSING]))
            for name in (
                "executives:training_session",
                "executives:training_edit",
                "executives:training_tick",
                "executives:training_template",
            )
        ],
    ]


def test_every_page_is_a_404_across_counties_like_nothing(client, sessions):
    client.force_login(sessions.users.editor_a)
    for inside, outside, nothing in page_urls(sessions):
        assert client.get(inside).status_code == 200, inside
        there, missing = client.get(outside), client.get(nothing)
        assert there.status_code == missing.status_code == 404, outside
        there.content, missing.content = (
            there.content.replace(outside.encode(), b""),
            missing.content.replace(nothing.encode(), b""),
        )
        assert blanked(there, "-") == blanked(missing, "-")
        assert client.post(outside, {"action": "create"}).status_code == 404
    assert client.get(reverse("executives:training", args=[sessions.tree.city.pk])).status_code == 404


def test_a_viewer_reads_every_page_without_a_form(client, sessions):
    client.force_login(sessions.users.viewer)
    for url in (
        reverse("executives:training", args=[sessions.tree.city.pk]),
        reverse("executives:training", args=[sessions.tree.township_a.pk]),
        reverse("executives:training_session", args=[sessions.session_a.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert 'method="post"' not in page.content.decode().split("<main>", 1)[1], url
    for name in ("executives:training_tick", "executives:training_edit"):
        assert client.get(reverse(name, args=[sessions.session_a.pk])).status_code == 403
    assert client.get(reverse("executives:training_import", args=[sessions.tree.township_a.pk])).status_code == 403


def test_the_list_filters_by_type_and_period(client, sessions):
    services.create_session(
        sessions.users.editor_a, sessions.tree.county_a, **session_fields(title="网络课堂", type="online")
    )
    client.force_login(sessions.users.viewer)
    url = reverse("executives:training", args=[sessions.tree.city.pk])
    page = client.get(url, {"type": "online"}).content.decode()
    assert "网络课堂" in page and "领头雁培训班" not in page
    page = client.get(url, {"starts_from": "2025-01-01"}).content.decode()
    assert "暂无培训班" in page
    assert "乙县培训" in client.get(url).content.decode()


def test_recording_a_session_on_the_page_bad_input_in_chinese(client, sessions):
    client.force_login(sessions.users.editor_a)
    url = reverse("executives:training", args=[sessions.tree.township_a.pk])
    data = {"action": "create", **session_fields(title="新一期"), "starts_on": "2024-06-02", "ends_on": "2024-06-01"}
    page = client.post(url, data)
    assert page.status_code == 200 and "培训结束日期不能早于开始日期" in page.content.decode()
    assert not TrainingSession.objects.filter(title="新一期").exists()
    data["ends_on"] = "2024-06-03"
    assert client.post(url, data).status_code == 302
    session = TrainingSession.objects.get(title="新一期")
    assert session.unit == sessions.tree.township_a and session.level == "township"


def test_ticking_a_committee_on_a_phone(client, sessions):
    client.force_login(sessions.users.editor_a)
    url = reverse("executives:training_tick", args=[sessions.session_a.pk])
    page = client.get(url, {"committee": sessions.tree.village_a1.pk}).content.decode()
    assert 'type="checkbox"' in page and "张芳" in page and "checked" in page
    assert client.get(url, {"committee": sessions.tree.village_b1.pk}).context["chosen"] is None  # not offered
    ids = [str(p.pk) for p in sessions.a1]
    response = client.post(f"{url}?committee={sessions.tree.village_a1.pk}", {"people": ids[1:]})
    assert response.status_code == 302
    assert set(sessions.session_a.attendances.values_list("person__name", flat=True)) == {"陈美华", "张芳"}
    response = client.post(f"{url}?committee={sessions.tree.village_a1.pk}", {"people": [str(sessions.b1[0].pk)]})
    assert response.status_code == 200  # not a choice: refused, nothing changed
    assert sessions.session_a.attendances.count() == 2
    assert client.post(f"{url}?committee={sessions.tree.village_b1.pk}", {"people": []}).status_code == 404


def test_closing_and_editing_a_session(client, sessions):
    client.force_login(sessions.users.editor_a)
    s = sessions.session_a
    edit = reverse("executives:training_edit", args=[s.pk])
    data = {**session_fields(title="改名后"), "level": "", "version": s.version}
    assert client.post(edit, data).status_code == 302
    assert client.post(edit, data).status_code == 200  # the same version again: a conflict, shown
    s.refresh_from_db()
    assert s.title == "改名后"
    page = reverse("executives:training_session", args=[s.pk])
    assert client.post(page, {"action": "close", "version": s.version}).status_code == 302
    s.refresh_from_db()
    assert s.closed_on is not None
    assert "改名后" in client.get(page).content.decode()


def test_pages_take_a_fixed_number_of_queries(client, sessions, django_assert_num_queries):
    client.force_login(sessions.users.editor_a)
    county = reverse("executives:training", args=[sessions.tree.county_a.pk])
    client.get(county)  # the first page of her day also runs her notices
    for more in range(2):  # more sessions and attendances do not cost more queries
        with django_assert_num_queries(16):  # the figures, by child too: 3 + 4 statements
            client.get(county)
        with django_assert_num_queries(9):
            client.get(reverse("executives:training_session", args=[sessions.session_a.pk]))
        with django_assert_num_queries(11):
            client.get(
                reverse("executives:training_tick", args=[sessions.session_a.pk]),
                {"committee": sessions.tree.village_a1.pk},
            )
        services.record_attendance(sessions.users.editor_a, sessions.session_a, [sessions.a2[more]])
        more_fields = session_fields(title=f"第{more}期")
        services.create_session(sessions.users.editor_a, sessions.tree.township_a, **more_fields)


def test_the_figures_export_by_child_with_their_definitions(client, sessions):
    client.force_login(sessions.users.viewer)
    response = client.get(reverse("executives:training_export", args=[sessions.tree.city.pk]))
    book = load_workbook(io.BytesIO(response.content))
    rows = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    assert rows[0][0] == "组织" and "执委轮训覆盖率" in rows[0]
    assert [r[0] for r in rows[1:]] == [
        "南平市",
        "南平市直机关妇工委",
        "延平区",
        "建阳区",
    ]  # children by code, then name
    assert len(book.worksheets) == 2  # 指标说明


def test_the_dashboard_shows_the_trained_rate_by_child(client, sessions):
    client.force_login(sessions.users.viewer)
    page = client.get(reverse("orgtree:dashboard", args=[sessions.tree.city.pk])).content.decode()
    assert "training-by-child" in page and "执委轮训覆盖率" in page


# --- API -----------------------------------------------------------------------------------------------


def test_the_api_lists_only_the_subtree_and_answers_404_like_nothing(api, sessions):
    client = api(sessions.users.editor_a)
    ids = {row["id"] for row in client.get("/api/training-sessions/").json()["results"]}
    assert ids == {sessions.session_a.pk}
    rows = client.get("/api/training-attendances/").json()["results"]
    assert {row["session"] for row in rows} == {sessions.session_a.pk}
    for base in ("/api/training-sessions/", "/api/training-attendances/"):
        other = (
            sessions.session_b.pk if "sessions" in base else Attendance.objects.filter(session=sessions.session_b)[0].pk
        )
        there, missing = client.get(f"{base}{other}/"), client.get(f"{base}{MISSING}/")
        assert there.status_code == missing.status_code == 404 and there.json() == missing.json()
    for path in (f"/api/units/{sessions.tree.county_b.pk}/training/", f"/api/units/{MISSING}/training/"):
        assert client.get(path).status_code == 404
    for method, path, body in (
        ("patch", f"/api/training-sessions/{sessions.session_b.pk}/", {"title": "改"}),
        ("post", f"/api/training-sessions/{sessions.session_b.pk}/close/", {}),
        ("post", f"/api/training-sessions/{sessions.session_b.pk}/attendance/", {"people": [sessions.b1[0].pk]}),
    ):
        assert getattr(client, method)(path, body, format="json").status_code == 404
    assert TrainingSession.objects.get(pk=sessions.session_b.pk).title == "乙县培训"


def test_the_api_writes_through_the_services(api, sessions):
    client = api(sessions.users.editor_a)
    body = {**session_fields(title="接口登记"), "unit": sessions.tree.county_a.pk}
    body = {k: str(v) for k, v in body.items()}
    created = client.post("/api/training-sessions/", {**body, "unit": sessions.tree.county_a.pk}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    there = client.post("/api/training-sessions/", {**body, "unit": sessions.tree.county_b.pk}, format="json")
    nothing = client.post("/api/training-sessions/", {**body, "unit": MISSING}, format="json")
    assert there.status_code == nothing.status_code == 400
    assert blanked(there, sessions.tree.county_b.pk) == blanked(nothing, MISSING)
    bad = client.post("/api/training-sessions/", {**body, "hours": "0"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert bad.status_code == 400 and "学时" in str(bad.json())
    add = f"/api/training-sessions/{pk}/attendance/"
    assert client.post(add, {"people": [sessions.a1[0].pk, sessions.ta[0].pk]}, format="json").status_code == 201
    outside = client.post(add, {"people": [sessions.b1[0].pk]}, format="json")
    nothing = client.post(add, {"people": [MISSING]}, format="json")
    assert outside.status_code == nothing.status_code == 400
    assert blanked(outside, sessions.b1[0].pk) == blanked(nothing, MISSING)
    assert (
        client.patch(f"/api/training-sessions/{pk}/", {"title": "改名", "version": 1}, format="json").status_code == 200
    )
    assert (
        client.patch(f"/api/training-sessions/{pk}/", {"title": "再改", "version": 1}, format="json").status_code == 409
    )
    figures = client.get(f"/api/units/{sessions.tree.county_a.pk}/training/").json()
    assert figures["training_sessions"] == 2 and figures["training_attendances"] == 4
    by_child = client.get(f"/api/units/{sessions.tree.county_a.pk}/training/", {"by": "children"}).json()
    assert by_child["children"][0]["executives_trained"] == 3
    filtered = client.get("/api/training-sessions/", {"unit": sessions.tree.township_b.pk})
    assert filtered.status_code == 400
    there = client.get("/api/training-attendances/", {"session": sessions.session_b.pk})
    nothing = client.get("/api/training-attendances/", {"session": MISSING})
    assert there.status_code == nothing.status_code == 400
    assert blanked(there, sessions.session_b.pk) == blanked(nothing, MISSING)


def test_the_api_takes_a_fixed_number_of_queries(api, sessions, django_assert_max_num_queries):
    client = api(sessions.users.viewer)
    with django_assert_max_num_queries(6):
        assert client.get("/api/training-sessions/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/api/training-attendances/").status_code == 200


# --- the Excel import ----------------------------------------------------------------------------------


def workbook(rows, header=None):
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(header or list(COLUMNS.values()))
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_the_template_lists_the_attendance_so_far(client, sessions):
    client.force_login(sessions.users.editor_a)
    response = client.get(reverse("executives:training_template", args=[sessions.session_a.pk]))
    sheet = load_workbook(io.BytesIO(response.content))[SHEET]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows == [
        [sessions.session_a.pk, "林秀英", None, "黄墩社区"],
        [sessions.session_a.pk, "陈美华", None, "黄墩社区"],
    ]


def test_every_problem_of_a_file_is_listed_at_once_and_nothing_is_saved(sessions):
    from django.utils import translation

    s, b = sessions.session_a, sessions.session_b
    rows = [
        [s.pk, "王丽", None, "西门社区"],  # fine
        [s.pk, "王丽", None, "西门社区"],  # twice
        [s.pk, "林秀英", "350702198001010000", None],  # bad checksum
        [s.pk, "张三", LIN_ID, None],  # the name differs
        [s.pk, "赵六", None, "西门社区"],  # no one of that name
        [s.pk, "钱七", None, None],  # neither number nor unit
        [s.pk, "郑雪梅", None, "城东村"],  # a unit of county B: like none
        [b.pk, "郑雪梅", None, "城东村"],  # a session of county B: like none
        [MISSING, "郑雪梅", None, "城东村"],
        ["第一期", "王丽", None, "西门社区"],
    ]
    with translation.override("zh-hans"):
        importer = AttendanceImporter(sessions.users.editor_a, sessions.tree.county_a).read(workbook(rows))
        messages = sorted((p.row, str(p.message)) for p in importer.problems)
    assert [row for row, _m in messages] == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    text = " ".join(m for _r, m in messages)
    for word in (
        "两次",
        "校验",
        "不一致",
        "没有登记名为 赵六",
        "请填写身份证号或所在单位",
        "没有名为“城东村”",
        "不是整数",
    ):
        assert word in text, word
    assert messages[6][1].replace(str(b.pk), "") == messages[7][1].replace(str(MISSING), "")
    assert Attendance.objects.filter(session=s).count() == 2


def test_a_clean_file_imports_all_or_nothing_and_again_changes_nothing(sessions):
    s = sessions.session_a
    rows = [[s.pk, "王丽", None, "西门社区"], [s.pk, "林秀英", LIN_ID, None], [s.pk, "刘淑芬", None, "黄墩街道"]]
    importer = AttendanceImporter(sessions.users.editor_a, sessions.tree.county_a).read(workbook(rows))
    assert importer.problems == [] and importer.summary() == {"sessions": 1, "attendances": 3}
    assert importer.commit() == 2  # 林秀英 was there already
    assert s.attendances.count() == 4
    again = AttendanceImporter(sessions.users.editor_a, sessions.tree.county_a).read(workbook(rows))
    assert again.commit() == 0
    # A session closed between the check and the commit: refused at its row, nothing saved.
    late = AttendanceImporter(sessions.users.editor_a, sessions.tree.county_a).read(
        workbook([[s.pk, "黄春燕", None, "西门社区"], [s.pk, "张芳", None, "黄墩社区"]])
    )
    TrainingSession.objects.filter(pk=s.pk).update(closed_on="2024-06-01")
    with pytest.raises(ImportRefusedError):
        late.commit()
    assert s.attendances.count() == 4


def test_the_import_pages_run_the_shared_job(client, sessions, settings):
    client.force_login(sessions.users.editor_a)
    url = reverse("executives:training_import", args=[sessions.tree.county_a.pk])
    page = client.get(url, {"session": sessions.session_a.pk}).content.decode()
    assert reverse("executives:training_template", args=[sessions.session_a.pk]) in page
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("参训.xlsx", workbook([[sessions.session_a.pk, "王丽", None, "西门社区"]]))
    response = client.post(url, {"file": upload}, follow=True)
    assert "检查通过" in response.content.decode()
    job = response.context["job"]
    client.post(reverse("import_job", args=[job.pk]), {"action": "confirm"})
    assert sessions.session_a.attendances.filter(person__name="王丽").exists()
