"""/api/units/: filters, writes through the services, scope on every endpoint, JSON errors in Chinese."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orgtree.models import Unit


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_anonymous_gets_401(tree):
    assert APIClient().get("/api/units/").status_code == 401


def test_token_auth_works(tree, users):
    token = Token.objects.create(user=users.editor_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/units/").status_code == 200


def test_a_token_is_issued_for_a_username_and_password(tree, users):
    response = APIClient().post("/api/token/", {"username": "editor_a", "password": "pw-editor_a"})
    assert response.status_code == 200 and response.json()["token"]
    assert APIClient().post("/api/token/", {"username": "editor_a", "password": "wrong"}).status_code == 400


def test_list_is_scoped_and_paginated(api, tree, users):
    response = api(users.editor_a).get("/api/units/")
    assert response.json()["count"] == 5
    assert tree.village_b1.pk not in ids(response)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "village"}, {"上坪村", "城东村"}),
        ({"code": "350703"}, {"建阳区"}),
        ({"q": "黄墩"}, {"黄墩街道", "黄墩社区"}),
        ({"form": "working_committee"}, {"南平市直机关妇工委"}),
    ],
)
def test_filters(api, tree, users, params, expected):
    response = api(users.viewer).get("/api/units/", params)
    assert {r["name"] for r in response.json()["results"]} == expected


def test_within_and_parent_filters(api, tree, users):
    client = api(users.viewer)
    within = client.get("/api/units/", {"within": tree.township_a.pk})
    assert {r["name"] for r in within.json()["results"]} == {"黄墩街道", "黄墩社区", "西门社区", "上坪村"}
    children = client.get("/api/units/", {"parent": tree.county_a.pk})
    assert {r["name"] for r in children.json()["results"]} == {"黄墩街道"}


def test_within_a_unit_outside_the_scope_is_400_not_a_leak(api, tree, users):
    response = api(users.editor_a).get("/api/units/", {"within": tree.county_b.pk})
    missing = api(users.editor_a).get("/api/units/", {"within": 987654})
    assert response.status_code == missing.status_code == 400
    assert response.json() == missing.json()


def test_bad_filter_values_are_400(api, tree, users):
    assert api(users.viewer).get("/api/units/", {"within": "abc"}).status_code == 400
    assert api(users.viewer).get("/api/units/", {"kind": "planet"}).status_code == 400


def test_detail_of_another_county_is_404(api, tree, users):
    client = api(users.editor_a)
    assert client.get(f"/api/units/{tree.village_b1.pk}/").status_code == 404
    assert client.patch(f"/api/units/{tree.village_b1.pk}/", {"name": "越界"}).status_code == 404
    assert client.post(f"/api/units/{tree.village_b1.pk}/close/", {"closed_on": "2024-01-01"}).status_code == 404
    assert client.get(f"/api/units/{tree.village_a1.pk}/").status_code == 200


def test_create_under_another_county_is_refused(api, tree, users):
    response = api(users.editor_a).post(
        "/api/units/", {"parent": tree.township_b.pk, "kind": "village", "name": "越界村"}
    )
    assert response.status_code == 400
    assert "parent" in response.json()
    assert not Unit.objects.filter(name="越界村").exists()


def test_viewer_cannot_write(api, tree, users):
    client = api(users.viewer)
    assert client.patch(f"/api/units/{tree.village_a1.pk}/", {"name": "改"}).status_code == 403
    assert client.post(f"/api/units/{tree.village_a1.pk}/close/", {"closed_on": "2024-01-01"}).status_code == 403
    assert (
        client.post("/api/units/", {"parent": tree.township_a.pk, "kind": "village", "name": "新"}).status_code == 400
    )
    assert Unit.objects.get(pk=tree.village_a1.pk).name == "黄墩社区"


def test_delete_is_not_allowed(api, tree, users):
    assert api(users.root).delete(f"/api/units/{tree.village_a1.pk}/").status_code == 405


def test_create_update_close(api, tree, users):
    client = api(users.editor_a)
    response = client.post(
        "/api/units/", {"parent": tree.township_a.pk, "kind": "community", "name": "接口社区", "code": "350702003008"}
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    response = client.patch(f"/api/units/{pk}/", {"name": "接口社区二", "version": 1})
    assert response.status_code == 200 and response.json()["version"] == 2
    response = client.post(f"/api/units/{pk}/close/", {"closed_on": "2025-06-30"})
    assert response.status_code == 200 and response.json()["closed_on"] == "2025-06-30"


def test_rule_violations_are_400_with_chinese_messages(api, tree, users):
    client = api(users.editor_a)
    response = client.post("/api/units/", {"parent": tree.county_a.pk, "kind": "village", "name": "错位村"})
    assert response.status_code == 400
    assert "不能" in " ".join(response.json()["parent"])
    response = client.post(
        "/api/units/", {"parent": tree.township_a.pk, "kind": "community", "name": "重复", "code": "350702003001"}
    )
    assert response.status_code == 400 and "黄墩社区" in " ".join(response.json()["code"])
    response = client.post(f"/api/units/{tree.township_a.pk}/close/", {"closed_on": "2024-01-01"})
    assert response.status_code == 400
    response = client.post(f"/api/units/{tree.village_a1.pk}/close/", {"closed_on": "不是日期"})
    assert response.status_code == 400 and "日期" in str(response.json())


def test_garbage_input_is_400_never_500(api, tree, users):
    client = api(users.editor_a)
    for payload in ({}, {"kind": "x" * 500}, {"parent": "abc"}, {"opened_on": "2024-13-45"}):
        assert client.post("/api/units/", payload, format="json").status_code == 400
    assert client.post("/api/units/", "not json", content_type="application/json").status_code == 400


def test_stale_version_is_409_with_current_values(api, tree, users):
    api(users.admin_a).patch(f"/api/units/{tree.village_a1.pk}/", {"name": "先改"})
    response = api(users.editor_a).patch(f"/api/units/{tree.village_a1.pk}/", {"name": "后改", "version": 1})
    assert response.status_code == 409
    assert response.json()["current"]["name"] == "先改"


def test_moving_through_the_api_stays_in_scope(api, tree, users):
    client = api(users.editor_a)
    township = client.post(
        "/api/units/", {"parent": tree.county_a.pk, "kind": "township", "name": "樟湖镇", "code": "350702100"}
    ).json()
    response = client.patch(f"/api/units/{tree.village_a3.pk}/", {"parent": township["id"]})
    assert response.status_code == 200 and response.json()["parent"] == township["id"]
    response = client.patch(f"/api/units/{tree.village_a3.pk}/", {"parent": tree.township_b.pk})
    assert response.status_code == 400


def test_list_query_count_is_constant(tree, users, django_assert_num_queries):
    from tests.conftest import make

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=users.viewer).key}")
    client.get("/api/units/")
    with django_assert_num_queries(4):  # token + user, scopes, count, page
        client.get("/api/units/")
    for i in range(5):
        make(tree.township_b, "village", f"加村{i}", f"35070300130{i}")
    with django_assert_num_queries(4):
        client.get("/api/units/")


def test_schema_and_docs_are_served(api, users, tree):
    client = api(users.viewer)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
