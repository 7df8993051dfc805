"""An ID number that belongs to someone the writer cannot see: she learns nothing about that
person, and the clash goes to the admins of the nearest unit above both records."""

import pytest
from django.urls import reverse

from federation.models import Notification, Role
from orgtree.choices import Kind
from orgtree.models import Candidate, IdNumberClash, Person
from tests.conftest import make, scoped_user
from tests.orgtree.test_elections import build_election
from tests.orgtree.test_idnumber import id_number

NUMBER_B = id_number(sequence="002")
NUMBER_FAR = id_number(area="110105", sequence="004")


@pytest.fixture
def clash_world(tree, users):
    far_city = make(tree.province, Kind.CITY, "福州市", "3501")
    return {
        "holder_b": Person.objects.create(unit=tree.village_b1, name="陈美华", id_number=NUMBER_B),
        "holder_far": Person.objects.create(unit=far_city, name="林秀英", id_number=NUMBER_FAR),
        "city_admin": scoped_user("city_admin", tree.city, Role.ADMIN),
        "province_admin": scoped_user("province_admin", tree.province, Role.ADMIN),
    }


def post_person(api, user, unit, number, name="王芳"):
    return api(user).post("/api/people/", {"unit": unit.pk, "name": name, "id_number": number})


def test_a_number_held_outside_her_scope_says_nothing_about_the_holder(api, tree, users, clash_world):
    near = post_person(api, users.editor_a, tree.village_a1, NUMBER_B)
    far = post_person(api, users.editor_a, tree.village_a1, NUMBER_FAR)
    assert near.status_code == far.status_code == 400
    assert near.json() == far.json()  # in the next county or in another city: the same answer
    message = " ".join(near.json()["id_number"])
    assert "不能在此使用" in message and "已登记" not in message
    assert "陈美华" not in message and "建阳区" not in message and "城东村" not in message
    assert not Person.objects.filter(name="王芳").exists()


def test_a_number_held_inside_her_scope_is_named_as_registered_and_not_kept(api, tree, users, clash_world):
    Person.objects.create(unit=tree.village_a2, name="黄丽", id_number=id_number(sequence="006"))
    response = post_person(api, users.editor_a, tree.village_a1, id_number(sequence="006"))
    assert response.status_code == 400 and "已登记" in " ".join(response.json()["id_number"])
    assert not IdNumberClash.objects.exists()


def test_the_clash_goes_to_the_admins_of_the_nearest_common_unit_only(api, client, tree, users, clash_world):
    post_person(api, users.editor_a, tree.village_a1, NUMBER_B)
    clash = IdNumberClash.objects.get()
    assert clash.unit == tree.city and clash.person == clash_world["holder_b"]
    assert (clash.attempted_unit, clash.attempted_name, clash.created_by) == (tree.village_a1, "王芳", users.editor_a)
    notified = set(Notification.objects.filter(key=f"id-clash:{clash.pk}").values_list("user__username", flat=True))
    assert notified == {"city_admin"}  # the nearest unit with admins: not the province above it
    page = reverse("orgtree:id_clashes")
    for user in (users.editor_a, users.admin_a, users.editor_b, users.viewer):
        client.force_login(user)
        assert NUMBER_B not in client.get(page).content.decode()
        assert client.post(page, {"clash": clash.pk}).status_code == 404
    client.force_login(clash_world["city_admin"])
    body = client.get(page).content.decode()
    assert NUMBER_B in body and "陈美华" in body and "王芳" in body and "黄墩社区" in body
    assert client.post(page, {"clash": clash.pk, "note": "同一人，已迁入延平区"}).status_code == 302
    clash.refresh_from_db()
    assert clash.resolved_by == clash_world["city_admin"] and clash.note == "同一人，已迁入延平区"
    assert NUMBER_B not in client.get(page).content.decode()


def test_a_clash_across_cities_goes_to_the_province(api, tree, users, clash_world):
    post_person(api, users.editor_a, tree.village_a1, NUMBER_FAR)
    clash = IdNumberClash.objects.get()
    assert clash.unit == tree.province
    assert Notification.objects.get(key=f"id-clash:{clash.pk}").user == clash_world["province_admin"]


def test_trying_again_counts_up_without_a_new_notice(api, tree, users, clash_world):
    for _ in range(3):
        post_person(api, users.editor_a, tree.village_a1, NUMBER_B)
    assert IdNumberClash.objects.get().attempts == 3
    assert Notification.objects.filter(key__startswith="id-clash:").count() == 1


def test_editing_a_record_to_a_foreign_number_is_refused_the_same_way(api, tree, users, clash_world):
    own = Person.objects.create(unit=tree.village_a1, name="王芳")
    response = api(users.editor_a).patch(f"/api/people/{own.pk}/", {"id_number": NUMBER_B})
    assert response.status_code == 400 and "不能在此使用" in " ".join(response.json()["id_number"])
    own.refresh_from_db()
    assert own.id_number == "" and IdNumberClash.objects.get().attempted_unit == tree.village_a1


def test_the_page_form_and_a_ballot_keep_the_clash_although_their_transaction_rolls_back(
    client, tree, users, clash_world
):
    client.force_login(users.editor_a)
    response = client.post(
        reverse("orgtree:person_create", args=[tree.village_a1.pk]),
        {"name": "王芳", "gender": "female", "id_number": NUMBER_B},
    )
    assert response.status_code == 200 and "不能在此使用" in response.content.decode()
    election = build_election(tree.village_a2, candidates=8)
    response = client.post(
        reverse("orgtree:candidate_add", args=[election.pk]),
        {"name": "赵敏", "id_number": NUMBER_B, "approve": 1, "disapprove": 0, "abstain": 0},
    )
    assert response.status_code == 200 and "不能在此使用" in response.content.decode()
    assert set(IdNumberClash.objects.values_list("attempted_unit", "attempted_name")) == {
        (tree.village_a1.pk, "王芳"),
        (tree.village_a2.pk, "赵敏"),
    }
    assert not Candidate.objects.filter(person__name="赵敏").exists()


def test_a_candidate_over_the_api_with_a_foreign_number_is_kept_as_a_clash(api, tree, users, clash_world):
    election = build_election(tree.village_a2, candidates=8)
    response = api(users.editor_a).post(
        f"/api/elections/{election.pk}/candidates/", {"name": "赵敏", "id_number": NUMBER_B, "approve": 1}
    )
    assert response.status_code == 400 and "不能在此使用" in str(response.json())
    clash = IdNumberClash.objects.get()
    assert (clash.attempted_unit, clash.attempted_name, clash.unit) == (tree.village_a2, "赵敏", tree.city)
    assert not Person.objects.filter(name="赵敏").exists()
