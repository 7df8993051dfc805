"""审核与锁定: submit, approve or return, lock on every write path, unlock, scope, history, conflicts."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from federation import locks
from federation.conflicts import ConflictError
from federation.models import ChangeRecord, Role
from orgtree import services as unit_services
from orgtree.conversion import record_conversion
from orgtree.conversion_excel import VILLAGE_SHEET, build_template
from orgtree.conversion_excel import ConversionImporter as Reader
from orgtree.models import Unit
from reform import approvals, services
from reform.models import Approval, ApprovalState
from register import services as register_services
from register.models import Organization
from tests.conftest import scoped_user
from tests.orgtree.test_conversion import data
from tests.orgtree.test_conversion_excel import good_file

S = ApprovalState
LOCK_WORDS = "审核通过并锁定"


@pytest.fixture
def city_editor(tree):
    return scoped_user("city_editor", tree.city, Role.EDITOR)


@pytest.fixture
def campaign(tree):
    return services.create_campaign(
        None,
        tree.city,
        name="会改联百日攻坚",
        starts_on=datetime.date(2026, 5, 1),
        ends_on=datetime.date(2026, 8, 31),
        milestones=[
            {
                "phase": "第一阶段",
                "due_on": datetime.date(2026, 6, 30),
                "coverage_key": "conversion_rate",
                "target": Decimal("33.3"),
            }
        ],
    )


def approved_county(tree, users, city_editor, **kwargs):
    approval = approvals.submit(users.editor_a, tree.county_a, "conversion", **kwargs)
    return approvals.approve(city_editor, approval, "数据核实无误")


def fresh(unit):
    return Unit.objects.get(pk=unit.pk)


# --- the steps -----------------------------------------------------------------------------------


def test_submit_approve_keeps_the_figures_and_records_each_step(tree, users, city_editor):
    record_conversion(users.editor_a, tree.village_a1, data())
    approval = approvals.submit(users.editor_a, tree.county_a, "conversion")
    assert approval.state == S.SUBMITTED and approval.submitted_by == users.editor_a
    approval = approvals.approve(city_editor, approval, "好", version=approval.version)
    assert approval.state == S.APPROVED and approval.decided_unit == tree.city
    assert approval.figures["villages_converted"] == 1 and approval.figures["villages_total"] == 3
    records = ChangeRecord.objects.filter(object_id=approval.pk, unit=tree.county_a).order_by("pk")
    assert [r.action for r in records] == ["create", "update"]
    assert records[1].changes["state"] == ["submitted", "approved"]


def test_return_then_resubmit(tree, users, city_editor):
    approval = approvals.submit(users.editor_a, tree.county_a, "conversion")
    with pytest.raises(ValidationError) as refused:
        approvals.return_approval(city_editor, approval, "  ")
    assert "退回" in str(refused.value.messages)
    approval = approvals.return_approval(city_editor, approval, "请补充黄墩社区")
    assert approval.state == S.RETURNED and approval.comment == "请补充黄墩社区"
    again = approvals.submit(users.editor_a, tree.county_a, "conversion", version=approval.version)
    assert again.pk == approval.pk and again.state == S.SUBMITTED and again.comment == ""
    assert ChangeRecord.objects.filter(object_id=approval.pk, content_type__model="approval").count() == 3


def test_a_stale_version_is_a_conflict(tree, users, city_editor):
    approval = approvals.submit(users.editor_a, tree.county_a, "conversion")
    with pytest.raises(ConflictError):
        approvals.approve(city_editor, approval, version=approval.version + 1)
    assert fresh_approval(approval).state == S.SUBMITTED


def fresh_approval(approval):
    return Approval.objects.get(pk=approval.pk)


def test_only_the_level_above_decides(tree, users, city_editor):
    approval = approvals.submit(users.editor_a, tree.county_a, "conversion")
    with pytest.raises(PermissionDenied):  # a county cannot approve itself
        approvals.approve(users.editor_a, approval)
    with pytest.raises(PermissionDenied):  # nor another county
        approvals.approve(users.editor_b, approval)
    with pytest.raises(PermissionDenied):  # a viewer cannot submit
        approvals.submit(users.viewer, tree.county_b, "conversion")
    with pytest.raises(ValidationError) as wrong_kind:
        approvals.submit(users.editor_a, tree.village_a1, "conversion")
    assert "不报送" in str(wrong_kind.value)


def test_children_first(tree, users, city_editor, campaign):
    campaign.approval_children_first = True
    campaign.save()
    phase = {"campaign": campaign, "phase": "第一阶段"}
    approval = approvals.submit(city_editor, tree.city, "conversion", **phase)
    province_editor = scoped_user("province_editor", tree.province, Role.EDITOR)
    with pytest.raises(ValidationError) as refused:
        approvals.approve(province_editor, approval)
    assert "延平区" in refused.value.messages[0] and "建阳区" in refused.value.messages[0]
    for county, township, editor in (
        (tree.county_a, tree.township_a, users.editor_a),
        (tree.county_b, tree.township_b, users.editor_b),
    ):
        submitted = approvals.submit(editor, county, "conversion", **phase)
        with pytest.raises(ValidationError) as waiting:  # its street first
            approvals.approve(city_editor, submitted)
        assert township.name in waiting.value.messages[0]
        approvals.approve(editor, approvals.submit(editor, township, "conversion", **phase))
        approvals.approve(city_editor, submitted)
    assert approvals.approve(province_editor, approval).state == S.APPROVED


def test_unknown_phase_and_set_are_refused_in_chinese(tree, users, campaign):
    with pytest.raises(ValidationError) as refused:
        approvals.submit(users.editor_a, tree.county_a, "conversion", campaign=campaign, phase="第九阶段")
    assert "第九阶段" in str(refused.value)
    with pytest.raises(ValidationError):
        approvals.submit(users.editor_a, tree.county_a, "nothing")


# --- the lock on every write path ------------------------------------------------------------------


def test_the_lock_message_names_the_approval(tree, users, city_editor):
    approved_county(tree, users, city_editor)
    with pytest.raises(locks.LockedError) as refused:
        record_conversion(users.editor_a, tree.village_a1, data())
    message = refused.value.messages[0]
    assert message.startswith("延平区的会改联结果已于") and "由南平市审核通过并锁定" in message
    assert "如需修改，请先申请解锁" in message
    assert not tree.village_a1.elections.exists()
    # County B is not locked.
    record_conversion(users.editor_b, tree.village_b1, data())


def test_unit_edits_of_counted_fields_are_refused_names_are_not(tree, users, city_editor):
    approved_county(tree, users, city_editor)
    village = fresh(tree.village_a1)
    with pytest.raises(locks.LockedError):
        unit_services.update_unit(users.editor_a, village, {"secretary_is_woman": True}, version=village.version)
    with pytest.raises(locks.LockedError):
        unit_services.update_unit(users.editor_a, village, {"form": "federation"}, version=village.version)
    with pytest.raises(locks.LockedError):
        unit_services.create_unit(users.editor_a, tree.township_a, kind="village", name="新村", code="350702003299")
    with pytest.raises(locks.LockedError):
        unit_services.close_unit(users.editor_a, village, datetime.date(2026, 1, 1), version=village.version)
    renamed = unit_services.update_unit(users.editor_a, village, {"name": "黄墩新社区"}, version=village.version)
    assert renamed.name == "黄墩新社区"


def test_the_page_form_refuses_with_the_message(client, tree, users, city_editor):
    approved_county(tree, users, city_editor)
    client.force_login(users.editor_a)
    village = fresh(tree.village_a1)
    response = client.post(
        reverse("orgtree:unit_edit", args=[village.pk]),
        {"name": village.name, "code": village.code, "kind": village.kind, "form": "federation", "version": 1},
    )
    assert response.status_code == 200 and LOCK_WORDS in response.content.decode()
    assert fresh(village).form == "congress"


def test_the_api_refuses_with_the_message(api, tree, users, city_editor):
    approved_county(tree, users, city_editor)
    village = fresh(tree.village_a1)
    response = api(users.editor_a).patch(
        f"/api/units/{village.pk}/", {"secretary_is_woman": True, "version": village.version}, format="json"
    )
    assert response.status_code == 400 and LOCK_WORDS in str(response.json())
    assert not fresh(village).secretary_is_woman


def test_the_import_refuses_at_the_check_and_at_the_commit(tree, users, city_editor):
    contents = good_file(users.editor_a, tree)
    checked = Reader(users.editor_a, tree.county_a).read(contents)
    assert checked.problems == []
    approved_county(tree, users, city_editor)  # approved between the check and the commit
    with pytest.raises(Exception):  # noqa: B017  (the import refuses: ImportRefusedError or the problems)
        checked.commit()
    assert not tree.village_a1.elections.exists()
    again = Reader(users.editor_a, tree.county_a).read(contents)
    assert any(LOCK_WORDS in p.message for p in again.problems)
    assert any(p.sheet == VILLAGE_SHEET for p in again.problems)


def test_facts_only_rows_of_the_import_are_refused_at_the_check(tree, users, city_editor):
    approved_county(tree, users, city_editor)
    book = load_workbook(io.BytesIO(build_template(users.editor_a, tree.county_a)))
    sheet = book[VILLAGE_SHEET]
    header = [c.value for c in sheet[1]]
    column = next(i for i, name in enumerate(header) if "书记" in str(name) and "女" in str(name))
    sheet.cell(row=2, column=column + 1).value = "是"
    out = io.BytesIO()
    book.save(out)
    reader = Reader(users.editor_a, tree.county_a).read(out.getvalue())
    assert any(LOCK_WORDS in p.message for p in reader.problems)


def test_register_writes_under_a_locked_unit_are_refused(tree, users, city_editor):
    approval = approvals.submit(users.editor_a, tree.county_a, "register")
    approvals.approve(city_editor, approval)
    with pytest.raises(locks.LockedError):
        register_services.create_organization(users.editor_a, tree.township_a, kind="enterprise", name="某公司")
    register_services.create_organization(users.editor_b, tree.county_b, kind="enterprise", name="某公司")
    assert Organization.objects.count() == 1
    # Another set does not lock the register's writes.
    record_conversion(users.editor_a, tree.village_a1, data())


def test_unlock_then_edit_then_resubmit(tree, users, city_editor):
    approval = approved_county(tree, users, city_editor)
    with pytest.raises(ValidationError):
        approvals.request_unlock(users.editor_a, approval, "")
    approval = approvals.request_unlock(users.editor_a, approval, "黄墩社区选举日期录错")
    with pytest.raises(locks.LockedError):  # still locked until granted
        record_conversion(users.editor_a, tree.village_a1, data())
    with pytest.raises(PermissionDenied):
        approvals.decide_unlock(users.editor_a, approval, True)
    refused = approvals.decide_unlock(city_editor, approval, False, "先核实")
    assert refused.state == S.APPROVED
    approval = approvals.request_unlock(users.editor_a, refused, "再次申请")
    approval = approvals.decide_unlock(city_editor, approval, True)
    assert approval.state == S.UNLOCKED
    record_conversion(users.editor_a, tree.village_a1, data())
    assert approvals.submit(users.editor_a, tree.county_a, "conversion").state == S.SUBMITTED
    states = [
        r.changes.get("state", [None, None])[1]
        for r in ChangeRecord.objects.filter(object_id=approval.pk, content_type__model="approval").order_by("pk")
    ]
    assert states == [
        "submitted",
        "approved",
        "unlock_requested",
        "approved",
        "unlock_requested",
        "unlocked",
        "submitted",
    ]


def test_approved_marks_units_below_in_one_query(tree, users, city_editor, django_assert_num_queries):
    approval = approved_county(tree, users, city_editor)
    units = [fresh(u) for u in (tree.city, tree.county_a, tree.township_a, tree.village_a1, tree.county_b)]
    with django_assert_num_queries(1):
        found = locks.approved(units, "conversion")
    assert set(found) == {tree.county_a.pk, tree.township_a.pk, tree.village_a1.pk}
    assert found[tree.village_a1.pk].approval_id == approval.pk


# --- the API ------------------------------------------------------------------------------------------


def test_api_journey_and_scope(api, tree, users, city_editor):
    county = api(users.editor_a)
    created = county.post("/api/approvals/", {"unit": tree.county_a.pk, "set_name": "conversion"}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    # County B sees nothing of it: 404 exactly as for an id of nothing.
    other = api(users.editor_b)
    missing = other.get("/api/approvals/999999/")
    assert other.get(f"/api/approvals/{pk}/").json() == missing.json() and missing.status_code == 404
    assert other.post(f"/api/approvals/{pk}/approve/", {}, format="json").status_code == 404
    assert other.get("/api/approvals/").json()["count"] == 0
    # County A cannot approve itself; the city can.
    assert county.post(f"/api/approvals/{pk}/approve/", {}, format="json").status_code == 403
    city = api(city_editor)
    stale = city.post(f"/api/approvals/{pk}/approve/", {"version": 7}, format="json")
    assert stale.status_code == 409
    approved = city.post(f"/api/approvals/{pk}/approve/", {"version": 1, "comment": "好"}, format="json")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert city.get("/api/approvals/", {"state": "approved", "unit": tree.county_a.pk}).json()["count"] == 1
    asked = county.post(f"/api/approvals/{pk}/unlock-request/", {"reason": "录错"}, format="json")
    assert asked.status_code == 200 and asked.json()["state"] == "unlock_requested"
    granted = city.post(f"/api/approvals/{pk}/unlock/", {"grant": True}, format="json")
    assert granted.status_code == 200 and granted.json()["state"] == "unlocked"
    assert county.post("/api/approvals/", {"unit": tree.county_a.pk, "set_name": "conversion"}, format="json")
    returned = city.post(f"/api/approvals/{pk}/return/", {"comment": "补充"}, format="json")
    assert returned.status_code == 200 and returned.json()["state"] == "returned"


@pytest.mark.parametrize(
    "body",
    [
        {"unit": 0, "set_name": "conversion"},
        {"set_name": "conversion"},
        {"unit": "x\x00", "set_name": "nothing"},
        {"set_name": ["conversion"], "unit": 10**30},
        {"set_name": "conversion", "phase": "x" * 51},
    ],
)
def test_bad_input_is_a_400_in_chinese(api, tree, users, body):
    if "unit" in body and body["unit"] == 0:
        body = {**body, "unit": tree.county_b.pk}  # out of scope: like nothing
    response = api(users.editor_a).post("/api/approvals/", body, format="json")
    assert response.status_code == 400
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(response.json()))


# --- the pages -------------------------------------------------------------------------------------------


def test_the_page_shows_forms_only_to_who_may_post_them(client, tree, users, city_editor):
    approval = approvals.submit(users.editor_a, tree.county_a, "conversion")
    url = reverse("reform:approvals", args=[tree.city.pk])
    client.force_login(users.viewer)
    page = client.get(url).content.decode()
    assert "延平区" in page and 'value="approve"' not in page and 'name="action" value="submit"' not in page
    client.force_login(city_editor)
    page = client.get(url).content.decode()
    assert 'value="approve"' in page
    response = client.post(
        url, {"action": "decide", "approval": approval.pk, "version": approval.version, "decision": "approve"}
    )
    assert response.status_code == 302 and fresh_approval(approval).state == S.APPROVED
    client.force_login(users.editor_a)
    county_page = client.get(reverse("reform:approvals", args=[tree.county_a.pk])).content.decode()
    assert "申请解锁" in county_page
    # The county cannot decide on its own approval through the page either.
    refused = client.post(
        reverse("reform:approvals", args=[tree.county_a.pk]),
        {"action": "decide", "approval": approval.pk, "version": 2, "decision": "return", "text": "x"},
    )
    assert refused.status_code == 200 and fresh_approval(approval).state == S.APPROVED


def test_the_page_submits(client, tree, users):
    client.force_login(users.editor_a)
    url = reverse("reform:approvals", args=[tree.county_a.pk])
    response = client.post(url, {"action": "submit", "set_name": "conversion", "phase": ""})
    assert response.status_code == 302
    assert Approval.objects.get().state == S.SUBMITTED


def test_the_page_costs_a_fixed_number_of_queries(client, tree, users, city_editor, django_assert_num_queries):
    for county, editor in ((tree.county_a, users.editor_a), (tree.county_b, users.editor_b)):
        approvals.submit(editor, county, "conversion")
    client.force_login(city_editor)
    url = reverse("reform:approvals", args=[tree.city.pk])
    client.get(url)
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(url).status_code == 200
    approvals.submit(city_editor, tree.city, "register")
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(url).status_code == 200


PAGE_QUERIES = 11


def test_the_dashboard_marks_approved_figures(client, tree, users, city_editor):
    approved_county(tree, users, city_editor)
    client.force_login(users.viewer)
    page = client.get(reverse("orgtree:dashboard", args=[tree.city.pk])).content.decode()
    assert "已审核" in page
    county_page = client.get(reverse("orgtree:dashboard", args=[tree.county_a.pk])).content.decode()
    assert "由南平市审核" in county_page or "南平市" in county_page


def test_another_county_cannot_open_the_page_nor_act_on_an_approval_it_cannot_see(client, tree, users):
    approval = approvals.submit(users.editor_a, tree.county_a, "conversion")
    client.force_login(users.editor_b)
    assert client.get(reverse("reform:approvals", args=[tree.county_a.pk])).status_code == 404
    assert client.get(reverse("reform:approvals", args=[999999])).status_code == 404
    step = {"action": "decide", "approval": approval.pk, "version": approval.version, "decision": "return"}
    assert client.post(reverse("reform:approvals", args=[tree.county_a.pk]), step | {"text": "x"}).status_code == 404
    own_page = client.post(reverse("reform:approvals", args=[tree.county_b.pk]), step | {"text": "x"})
    assert own_page.status_code in (200, 404) and fresh_approval(approval).state == S.SUBMITTED
    assert "延平区" not in own_page.content.decode()
