"""/api/register/organizations/ and /api/units/<id>/register/rule/: the page's filters, writes through the
services (version, history), Chinese errors with nothing saved, and another county's ids answering like
missing ones."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from federation.models import ChangeRecord
from register.models import BuildRule, Organization
from tests.register.world import build, org

URL = "/api/register/organizations/"


@pytest.fixture
def world(tree, users):
    return build(tree, users)


def names(response):
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["results"])


@pytest.mark.django_db
def test_the_list_is_the_requesters_subtree_with_the_pages_filters(tree, users, world, api):
    client = api(users.editor_a)
    assert "潭城商贸" not in names(client.get(URL)) and "已关停工厂" in names(client.get(URL))
    assert names(client.get(URL + "?status=should_build&state=current")) == ["延平区教育局", "食品公司"]
    assert names(client.get(URL + "?status=built")) == ["万达广场", "中心市场"]
    assert names(client.get(URL + f"?unit={tree.county_a.pk}")) == ["延平区教育局"]
    assert names(client.get(URL + f"?area={tree.township_a.pk}&kind=enterprise&state=current")) == [
        "汽修厂",
        "食品公司",
    ]
    assert names(client.get(URL + f"?committee={world.committee.pk}")) == ["万达广场", "中心市场"]
    # another county's unit as a filter: refused like a unit that does not exist
    other = client.get(URL + f"?area={tree.county_b.pk}")
    missing = client.get(URL + "?area=999999")
    assert other.status_code == missing.status_code == 400
    city = api(users.viewer).get(URL + "?kind=agency&state=current").json()
    assert city["count"] == 5


@pytest.mark.django_db
def test_another_countys_organization_answers_like_a_missing_one(tree, users, world, api):
    client = api(users.editor_a)
    for method, suffix, data in (
        ("get", "", None),
        ("patch", "", {"name": "改名"}),
        ("post", "close/", {"closed_on": "2025-01-01"}),
    ):
        other = getattr(client, method)(f"{URL}{world.b_org.pk}/{suffix}", data, format="json")
        missing = getattr(client, method)(f"{URL}999999/{suffix}", data, format="json")
        assert other.status_code == missing.status_code == 404 and other.json() == missing.json(), (method, suffix)
    rule = client.get(f"/api/units/{tree.county_b.pk}/register/rule/")
    assert rule.status_code == 404 and rule.json() == client.get("/api/units/999999/register/rule/").json()
    assert (
        client.put(f"/api/units/{tree.county_b.pk}/register/rule/", {"min_women": 1}, format="json").status_code == 404
    )
    world.b_org.refresh_from_db()
    assert world.b_org.name == "潭城商贸" and world.b_org.closed_on is None


@pytest.mark.django_db
def test_create_update_with_the_version_and_close(tree, users, world, api):
    client = api(users.editor_a)
    created = client.post(
        URL,
        {
            "unit": tree.township_a.pk,
            "name": "黄墩物流园",
            "kind": "new_domain",
            "subtype": "park",
            "has_party_org": True,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["should_build"] and body["status"] == "should_build" and body["version"] == 1
    pk = body["id"]
    changed = client.patch(
        f"{URL}{pk}/", {"committee": world.committee.pk, "version": body["version"]}, format="json"
    ).json()
    assert changed["status"] == "built" and changed["committee"] == world.committee.pk
    stale = client.patch(f"{URL}{pk}/", {"name": "过期", "version": body["version"]}, format="json")
    assert stale.status_code == 409 and stale.json()["current"]["name"] == "黄墩物流园"
    closed = client.post(f"{URL}{pk}/close/", {"closed_on": "2025-06-30", "version": changed["version"]}, format="json")
    assert closed.status_code == 200 and closed.json()["closed_on"] == "2025-06-30"
    assert ChangeRecord.objects.filter(object_id=str(pk)).count() == 3


@pytest.mark.django_db
def test_bad_input_is_a_chinese_400_and_nothing_is_saved(tree, users, world, api):
    client = api(users.editor_a)
    before = Organization.objects.count()
    for data, field in (
        ({"name": "甲", "kind": "enterprise", "credit_code": "91350100M000100Y42"}, "credit_code"),
        ({"name": "乙", "kind": "agency"}, "subtype"),
        ({"name": "丙", "kind": "enterprise", "committee": world.city_committee.pk}, "committee"),
        ({"name": "丁", "kind": "enterprise", "requirement": "not_required"}, "not_required_reason"),
    ):
        response = client.post(URL, {"unit": tree.township_a.pk, **data}, format="json")
        assert response.status_code == 400, (data, response.content)
        errors = response.json()[field]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in "".join(errors)), errors
    foreign_unit = client.post(URL, {"unit": tree.township_b.pk, "name": "戊", "kind": "enterprise"}, format="json")
    assert foreign_unit.status_code == 400 and "unit" in foreign_unit.json()
    viewer = api(users.viewer).post(
        URL, {"unit": tree.township_a.pk, "name": "己", "kind": "enterprise"}, format="json"
    )
    assert viewer.status_code == 403
    assert Organization.objects.count() == before


@pytest.mark.django_db
def test_the_rule_is_read_and_set_telling_how_many_changed(tree, users, world, api):
    client = api(users.admin_a)
    url = f"/api/units/{tree.county_a.pk}/register/rule/"
    shown = client.get(url).json()
    assert shown["from"] is None and shown["min_women"] == 10 and shown["version"] == 0
    stale = client.put(url, {"min_women": 3, "version": 4}, format="json")  # she saw a rule there is not
    assert stale.status_code == 409 and stale.json()["current"]["version"] == 0, stale.json()
    assert not BuildRule.objects.exists()
    done = client.put(url, {"min_women": 3, "version": 0}, format="json")
    assert done.status_code == 200 and done.json()["changed"] == 1 and done.json()["from"] == tree.county_a.pk
    bad = client.put(url, {"vice_patron_from": 500, "version": 1}, format="json")
    assert bad.status_code == 400 and "vice_patron_from" in bad.json()
    assert BuildRule.objects.get(unit=tree.county_a).vice_patron_from == 30
    assert client.get(f"/api/units/{tree.township_a.pk}/register/rule/").status_code == 400
    assert api(users.viewer).put(url, {"min_women": 1}, format="json").status_code == 403


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_whatever_its_rows(tree, users, world, api):
    client = api(users.editor_a)
    client.get(URL)
    with CaptureQueriesContext(connection) as before:
        assert client.get(URL).status_code == 200
    for i in range(8):
        org(users.editor_a, tree.township_a, f"新企业{i}", has_party_org=True)
    with CaptureQueriesContext(connection) as after:
        assert client.get(URL).json()["count"] == 15
    assert len(after) == len(before)
