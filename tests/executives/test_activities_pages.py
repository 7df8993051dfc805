"""Activities and points pages and API: scope (county A gets 404 on county B's objects, the same answer as
for an id of nothing, and cannot write them), writes through the pages and the API (bad input in Chinese,
nothing saved), the Excel export through the formula-safe writer, and the pages' query counts."""

import io
import json
import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from executives import activities
from executives.models import Activity, Evaluation, PointsRule
from federation.models import Role
from tests.conftest import scoped_user
from tests.executives.test_activities import DAY, PNG, YEAR, kind, record, seat

MISSING = 987654321


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def w(tree, users):
    t = tree
    ns = SimpleNamespace(tree=t, users=users)
    ns.fang = seat(t.village_a1, "王芳")
    ns.hong = seat(t.township_a, "黄红", role="chair")
    ns.bing = seat(t.village_b1, "林冰")
    ns.city_editor = scoped_user("city_editor", t.city, Role.EDITOR)
    ns.township_editor = scoped_user("township_editor", t.township_a, Role.EDITOR)
    ns.village_editor = scoped_user("village_editor", t.village_a1, Role.EDITOR)
    activities.set_rules(ns.city_editor, t.city, YEAR, {kind("走访慰问"): 3})
    activities.set_rules(ns.users.editor_a, t.county_a, YEAR, {kind("走访慰问"): 5})
    ns.rule_b = activities.set_rules(ns.city_editor, t.county_b, YEAR, {kind("宣传宣讲"): 4})[0]
    ns.activity_a = record(ns, t.village_a1, ns.fang, photo=SimpleUploadedFile("合影.png", PNG))
    ns.activity_b = record(ns, t.village_b1, ns.bing, user=users.editor_b, photo=SimpleUploadedFile("b.png", PNG))
    ns.evaluation_b = activities.evaluate(users.editor_b, t.village_b1, ns.bing, YEAR, "competent")
    return ns


def blanked(response, pk):
    text = response.content.decode() if response.content else ""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text).replace(f"/{pk}/", "/<id>/")
    return re.sub(rf"(?<![\d:/-]){pk}(?![\d:/-])", "<id>", text)


def blanked_value(response, pk):
    """The id where a form or a message shows it, not inside the page's links (the oracle tests' rule)."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return re.sub(rf"(?<![\d:/-]){pk}(?![\d:/-])", "<id>", text)


def same_as_missing(client, method, url_of, outside, body=None):
    foreign = getattr(client, method)(url_of(outside), body or {})
    missing = getattr(client, method)(url_of(MISSING), body or {})
    assert foreign.status_code == missing.status_code == 404, (url_of(outside), foreign.status_code)
    assert blanked(foreign, outside) == blanked(missing, MISSING)


# --- scope: every page and endpoint ---------------------------------------------------------------------


def unit_pages(w):
    return [
        (lambda pk: reverse("executives:activities", args=[pk]), w.tree.county_b.pk),
        (lambda pk: reverse("executives:activities", args=[pk]), w.tree.village_b1.pk),
        (lambda pk: reverse("executives:activity_create", args=[pk]), w.tree.village_b1.pk),
        (lambda pk: reverse("executives:points_rules", args=[pk]), w.tree.county_b.pk),
        (lambda pk: reverse("executives:ranking", args=[pk]), w.tree.county_b.pk),
        (lambda pk: reverse("executives:ranking", args=[pk]) + "?export=xlsx", w.tree.county_b.pk),
        (lambda pk: reverse("executives:evaluation", args=[pk, w.bing.pk]), w.tree.village_b1.pk),
        (lambda pk: reverse("executives:evaluation", args=[w.tree.village_b1.pk, pk]), w.bing.pk),
        (lambda pk: reverse("executives:activity", args=[pk]), w.activity_b.pk),
        (lambda pk: reverse("executives:activity_photo", args=[pk]), w.activity_b.pk),
    ]


def test_every_page_answers_county_b_like_nothing(client, w):
    client.force_login(w.users.editor_a)
    for url_of, outside in unit_pages(w):
        same_as_missing(client, "get", url_of, outside)
    # ...and nothing can be written there either.
    good = {"activity_type": kind("走访慰问").pk, "held_on": DAY.isoformat(), "place": "村委会", "participants": 9}
    same_as_missing(
        client, "post", lambda pk: reverse("executives:activity_create", args=[pk]), w.tree.village_b1.pk, good
    )
    correct = {"action": "correct", "version": w.activity_b.version, **good}
    same_as_missing(client, "post", lambda pk: reverse("executives:activity", args=[pk]), w.activity_b.pk, correct)
    rules = {"action": "rules", "from_year": YEAR, f"points_{kind('走访慰问').pk}": 9}
    same_as_missing(client, "post", lambda pk: reverse("executives:points_rules", args=[pk]), w.tree.county_b.pk, rules)
    grade = {"action": "evaluate", "grade": "incompetent"}
    same_as_missing(
        client, "post", lambda pk: reverse("executives:evaluation", args=[pk, w.bing.pk]), w.tree.village_b1.pk, grade
    )
    assert Activity.objects.count() == 2 and PointsRule.objects.filter(points=9).count() == 0
    assert Evaluation.objects.get().grade == "competent"


def test_every_endpoint_answers_county_b_like_nothing(api, w):
    client = api(w.users.editor_a)
    for base, outside in [
        ("/api/activities/", w.activity_b.pk),
        ("/api/points-rules/", w.rule_b.pk),
        ("/api/evaluations/", w.evaluation_b.pk),
    ]:
        same_as_missing(client, "get", lambda pk, base=base: f"{base}{pk}/", outside)
    same_as_missing(client, "get", lambda pk: f"/api/units/{pk}/ranking/", w.tree.county_b.pk)
    same_as_missing(client, "patch", lambda pk: f"/api/activities/{pk}/", w.activity_b.pk, {"participants": 1})
    same_as_missing(client, "post", lambda pk: f"/api/activities/{pk}/photo/", w.activity_b.pk)
    listed = client.get("/api/activities/").json()["results"]
    assert [a["id"] for a in listed] == [w.activity_a.pk]
    assert {r["unit"] for r in client.get("/api/points-rules/").json()["results"]} == {w.tree.county_a.pk}
    assert client.get("/api/evaluations/").json()["results"] == []
    assert Activity.objects.get(pk=w.activity_b.pk).participants == 10


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (
            "/api/activities/",
            lambda w, x: {
                "unit": x,
                "activity_type": kind("走访慰问").pk,
                "held_on": str(DAY),
                "place": "礼堂",
                "participants": 5,
            },
            "unit",
        ),
        (
            "/api/activities/",
            lambda w, x: {
                "unit": w.tree.village_a1.pk,
                "person": x,
                "activity_type": kind("走访慰问").pk,
                "held_on": str(DAY),
                "place": "礼堂",
                "participants": 5,
            },
            "person",
        ),
        (
            "/api/points-rules/",
            lambda w, x: {"unit": x, "activity_type": kind("其他").pk, "from_year": YEAR, "points": 1},
            "unit",
        ),
        (
            "/api/evaluations/",
            lambda w, x: {"unit": x, "person": w.bing.pk, "year": YEAR, "grade": "excellent"},
            "unit",
        ),
    ],
)
def test_an_id_in_county_b_is_refused_like_no_object(api, w, url, body, field):
    client = api(w.users.editor_a)
    outside = w.tree.village_b1.pk if field == "unit" and "activities" in url else None
    outside = outside or (w.tree.county_b.pk if "points" in url else None)
    outside = outside or (w.tree.village_b1.pk if "evaluations" in url else w.bing.pk)
    foreign = post_json(client, url, body(w, outside))
    missing = post_json(client, url, body(w, MISSING))
    assert foreign.status_code == missing.status_code == 400
    assert blanked(foreign, outside) == blanked(missing, MISSING)


# --- writes through the pages ------------------------------------------------------------------------


def test_an_editor_records_an_activity_on_her_phone(client, w):
    client.force_login(w.users.editor_a)
    url = reverse("executives:activity_create", args=[w.tree.village_a1.pk])
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'type="date"' in page and 'inputmode="numeric"' in page
    bad = client.post(url, {"activity_type": kind("走访慰问").pk, "held_on": DAY.isoformat(), "participants": "-3"})
    assert bad.status_code == 200 and Activity.objects.count() == 2
    text = bad.content.decode()
    assert "大于或等于" in text and "Ensure" not in text  # Django's own message, in Chinese
    missing_place = client.post(
        url,
        {"activity_type": kind("走访慰问").pk, "held_on": DAY.isoformat(), "participants": "3", "person": w.fang.pk},
    )
    assert "请填写地点，或选择服务阵地。" in missing_place.content.decode() and Activity.objects.count() == 2
    done = client.post(
        url,
        {
            "activity_type": kind("走访慰问").pk,
            "held_on": DAY.isoformat(),
            "participants": "30",
            "person": w.fang.pk,
            "place": "村文化礼堂",
            "photo": SimpleUploadedFile("活动.png", PNG),
        },
    )
    assert done.status_code == 302
    activity = Activity.objects.latest("pk")
    assert (activity.person, activity.participants, activity.photo_name) == (w.fang, 30, "活动.png")


def test_a_correction_through_the_page_is_in_the_history(client, w):
    client.force_login(w.users.editor_a)
    url = reverse("executives:activity", args=[w.activity_a.pk])
    data = {
        "action": "correct",
        "version": w.activity_a.version,
        "activity_type": kind("宣传宣讲").pk,
        "held_on": DAY.isoformat(),
        "place": "村委会",
        "participants": 11,
        "person": w.fang.pk,
    }
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "participants": 12})
    assert stale.status_code == 200 and Activity.objects.get(pk=w.activity_a.pk).participants == 11
    page = client.get(url).content.decode()
    assert "10 → 11" in page and "走访慰问 → 宣传宣讲" in page


def test_rules_are_set_on_the_page_by_a_county_and_only_shown_below(client, w):
    client.force_login(w.users.editor_a)
    county = reverse("executives:points_rules", args=[w.tree.county_a.pk])
    assert 'value="rules"' in client.get(county).content.decode()
    bad = client.post(county, {"action": "rules", "from_year": YEAR, f"points_{kind('其他').pk}": "500"})
    assert bad.status_code == 200 and not PointsRule.objects.filter(activity_type=kind("其他")).exists()
    assert (
        client.post(county, {"action": "rules", "from_year": YEAR, f"points_{kind('其他').pk}": "2"}).status_code == 302
    )
    assert PointsRule.objects.get(activity_type=kind("其他")).points == 2
    township = client.get(reverse("executives:points_rules", args=[w.tree.township_a.pk])).content.decode()
    assert 'value="rules"' not in township and "延平区" in township  # the county's rule, shown where it comes from
    refused = client.post(
        reverse("executives:points_rules", args=[w.tree.township_a.pk]),
        {"action": "rules", "from_year": YEAR, f"points_{kind('其他').pk}": "4"},
    )
    assert refused.status_code == 403


def test_the_evaluation_page_is_the_managing_levels(client, w):
    village_page = reverse("executives:evaluation", args=[w.tree.village_a1.pk, w.fang.pk]) + f"?year={YEAR}"
    township_page = reverse("executives:evaluation", args=[w.tree.township_a.pk, w.hong.pk]) + f"?year={YEAR}"
    client.force_login(w.township_editor)
    assert client.get(township_page).status_code == 403  # her own committee: the county evaluates it
    assert client.post(township_page, {"action": "evaluate", "grade": "excellent"}).status_code == 403
    assert client.get(village_page).status_code == 200
    bad = client.post(village_page, {"action": "evaluate", "grade": "superb"})
    assert bad.status_code == 200 and not Evaluation.objects.filter(person=w.fang).exists()
    assert client.post(village_page, {"action": "evaluate", "grade": "excellent"}).status_code == 302
    client.force_login(w.village_editor)
    assert client.get(village_page).status_code == 403
    client.force_login(w.users.editor_a)
    ranking = client.get(reverse("executives:ranking", args=[w.tree.township_a.pk])).content.decode()
    assert village_page.split("?")[0] in ranking and township_page.split("?")[0] in ranking and "优秀" in ranking
    client.force_login(w.township_editor)
    ranking = client.get(reverse("executives:ranking", args=[w.tree.township_a.pk])).content.decode()
    assert village_page.split("?")[0] in ranking and township_page.split("?")[0] not in ranking


def test_a_viewer_sees_the_pages_without_forms(client, w):
    client.force_login(w.users.viewer)
    for url in [
        reverse("executives:activities", args=[w.tree.village_a1.pk]),
        reverse("executives:points_rules", args=[w.tree.city.pk]),
        reverse("executives:ranking", args=[w.tree.county_a.pk]),
        reverse("executives:activity", args=[w.activity_a.pk]),
    ]:
        page = client.get(url).content.decode()
        assert 'method="post"' not in page.split("<main>", 1)[1], url
        assert reverse("executives:activity_create", args=[w.tree.village_a1.pk]) not in page
    assert client.get(reverse("executives:activity_create", args=[w.tree.village_a1.pk])).status_code == 403
    assert client.get(reverse("executives:activity_photo", args=[w.activity_a.pk])).status_code == 200


# --- the API ---------------------------------------------------------------------------------------


def test_the_api_records_corrects_and_evaluates(api, w):
    client = api(w.users.editor_a)
    body = {
        "unit": w.tree.village_a1.pk,
        "person": w.fang.pk,
        "activity_type": kind("走访慰问").pk,
        "held_on": str(DAY),
        "place": "礼堂",
        "participants": 20,
    }
    created = post_json(client, "/api/activities/", body)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    bad = post_json(client, "/api/activities/", {**body, "place": "", "participants": 200_000})
    assert bad.status_code == 400 and set(bad.json()) >= {"participants"}
    patched = client.patch(f"/api/activities/{pk}/", {"participants": 25, "version": 1}, format="json")
    assert patched.status_code == 200 and patched.json()["participants"] == 25
    assert client.patch(f"/api/activities/{pk}/", {"participants": 26, "version": 1}, format="json").status_code == 409
    photo = client.post(f"/api/activities/{pk}/photo/", {"photo": SimpleUploadedFile("p.png", PNG)}, format="multipart")
    assert photo.status_code == 200 and photo.json()["photo"] == "p.png"
    grade = {"unit": w.tree.village_a1.pk, "person": w.fang.pk, "year": YEAR, "grade": "excellent"}
    assert post_json(api(w.village_editor), "/api/evaluations/", grade).status_code == 403
    assert post_json(client, "/api/evaluations/", grade).status_code == 201
    ranking = client.get(f"/api/units/{w.tree.county_a.pk}/ranking/", {"year": YEAR}).json()
    fang = next(r for r in ranking["executives"] if r["person"] == w.fang.pk)
    assert (fang["points"], fang["grade"], fang["rank"]) == (10, "excellent", 1)
    assert ranking["grades"]["excellent"] == 1
    assert client.get(f"/api/units/{w.tree.village_a1.pk}/ranking/").status_code == 404  # townships and counties
    rule = post_json(
        client,
        "/api/points-rules/",
        {"unit": w.tree.county_a.pk, "activity_type": kind("其他").pk, "from_year": YEAR, "points": 2},
    )
    assert rule.status_code == 201 and rule.json()["points"] == 2
    township_rule = {"unit": w.tree.township_a.pk, "activity_type": kind("其他").pk, "from_year": YEAR, "points": 2}
    assert post_json(client, "/api/points-rules/", township_rule).status_code == 400
    nothing = post_json(
        client,
        "/api/points-rules/",
        {**township_rule, "unit": w.tree.county_a.pk, "activity_type": kind("家庭教育").pk, "points": None},
    )
    assert nothing.status_code == 400 and nothing.json() == {"points": ["请填写积分。"]}
    assert len(client.get("/api/activity-types/").json()) == 7


# --- the export -------------------------------------------------------------------------------------


def test_the_ranking_export_goes_through_the_formula_safe_writer(client, w, monkeypatch):
    import federation.workbook

    written = []
    real = federation.workbook.Workbook.to_bytes

    def spy(self):
        written.append(self)
        return real(self)

    monkeypatch.setattr(federation.workbook.Workbook, "to_bytes", spy)
    seat(w.tree.village_a1, "=HYPERLINK(1)")
    client.force_login(w.users.editor_a)
    response = client.get(reverse("executives:ranking", args=[w.tree.county_a.pk]), {"export": "xlsx", "year": YEAR})
    assert response.status_code == 200 and len(written) == 1
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row if c.value == "=HYPERLINK(1)"]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert [c.value for c in book.worksheets[1]["A"]][1:] == ["优秀", "称职", "基本称职", "不称职", "未评定"]


# --- query counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "unit", "queries"),
    [
        ("executives:activities", "county_a", 12),
        ("executives:activities", "village_a1", 13),
        ("executives:ranking", "county_a", 11),
        ("executives:points_rules", "county_a", 10),
        ("executives:activity_create", "village_a1", 11),
    ],
)
def test_the_pages_take_a_fixed_number_of_queries(client, w, django_assert_num_queries, name, unit, queries):
    client.force_login(w.users.editor_a)
    url = reverse(name, args=[getattr(w.tree, unit).pk])
    client.get(url)
    for n in range(4):  # more rows do not mean more queries
        person = seat(w.tree.village_a2, f"新执委{n}")
        record(w, w.tree.village_a2, person)
        activities.evaluate(w.users.editor_a, w.tree.village_a2, person, YEAR, "competent")
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_the_activity_page_takes_a_fixed_number_of_queries(client, w, django_assert_num_queries):
    client.force_login(w.users.editor_a)
    url = reverse("executives:activity", args=[w.activity_a.pk])
    client.get(url)
    with django_assert_num_queries(14):  # the correction form's choices and the history's names included
        client.get(url)


def test_a_long_ranking_shows_its_head_and_says_so(client, w, monkeypatch):
    from executives.views.activities import RankingView

    monkeypatch.setattr(RankingView, "shown", 1)
    client.force_login(w.users.editor_a)
    page = client.get(reverse("executives:ranking", args=[w.tree.county_a.pk])).content.decode()
    assert "显示前 1 名（共 2 名执委）" in page and page.split("<tbody>")[1].count("<tr>") == 1


def test_a_page_form_and_a_filter_answer_an_id_in_county_b_like_no_object(client, api, w):
    from orgtree.models import ServicePosition

    position_b = ServicePosition.objects.create(unit=w.tree.village_b1, kind="womens_home")
    client.force_login(w.users.editor_a)
    url = reverse("executives:activity_create", args=[w.tree.village_a1.pk])
    base = {"activity_type": kind("走访慰问").pk, "held_on": DAY.isoformat(), "participants": 5, "place": "礼堂"}
    for field, outside in [("person", w.bing.pk), ("position", position_b.pk)]:
        foreign = client.post(url, {**base, field: outside})
        missing = client.post(url, {**base, field: MISSING})
        assert foreign.status_code == missing.status_code == 200
        errors = [
            re.findall(r'<p class="error">(.*?)</p>', blanked_value(r, pk))
            for r, pk in ((foreign, outside), (missing, MISSING))
        ]
        assert errors[0] == errors[1] and len(errors[0]) == 1, errors
    assert Activity.objects.count() == 2
    listing = api(w.users.editor_a)
    for name, outside in [("person", w.bing.pk), ("unit", w.tree.village_b1.pk)]:
        foreign = listing.get("/api/activities/", {name: outside})
        missing = listing.get("/api/activities/", {name: MISSING})
        assert foreign.status_code == missing.status_code == 400
        assert blanked_value(foreign, outside) == blanked_value(missing, MISSING)


def test_the_evaluation_page_and_the_api_lists_take_a_fixed_number_of_queries(
    client, api, w, django_assert_num_queries
):
    client.force_login(w.users.editor_a)
    url = reverse("executives:evaluation", args=[w.tree.village_a1.pk, w.fang.pk]) + f"?year={YEAR}"
    client.get(url)
    with django_assert_num_queries(10):
        assert client.get(url).status_code == 200
    listing = api(w.users.editor_a)
    for n in range(3):
        person = seat(w.tree.village_a2, f"新执委{n}")
        record(w, w.tree.village_a2, person)
        activities.evaluate(w.users.editor_a, w.tree.village_a2, person, YEAR, "competent")
    listing.get("/api/activities/")  # her scopes, read once per user
    for endpoint in ("/api/activities/", "/api/evaluations/", "/api/points-rules/"):
        with django_assert_num_queries(2):  # the count and the page
            assert listing.get(endpoint).status_code == 200
    with django_assert_num_queries(6):  # the unit, its ancestors, the rules, offices, activities, evaluations
        assert listing.get(f"/api/units/{w.tree.county_a.pk}/ranking/").status_code == 200
