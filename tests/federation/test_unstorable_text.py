"""Text the database cannot store (NUL, lone surrogates) is a 400 in Chinese on every page and API
view, wherever it comes in; PostgreSQL used to answer with a DataError (a 500)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding.models import FundingRecord
from orgtree.models import Person, Unit
from tests.reform.test_problems_tasks import PDF

MESSAGE = "请求中含有空字符"


def test_nul_in_a_json_body_is_a_chinese_400(api, tree, users):
    client = api(users.editor_a)
    response = client.post("/api/people/", {"unit": tree.village_a1.pk, "name": "林\x00秀英"}, format="json")
    assert response.status_code == 400 and MESSAGE in response.json()["detail"]
    assert not Person.objects.exists()
    response = client.post(
        "/api/people/", f'{{"unit": {tree.village_a1.pk}, "name": "\\ud946林"}}', content_type="application/json"
    )
    assert response.status_code == 400
    nested = {"unit": tree.village_a1.pk, "name": "林秀英", "tags": ["教\x00师"]}
    assert client.post("/api/people/", nested, format="json").status_code == 400


def test_nul_in_the_query_string_or_a_multipart_patch_is_a_400(api, tree, users):
    client = api(users.editor_a)
    response = client.get("/api/units/?q=%00")
    assert response.status_code == 400 and MESSAGE in response.json()["detail"]
    person = Person.objects.create(unit=tree.village_a1, name="林秀英")
    assert client.patch(f"/api/people/{person.pk}/", {"name": "林\x00"}, format="multipart").status_code == 400
    assert client.patch(f"/api/people/{person.pk}/", {"name": "林秀"}, format="multipart").status_code == 200


def test_nul_in_a_page_form_is_a_400_and_changes_nothing(client, tree, users):
    client.force_login(users.editor_a)
    response = client.post(
        reverse("orgtree:unit_create", args=[tree.township_a.pk]), {"kind": "community", "name": "新建\x00社区"}
    )
    assert response.status_code == 400 and MESSAGE in response.content.decode()
    assert not Unit.objects.filter(name__startswith="新建").exists()
    assert client.get(reverse("orgtree:unit_list"), {"q": "黄\x00"}).status_code == 400


def test_file_contents_may_hold_nul_bytes(client, tree, users):
    client.force_login(users.editor_a)
    response = client.post(
        reverse("funding:funding", args=[tree.township_a.pk]),
        {
            "action": "record",
            "year": 2025,
            "category": "work_funds",
            "source": "same_level_budget",
            "budgeted": "30000",
            "document": SimpleUploadedFile("预算批复.pdf", PDF + b"\x00\x00"),
        },
    )
    assert response.status_code == 302 and FundingRecord.objects.filter(unit=tree.township_a).exists()
