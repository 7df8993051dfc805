"""Contact-with-women API: scoped lists (404 across counties like an id of nothing), ids given looked
up through the scope, versions (409), masking for viewers, erasure, the unit's figures, query counts,
and the demo loader."""

import datetime
import json

import pytest

from executives import contacts
from executives.contacts_demo import demo_contacts
from executives.models import ContactList, ContactVisit, NamedContact
from federation.models import ChangeRecord
from tests.executives import contacts_world
from tests.federation.test_oracles import MISSING, blanked, send

world = contacts_world.world  # the fixture


@pytest.fixture
def filled(world):
    editor, editor_b = world.users.editor_a, world.users.editor_b
    world.list_a = contacts.save_contact_list(editor, world.chair_a1, {"difficulty": 3, "other": 9})[0]
    world.visit_a = contacts.log_visit(editor, world.chair_a1, date=datetime.date(2025, 2, 1), way="phone", women=3)
    world.named_a = contacts.add_named_contact(
        editor, world.chair_a1, unit=world.tree.village_a1, name="王芳", category="left_behind"
    )
    world.list_b = contacts.save_contact_list(editor_b, world.exec_b1, {"disabled": 2})[0]
    world.visit_b = contacts.log_visit(editor_b, world.exec_b1, date=datetime.date(2025, 2, 1), way="phone", women=1)
    world.named_b = contacts.add_named_contact(
        editor_b, world.exec_b1, unit=world.tree.village_b1, name="乙县妇女", category="other"
    )
    return world


ENDPOINTS = {"contact-lists": ("list_a", "list_b"), "contact-visits": ("visit_a", "visit_b"),
             "named-contacts": ("named_a", "named_b")}  # fmt: skip


def test_lists_hold_only_the_subtree_and_county_b_is_like_nothing(api, filled):
    client = api(filled.users.editor_a)
    for name, (mine, theirs) in ENDPOINTS.items():
        rows = client.get(f"/api/{name}/").json()["results"]
        assert [r["id"] for r in rows] == [getattr(filled, mine).pk], name
        foreign_pk = getattr(filled, theirs).pk
        for method, body in (("get", None), ("patch", {"note": "越界"})):
            foreign = send(client, method, f"/api/{name}/{foreign_pk}/", body)
            missing = send(client, method, f"/api/{name}/{MISSING}/", body)
            assert foreign.status_code == missing.status_code == 404, name
            assert blanked(foreign, foreign_pk) == blanked(missing, MISSING)
    erase = client.post(f"/api/named-contacts/{filled.named_b.pk}/erase/", {"reason": "x"}, format="json")
    assert erase.status_code == 404 and NamedContact.objects.get(pk=filled.named_b.pk).name == "乙县妇女"


# (name, url, body(w, id), in-scope id(w), out-of-scope id(w)) for editor_a
IDS = [
    ("list office", "/api/contact-lists/", lambda w, x: {"office": x, "other": 2},
     lambda w: w.exec_a1.pk, lambda w: w.exec_b1.pk),
    ("visit office", "/api/contact-visits/", lambda w, x: {"office": x, "date": "2025-03-01", "way": "phone",
     "women": 2}, lambda w: w.exec_a1.pk, lambda w: w.exec_b1.pk),
    ("named office", "/api/named-contacts/", lambda w, x: {"office": x, "unit": w.tree.village_a1.pk,
     "name": "李娟", "category": "other"}, lambda w: w.exec_a1.pk, lambda w: w.exec_b1.pk),
    ("named village", "/api/named-contacts/", lambda w, x: {"office": w.exec_township_a.pk, "unit": x,
     "name": "李娟", "category": "other"}, lambda w: w.tree.village_a2.pk, lambda w: w.tree.village_b1.pk),
]  # fmt: skip
FILTERS = [
    (f"{name} {key}", f"/api/{name}/", lambda w, x, k=key: {k: x}, inside, outside)
    for name in ENDPOINTS
    for key, inside, outside in [
        ("within", lambda w: w.tree.county_a.pk, lambda w: w.tree.county_b.pk),
        ("unit", lambda w: w.tree.village_a1.pk, lambda w: w.tree.village_b1.pk),
        ("office", lambda w: w.chair_a1.pk, lambda w: w.exec_b1.pk),
    ]
]


@pytest.mark.parametrize(("name", "url", "body", "inside", "outside"), IDS, ids=[c[0] for c in IDS])
def test_an_id_given_outside_the_scope_answers_like_no_object(api, filled, name, url, body, inside, outside):
    client = api(filled.users.editor_a)
    before = (ContactList.objects.count(), ContactVisit.objects.count(), NamedContact.objects.count())
    out = outside(filled)
    foreign, missing = send(client, "post", url, body(filled, out)), send(client, "post", url, body(filled, MISSING))
    assert foreign.status_code == missing.status_code == 400
    assert blanked(foreign, out) == blanked(missing, MISSING)
    assert (ContactList.objects.count(), ContactVisit.objects.count(), NamedContact.objects.count()) == before
    assert send(client, "post", url, body(filled, inside(filled))).status_code == 201


@pytest.mark.parametrize(("name", "url", "body", "inside", "outside"), FILTERS, ids=[c[0] for c in FILTERS])
def test_an_id_filter_outside_the_scope_answers_like_no_object(api, filled, name, url, body, inside, outside):
    client = api(filled.users.editor_a)
    out = outside(filled)
    foreign, missing = client.get(url, body(filled, out)), client.get(url, body(filled, MISSING))
    assert foreign.status_code == missing.status_code == 400
    assert blanked(foreign, out) == blanked(missing, MISSING)
    assert client.get(url, body(filled, inside(filled))).status_code == 200


def test_a_list_is_upserted_with_its_version_and_conflicts_answer_409(api, filled):
    client = api(filled.users.editor_a)
    created = client.post("/api/contact-lists/", {"office": filled.exec_a1.pk, "other": 4, "phone": 2}, format="json")
    assert created.status_code == 201 and created.json()["women"] == 4 and created.json()["version"] == 1
    pk = created.json()["id"]
    changed = client.patch(f"/api/contact-lists/{pk}/", {"left_behind": 1, "version": 1}, format="json")
    assert changed.status_code == 200 and changed.json()["women"] == 5 and changed.json()["other"] == 4
    stale = client.patch(f"/api/contact-lists/{pk}/", {"other": 9, "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["current"]["version"] == 2
    assert stale.json()["current"]["left_behind"] == 1 and "其他人" in stale.json()["detail"]
    bad = client.patch(f"/api/contact-lists/{pk}/", {"wechat": 3, "wechat_members": 1, "version": 2}, format="json")
    assert bad.status_code == 400 and "微信群" in json.dumps(bad.json(), ensure_ascii=False)
    assert ContactList.objects.get(pk=pk).other == 4
    again = client.post("/api/contact-lists/", {"office": filled.exec_a1.pk, "other": 6, "version": 2}, format="json")
    assert again.status_code == 201 and ContactList.objects.get(pk=pk).other == 6
    viewer = api(filled.users.viewer)
    assert viewer.patch(f"/api/contact-lists/{pk}/", {"other": 1, "version": 3}, format="json").status_code == 403
    gone = client.post("/api/contact-lists/", {"office": filled.gone_a1.pk, "other": 1}, format="json")
    assert gone.status_code == 400  # an office that ended is no executive's


def test_a_log_entry_is_corrected_with_its_version(api, filled):
    client, url = api(filled.users.editor_a), f"/api/contact-visits/{filled.visit_a.pk}/"
    assert client.patch(url, {"women": 4, "version": 1}, format="json").json()["women"] == 4
    stale = client.patch(url, {"women": 6, "version": 1}, format="json")
    assert stale.status_code == 409 and ContactVisit.objects.get(pk=filled.visit_a.pk).women == 4
    assert client.patch(url, {"women": 0, "version": 2}, format="json").status_code == 400
    assert api(filled.users.viewer).patch(url, {"women": 2, "version": 2}, format="json").status_code == 403


def test_a_log_entry_with_bad_input_is_refused_in_chinese(api, filled):
    client = api(filled.users.editor_a)
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        "/api/contact-visits/", {"office": filled.exec_a1.pk, "date": future, "way": "phone", "women": 0}, format="json"
    )
    assert response.status_code == 400
    assert not ContactVisit.objects.filter(office=filled.exec_a1).exists()
    text = json.dumps(response.json(), ensure_ascii=False)
    assert any(ch >= "\u4e00" for ch in text) and "women" in text


def test_viewers_see_names_masked_and_editors_in_clear(api, filled):
    viewer, editor = api(filled.users.viewer), api(filled.users.editor_a)
    names = {r["id"]: r["name"] for r in viewer.get("/api/named-contacts/").json()["results"]}
    assert names == {filled.named_a.pk: "王*", filled.named_b.pk: "乙***"}
    assert viewer.get(f"/api/named-contacts/{filled.named_a.pk}/").json()["name"] == "王*"
    assert editor.get(f"/api/named-contacts/{filled.named_a.pk}/").json()["name"] == "王芳"
    assert "王芳" not in viewer.get("/api/named-contacts/").content.decode()


def test_erasing_through_the_api(api, filled):
    editor = api(filled.users.editor_a)
    url = f"/api/named-contacts/{filled.named_a.pk}/erase/"
    assert api(filled.users.viewer).post(url, {"reason": "本人要求"}, format="json").status_code == 403
    assert editor.post(url, {"reason": "王芳本人要求"}, format="json").status_code == 400
    done = editor.post(url, {"reason": "本人要求", "version": 1}, format="json")
    assert done.status_code == 200 and done.json()["erased"] and done.json()["name"] == ""
    assert "王芳" not in json.dumps(list(ChangeRecord.objects.values("changes", "object_repr", "note")), default=str)
    assert editor.post(url, {"reason": "再次"}, format="json").status_code == 400


def test_a_units_figures_and_by_child(api, filled):
    client = api(filled.users.viewer)
    city = client.get(f"/api/units/{filled.tree.city.pk}/contacts/", {"from": "2025-01-01", "to": "2025-12-31"}).json()
    assert city["women_contacted"] == 14 and city["contact_visits"] == 2 and city["executives_in_office"] == 5
    assert city["contacts_per_executive"] == 2.8 and city["from"] == "2025-01-01"
    children = client.get(f"/api/units/{filled.tree.city.pk}/contacts/", {"by": "children", "from": "2025-01-01"})
    by_name = {c["name"]: c for c in children.json()["children"]}
    assert by_name["延平区"]["women_contacted"] == 12 and by_name["建阳区"]["women_contacted"] == 2
    bad = client.get(f"/api/units/{filled.tree.city.pk}/contacts/", {"from": "2025-02-30"})
    assert bad.status_code == 400 and "2025-01-31" in json.dumps(bad.json(), ensure_ascii=False)
    editor = api(filled.users.editor_a)
    foreign = editor.get(f"/api/units/{filled.tree.county_b.pk}/contacts/")
    missing = editor.get(f"/api/units/{MISSING}/contacts/")
    assert foreign.status_code == missing.status_code == 404
    assert blanked(foreign, filled.tree.county_b.pk) == blanked(missing, MISSING)


@pytest.mark.parametrize(
    ("name", "who", "queries"),
    # the requester's scopes, the count, the page (named contacts: + which villages she may change)
    [("contact-lists", "viewer", 3), ("contact-visits", "viewer", 3), ("named-contacts", "viewer", 3),
     ("named-contacts", "editor_a", 4)],
)  # fmt: skip
def test_api_lists_have_a_fixed_number_of_queries(api, filled, name, who, queries, django_assert_num_queries):
    client = api(type(filled.users.viewer).objects.get(pk=getattr(filled.users, who).pk))  # as a request loads her
    for n in range(3):
        office = contacts_world.seat(filled.tree.village_a3, f"新执委{n}")
        contacts.save_contact_list(filled.users.editor_a, office, {"other": 1})
        contacts.log_visit(filled.users.editor_a, office, date=datetime.date(2025, 5, 1), way="phone", women=1)
        contacts.add_named_contact(
            filled.users.editor_a, office, unit=filled.tree.village_a3, name="张娟", category="other"
        )
    with django_assert_num_queries(queries):
        assert len(client.get(f"/api/{name}/").json()["results"]) >= 4


def test_the_demo_loads_once(tree, users):
    from orgtree.management.commands.load_demo import demo_conversions

    demo_conversions()
    loaded = demo_contacts()
    assert loaded > 0 and ContactList.objects.count() == loaded
    assert ContactVisit.objects.exists() and NamedContact.objects.exists()
    assert demo_contacts() == 0 and ContactList.objects.count() == loaded
    named = ChangeRecord.objects.filter(source="demo", content_type__model="namedcontact")
    assert named.exists() and all(r.changes["name"] == [None, "…"] for r in named)
