"""会改联 records: first save certifies through the election services; later saves amend."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from federation.conflicts import ConflictError
from orgtree.choices import Form
from orgtree.conversion import Conversion, Member, record_conversion, version_of
from orgtree.models import ChairPay, ElectionAmendment, Office, Term, Unit
from orgtree.models.position import ServicePosition


def data(**overrides):
    members = [
        Member("林秀英", role="chair"),
        Member("陈美华", role="vice_chair", vice_chair_type="part_time"),
        Member("王丽", role="vice_chair", vice_chair_type="part_time"),
        Member("张芳"),
        Member("李娜"),
    ]
    values = {
        "held_on": datetime.date(2021, 3, 15),
        "members": members,
        "entitled": 120,
        "present": 96,
        "chair_flags": {"on_party_committee": True, "on_villagers_committee": True},
        "chair_pay": Decimal("12000"),
        "secretary_pay": Decimal("30000"),
        "womens_home": "standardized",
        "childrens_home": True,
    }
    values.update(overrides)
    return Conversion(**values)


def open_offices(village):
    return Office.objects.filter(unit=village, ended_on__isnull=True)


def test_first_record_converts_the_village_and_seats_the_committee(tree, users):
    election = record_conversion(users.editor_a, tree.village_a1, data(), version=0)
    village = Unit.objects.get(pk=tree.village_a1.pk)
    assert village.form == "federation" and election.is_certified and not election.votes_itemized
    term = Term.objects.get(unit=village)
    assert (term.number, term.started_on) == (1, datetime.date(2021, 3, 15))
    assert open_offices(village).count() == 5
    chair = open_offices(village).get(role="chair")
    assert chair.person.name == "林秀英" and chair.on_party_committee and chair.on_villagers_committee
    assert open_offices(village).filter(role="vice_chair", vice_chair_type="part_time").count() == 2
    assert ServicePosition.objects.get(unit=village, kind="womens_home").standardized
    assert ServicePosition.objects.filter(unit=village, kind="childrens_home", closed_on=None).exists()
    assert ChairPay.objects.get(unit=village, year=2021).chair_annual == Decimal("12000")


def test_saving_the_same_data_again_changes_nothing(tree, users):
    record_conversion(users.editor_a, tree.village_a1, data())
    version = version_of(tree.village_a1)
    record_conversion(users.editor_a, tree.village_a1, data(), version=version)
    assert version_of(tree.village_a1) == version
    assert not ElectionAmendment.objects.exists() and open_offices(tree.village_a1).count() == 5


def test_editing_later_amends_with_history(tree, users):
    record_conversion(users.editor_a, tree.village_a1, data())
    members = [m for m in data().members if m.name != "李娜"] + [Member("赵敏")]
    members[3] = Member("张芳", role="standing")
    record_conversion(users.editor_a, tree.village_a1, data(members=members), version=1)
    amendment = ElectionAmendment.objects.get()
    assert amendment.changes["removed"] == ["李娜"] and amendment.changes["added"] == ["赵敏"]
    names = set(open_offices(tree.village_a1).values_list("person__name", flat=True))
    assert names == {"林秀英", "陈美华", "王丽", "张芳", "赵敏"}
    void = Office.objects.get(person__name="李娜")
    assert void.ended_on == void.started_on  # entered by mistake: counted on no date
    assert open_offices(tree.village_a1).get(person__name="张芳").role == "standing"
    assert version_of(tree.village_a1) == 2


def test_a_stale_version_is_a_conflict(tree, users):
    record_conversion(users.editor_a, tree.village_a1, data())
    record_conversion(users.admin_a, tree.village_a1, data(present=100), version=1)
    with pytest.raises(ConflictError):
        record_conversion(users.editor_a, tree.village_a1, data(present=90), version=1)
    assert version_of(tree.village_a1) == 2


def test_bad_data_is_refused_in_chinese_and_changes_nothing(tree, users):
    with pytest.raises(ValidationError) as excinfo:
        record_conversion(
            users.editor_a,
            tree.village_a1,
            data(members=[Member("林秀英", role="chair"), Member("林秀英", role="chair")]),
        )
    assert "两次" in " ".join(excinfo.value.messages) or "重复" in " ".join(excinfo.value.messages)
    with pytest.raises(ValidationError) as excinfo:
        record_conversion(users.editor_a, tree.village_a1, data(held_on=datetime.date(2999, 1, 1)))
    assert "未来" in " ".join(excinfo.value.messages)
    with pytest.raises(ValidationError):
        record_conversion(users.editor_a, tree.village_a1, data(present=50))  # quorum
    assert not Term.objects.exists() and Unit.objects.get(pk=tree.village_a1.pk).form == "congress"


def test_only_villages_in_scope(tree, users):
    with pytest.raises(PermissionDenied):
        record_conversion(users.editor_a, tree.village_b1, data())
    with pytest.raises(PermissionDenied):
        record_conversion(users.viewer, tree.village_a1, data())
    with pytest.raises(ValidationError):
        record_conversion(users.editor_a, tree.township_a, data())
    assert not Term.objects.exists()


# --- pages -----------------------------------------------------------------------------------

from django.urls import reverse  # noqa: E402


def form_data(**overrides):
    values = {
        "version": 0,
        "held_on": "2021-03-15",
        "entitled": 120,
        "present": 96,
        "chair": "林秀英",
        "on_party_committee": "on",
        "vice_chairs_part_time": "陈美华\n王丽",
        "executives": "张芳，李娜、赵敏",
        "chair_pay": "12000",
        "secretary_pay": "30000",
        "womens_home": "standardized",
        "childrens_home": "on",
    }
    values.update(overrides)
    return values


def test_grid_and_form_are_scoped(client, tree, users):
    client.force_login(users.editor_a)
    assert client.get(reverse("orgtree:conversion_grid", args=[tree.county_b.pk])).status_code == 404
    assert client.get(reverse("orgtree:conversion_edit", args=[tree.village_b1.pk])).status_code == 404
    assert client.post(reverse("orgtree:conversion_edit", args=[tree.village_b1.pk]), form_data()).status_code == 404
    client.force_login(users.viewer)
    assert client.get(reverse("orgtree:conversion_grid", args=[tree.county_b.pk])).status_code == 200
    assert client.post(reverse("orgtree:conversion_edit", args=[tree.village_b1.pk]), form_data()).status_code == 403
    assert not Term.objects.exists()


def test_the_form_converts_and_the_grid_shows_it(client, tree, users):
    client.force_login(users.editor_a)
    url = reverse("orgtree:conversion_edit", args=[tree.village_a1.pk])
    response = client.post(url, form_data())
    assert response.status_code == 302, response.context["form"].errors
    grid = client.get(reverse("orgtree:conversion_grid", args=[tree.county_a.pk]))
    assert (grid.context["converted"], grid.context["total"]) == (1, 3)
    row = next(v for v in grid.context["page"] if v.pk == tree.village_a1.pk)
    assert (row.executives, row.vice_chairs, row.chair_name) == (6, 2, "林秀英")
    assert (row.converted, row.womens_home, row.childrens_home) == ("2021-03-15", "标准化", "✓")
    assert row.two_committees == "村党组织"
    todo = client.get(reverse("orgtree:conversion_grid", args=[tree.county_a.pk]), {"show": "todo"})
    assert tree.village_a1.pk not in {v.pk for v in todo.context["page"]}
    # Editing starts from the recorded values.
    initial = client.get(url).context["form"].initial
    assert initial["chair"] == "林秀英" and initial["version"] == 1 and "赵敏" in initial["executives"]


def test_the_grid_query_count_does_not_grow_with_villages(client, tree, users, django_assert_num_queries):
    from tests.conftest import make

    client.force_login(users.editor_a)
    url = reverse("orgtree:conversion_grid", args=[tree.county_a.pk])
    client.get(url)
    with django_assert_num_queries(12) as captured:  # a grid that fits on one page needs no COUNT
        client.get(url)
    for i in range(6):
        make(tree.township_a, "village", f"新村{i}", f"35070200321{i}")
    record_conversion(users.editor_a, Unit.objects.get(name="新村0"), data())
    with django_assert_num_queries(len(captured)):
        client.get(url)


def test_two_cadres_saving_the_same_village(client, tree, users):
    url = reverse("orgtree:conversion_edit", args=[tree.village_a1.pk])
    client.force_login(users.admin_a)
    client.post(url, form_data(present=100))
    client.force_login(users.editor_a)
    response = client.post(url, form_data(present=90))  # she loaded the form at version 0
    assert response.status_code == 200 and response.context["conflict"]
    assert response.context["current_form"].initial["present"] == 100
    assert "100" in response.content.decode()
    from orgtree.conversion import current_election

    assert current_election(tree.village_a1).present == 100


def test_form_errors_are_chinese_and_change_nothing(client, tree, users):
    client.force_login(users.editor_a)
    url = reverse("orgtree:conversion_edit", args=[tree.village_a1.pk])
    response = client.post(url, form_data(held_on="2999-01-01", chair_pay="abc"))
    body = response.content.decode()
    assert response.status_code == 200 and "数" in body
    response = client.post(url, form_data(held_on="2999-01-01"))
    assert "未来" in response.content.decode()
    assert not Term.objects.exists()


def test_a_grid_of_several_pages_takes_its_count_from_the_progress_bar(client, tree, users):
    """Unfiltered, the rows are the subtree's villages, which the progress bar has counted: the pager
    runs no COUNT of its own; filtered, it counts the filtered rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    record_conversion(users.editor_a, tree.village_a1, data())
    client.force_login(users.viewer)
    url = reverse("orgtree:conversion_grid", args=[tree.county_a.pk])
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url, {"per_page": 1}).context["page"]
    villages = Unit.objects.open().within(tree.county_a).filter(kind__in=["village", "community"])
    assert villages.count() > 1 and page.paginator.count == villages.count()
    assert not [q for q in captured if q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "orgtree_unit"')]
    page = client.get(url, {"per_page": 1, "show": "todo"}).context["page"]
    assert page.paginator.count == villages.exclude(form=Form.FEDERATION).count() < villages.count()
