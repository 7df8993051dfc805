"""The register's spreadsheet: template = export = re-import, every problem at once with nothing saved,
formula-safe downloads, the 通讯录, scope (404) and the job pages."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from federation.imports import ImportRefusedError
from federation.models import ChangeRecord, Job
from orgtree.models import Person
from register import services
from register.excel import (
    AREAS_SHEET,
    BY_COMMITTEE_SHEET,
    BY_ORGANIZATION_SHEET,
    COLUMNS,
    COMMITTEES_SHEET,
    GUIDE_SHEET,
    SHEET,
    build_contacts,
    build_export,
    build_template,
)
from register.excel import RegisterImporter as Reader
from register.models import Coverage, Organization, OrgKind, Subtype
from tests.conftest import make

pytestmark = pytest.mark.django_db

VALID = "91350100M000100Y43"
EVIL = '=HYPERLINK("x","y")'
TITLES = list(COLUMNS.values())


def code_with_check(first17):
    from register.validators import check_character

    return first17 + check_character(first17)


def registered(tree, users):
    """County A's register: an agency of the county with a credit code, two new-domain places of the
    street covered by one committee (区域联建) with a 包建 leader; county B's one enterprise."""
    leader = Person.objects.create(unit=tree.county_a, name="林主席")
    agency = services.create_organization(
        users.editor_a,
        tree.county_a,
        source="test",
        name="延平区教育局",
        credit_code=VALID,
        kind=OrgKind.AGENCY,
        subtype=Subtype.AGENCY,
        has_party_org=True,
        employees=120,
        women_employees=70,
        head_name="王主任",
        head_phone="13800000001",
        notes="+备注",
    )
    committee = make(tree.township_a, "new_domain", "黄墩商圈妇联", subtype="business_district")
    places = [
        services.create_organization(
            users.editor_a,
            tree.township_a,
            source="test",
            name=name,
            kind=OrgKind.NEW_DOMAIN,
            subtype=subtype,
            employees=40,
            women_employees=25,
            committee=committee,
            coverage=Coverage.REGIONAL,
            patron=leader,
            contact_name="陈联系",
            contact_phone="0599-1234567",
        )
        for name, subtype in (("万达广场", Subtype.BUSINESS_DISTRICT), ("中心市场", Subtype.MARKET))
    ]
    other = services.create_organization(
        users.editor_b, tree.township_b, source="test", name="潭城商贸", kind=OrgKind.ENTERPRISE
    )
    return agency, places, committee, leader, other


def sheet_rows(data, sheet=SHEET):
    book = load_workbook(io.BytesIO(data))
    return [list(r) for r in book[sheet].iter_rows(values_only=True)]


def with_rows(data, rows):
    """The workbook `data` with `rows` ({column title: value}) appended to its first sheet."""
    book = load_workbook(io.BytesIO(data))
    sheet = book[SHEET]
    for values in rows:
        sheet.append([values.get(title) for title in TITLES])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(**values):
    keyed = {"unit_code": "350702003", "kind": "新领域", "subtype": "楼宇", **values}
    return {COLUMNS[k]: v for k, v in keyed.items()}


def test_the_template_lists_the_subtree_with_its_reference_sheets(tree, users):
    registered(tree, users)
    data = build_template(users.editor_a, tree.county_a)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [SHEET, GUIDE_SHEET, AREAS_SHEET, COMMITTEES_SHEET]
    rows = sheet_rows(data)
    assert rows[0][: len(TITLES)] == TITLES
    assert sorted(r[2] for r in rows[1:]) == ["万达广场", "中心市场", "延平区教育局"]  # not county B's
    assert [r[0] for r in sheet_rows(data, AREAS_SHEET)[1:]] == ["350702", "350702003"]
    assert sheet_rows(data, COMMITTEES_SHEET)[1][:1] == ["黄墩商圈妇联"]
    lists = {str(v.sqref): v.formula1 for v in book[SHEET].data_validations.dataValidation}
    assert any("新领域" in f for f in lists.values()) and any(AREAS_SHEET in f for f in lists.values())
    place = next(r for r in rows if r[2] == "万达广场")
    assert place[12:16] == ["黄墩商圈妇联", "350702003", "林主席", "350702"]
    assert place[-1] == "已建"


def test_export_reimported_changes_nothing(client, tree, users):
    registered(tree, users)
    client.force_login(users.editor_a)
    exported = client.get(reverse("register:register_export", args=[tree.county_a.pk]))
    assert exported.status_code == 200
    history = ChangeRecord.objects.count()
    reader = Reader(users.editor_a, tree.county_a).read(exported.content)
    assert reader.problems == [] and reader.summary() == {"new": 0, "updated": 0, "unchanged": 3}
    assert reader.commit() == 0
    assert ChangeRecord.objects.count() == history


def test_a_new_file_is_saved_through_the_services_and_again_changes_nothing(tree, users):
    leader = Person.objects.create(unit=tree.county_a, name="林主席")
    committee = make(tree.township_a, "new_domain", "黄墩楼宇妇联", subtype="building")
    data = with_rows(
        build_template(users.editor_a, tree.county_a),
        [
            row(
                name="金山大厦",
                credit_code=VALID.lower(),
                has_party_org="是",
                employees=150,
                women_employees=60,
                committee="黄墩楼宇妇联",
                coverage="区域联建",
                patron="林主席",
            ),
            row(name="银山大厦", committee="黄墩楼宇妇联", coverage="区域联建", head_name="李主任"),
            row(
                unit_code=None,
                unit_name="延平区",
                name="延平区档案馆",
                kind="机关(单位)",
                subtype="事业单位",
                requirement="无需建立",
                not_required_reason="已并入",
            ),
        ],
    )
    reader = Reader(users.editor_a, tree.county_a).read(data)
    assert reader.problems == [], reader.problems
    assert reader.commit() == 3
    big = Organization.objects.get(name="金山大厦")
    assert big.credit_code == VALID and big.patron == leader and big.committee == committee
    assert big.should_build and not Organization.objects.get(name="延平区档案馆").should_build
    assert Organization.objects.get(name="银山大厦").committee == committee  # one committee, two places
    assert ChangeRecord.objects.filter(source="import").count() == 3
    again = Reader(users.editor_a, tree.county_a).read(data)
    assert again.problems == [] and again.commit() == 0
    again = Reader(users.editor_a, tree.county_a).read(build_template(users.editor_a, tree.county_a))
    assert again.problems == [] and again.commit() == 0
    assert Organization.objects.count() == 3


def test_a_changed_row_updates_the_organization_it_names(tree, users):
    agency, places, *_ = registered(tree, users)
    data = build_template(users.editor_a, tree.county_a)
    book = load_workbook(io.BytesIO(data))
    sheet = book[SHEET]
    for cells in sheet.iter_rows(min_row=2):
        if cells[2].value == "延平区教育局":
            cells[2].value = "延平区教育局（更名）"  # found again by its credit code
            cells[TITLES.index("女职工人数")].value = 80
        if cells[2].value == "中心市场":
            cells[TITLES.index("联系人电话")].value = "0599-7654321"  # found by area unit and name
    out = io.BytesIO()
    book.save(out)
    reader = Reader(users.editor_a, tree.county_a).read(out.getvalue())
    assert reader.problems == [] and reader.summary() == {"new": 0, "updated": 2, "unchanged": 1}
    assert reader.commit() == 2
    agency.refresh_from_db()
    assert (agency.name, agency.women_employees) == ("延平区教育局（更名）", 80)
    assert Organization.objects.get(pk=places[1].pk).contact_phone == "0599-7654321"
    assert ChangeRecord.objects.filter(source="import", object_id=agency.pk).exists()


def test_every_problem_of_every_row_at_once_and_nothing_saved(tree, users):
    agency, _places, _committee, _leader, other = registered(tree, users)
    Person.objects.create(unit=tree.township_a, name="同名")
    Person.objects.create(unit=tree.county_a, name="同名")
    make(tree.township_b, "new_domain", "建阳楼宇妇联", subtype="building")
    bad_check = VALID[:-1] + ("0" if VALID[-1] != "0" else "1")
    rows = [
        row(name="甲", credit_code=bad_check),  # 2: the check character
        row(name="乙", employees=10, women_employees=20),  # 3: more women than employees
        row(name="丙", requirement="无需建立"),  # 4: no reason
        row(name="丁", kind="非公企业", subtype="楼宇"),  # 5: an enterprise has no subtype
        row(name="戊", kind="工厂"),  # 6: not a kind
        row(name="己", employees="很多", has_party_org="也许"),  # 7: unreadable cells
        row(name="庚", unit_code=tree.township_b.code),  # 8: county B
        row(name="辛", unit_code="999999999"),  # 9: unknown code
        row(name="壬", unit_code=tree.village_a1.code),  # 10: a village, not an area unit
        row(name="癸", committee="建阳楼宇妇联"),  # 11: county B's committee
        row(name="子", patron="同名"),  # 12: two people of that name
        row(name="丑", credit_code=code_with_check("91350700M00000001")),  # 13: county B's organization's code
        row(name="寅" * 101),  # 14: too long
        row(name="卯", kind="新领域", subtype=None),  # 15: a new domain needs its subtype
        row(name="辰", credit_code=VALID),  # 16: the agency's code, on row 2 already
        row(name="巳", credit_code=code_with_check("91350100M00000002")),  # 17
        row(name="午", credit_code=code_with_check("91350100M00000002")),  # 18: the same code again
        row(name=None),  # 19: no name
    ]
    services.update_organization(users.editor_b, other, {"credit_code": code_with_check("91350700M00000001")})
    data = with_rows(build_template(users.editor_a, tree.county_a), rows)
    before = (Organization.objects.count(), ChangeRecord.objects.count())
    reader = Reader(users.editor_a, tree.county_a).read(data)
    where = {}
    for p in reader.problems:
        where.setdefault((p.row, p.column), []).append(str(p.message))
    first = 5  # rows 2-4 are the template's three organizations
    expected = {
        (first, "统一社会信用代码"): "校验",
        (first + 1, "女职工人数"): "女性",
        (first + 2, "无需建立原因"): "理由",
        (first + 3, "细类"): "细类",
        (first + 4, "类别"): "机关（单位）",
        (first + 5, "职工人数"): "整数",
        (first + 5, "已建党组织"): "是",
        (first + 6, "所属地区区划代码"): "范围",
        (first + 7, "所属地区区划代码"): "区划代码",
        (first + 8, "所属地区区划代码"): "地区",
        (first + 9, "妇女组织"): "建阳楼宇妇联",
        (first + 10, "包建领导所在单位"): "同名",
        (first + 11, "统一社会信用代码"): "范围以外登记",
        (first + 12, "组织名称"): "100",
        (first + 13, "细类"): "细类",
        (first + 14, "统一社会信用代码"): "第 2 行",
        (first + 16, "统一社会信用代码"): "第 ",
        (first + 17, "组织名称"): "",
    }
    for cell, word in expected.items():
        assert cell in where, (cell, where)
        assert any(word in m for m in where[cell]), (cell, where[cell])
    assert "潭城商贸" not in " ".join(where[(first + 11, "统一社会信用代码")])  # not named outside the scope
    assert not {r for r, _c in where} & {2, 3, 4, first + 15}  # the good rows have no problem
    assert not {c for r, c in where if r == first + 4} - {"类别"}  # an unreadable kind: not its subtype too
    assert (Organization.objects.count(), ChangeRecord.objects.count()) == before
    assert agency.name == Organization.objects.get(pk=agency.pk).name


def test_an_import_does_not_move_an_organization(tree, users):
    registered(tree, users)
    book = load_workbook(io.BytesIO(build_template(users.editor_a, tree.county_a)))
    for cells in book[SHEET].iter_rows(min_row=2):
        if cells[2].value == "延平区教育局":
            cells[0].value = tree.township_a.code
    out = io.BytesIO()
    book.save(out)
    reader = Reader(users.editor_a, tree.county_a).read(out.getvalue())
    [problem] = reader.problems
    assert problem.column == "所属地区区划代码" and "延平区" in str(problem.message)


def test_a_file_touching_another_county_is_refused_whole(tree, users):
    data = with_rows(
        build_template(users.editor_a, tree.county_a),
        [
            row(name="本县楼宇"),
            row(name="外县楼宇", unit_code=tree.township_b.code),
            row(name="外县", unit_code=None, unit_name="建阳区"),
        ],
    )
    reader = Reader(users.editor_a, tree.county_a).read(data)
    assert {(p.row, p.column) for p in reader.problems} == {(3, "所属地区区划代码"), (4, "所属地区名称")}
    assert not Organization.objects.exists()
    # The same file for the street alone: the county itself is outside this import too.
    reader = Reader(users.editor_a, tree.township_a).read(data)
    assert (4, "所属地区名称") in {(p.row, p.column) for p in reader.problems}


def test_a_credit_code_taken_between_check_and_commit_refuses_the_import(tree, users):
    code = code_with_check("91350100M00000003")
    data = with_rows(
        build_template(users.editor_a, tree.county_a), [row(name="新楼宇"), row(name="另一座", credit_code=code)]
    )
    reader = Reader(users.editor_a, tree.county_a).read(data)
    assert reader.problems == []
    services.create_organization(
        users.editor_b, tree.township_b, source="test", name="抢先", kind="enterprise", credit_code=code
    )
    with pytest.raises(ImportRefusedError) as refused:
        reader.commit()
    [problem] = refused.value.problems
    assert (problem.row, problem.column) == (3, "统一社会信用代码")
    assert not Organization.objects.filter(name__in=["新楼宇", "另一座"]).exists()


def test_same_named_committees_are_told_apart_by_the_unit_above(tree, users):
    street = make(tree.township_a, "new_domain", "商圈妇联", subtype="business_district")
    make(tree.county_a, "new_domain", "商圈妇联", subtype="business_district")
    template = build_template(users.editor_a, tree.county_a)
    reader = Reader(users.editor_a, tree.county_a).read(with_rows(template, [row(name="甲楼", committee="商圈妇联")]))
    assert [(p.row, p.column) for p in reader.problems] == [(2, "妇女组织上级单位")]
    data = with_rows(template, [row(name="甲楼", committee="商圈妇联", committee_parent=tree.township_a.code)])
    reader = Reader(users.editor_a, tree.county_a).read(data)
    assert reader.problems == [] and reader.commit() == 1
    assert Organization.objects.get().committee == street
    assert Reader(users.editor_a, tree.county_a).read(build_template(users.editor_a, tree.county_a)).commit() == 0


def test_downloads_keep_formula_like_text_as_text_and_read_it_back(tree, users):
    registered(tree, users)
    services.create_organization(
        users.editor_a, tree.township_a, source="test", name=EVIL, kind="enterprise", notes="@x"
    )
    for data in (
        build_template(users.editor_a, tree.county_a),
        build_export(users.viewer, tree.county_a),
        build_contacts(users.viewer, tree.county_a),
    ):
        book = load_workbook(io.BytesIO(data))
        cells = [c for sheet in book.worksheets for r in sheet.iter_rows() for c in r]
        assert [c.coordinate for c in cells if c.data_type == "f"] == []
        assert EVIL in [c.value for c in cells]
    reader = Reader(users.editor_a, tree.county_a).read(build_template(users.editor_a, tree.county_a))
    assert reader.problems == [] and reader.commit() == 0
    assert Organization.objects.filter(name=EVIL, notes="@x").count() == 1


def test_the_contacts_list_by_organization_and_by_committee(tree, users):
    registered(tree, users)
    data = build_contacts(users.viewer, tree.city)
    by_org = sheet_rows(data, BY_ORGANIZATION_SHEET)
    assert sorted(r[1] for r in by_org[1:]) == ["万达广场", "中心市场", "延平区教育局", "潭城商贸"]
    [_header, committee] = sheet_rows(data, BY_COMMITTEE_SHEET)
    assert committee[:5] == ["黄墩商圈妇联", "黄墩街道", "区域联建", 2, "万达广场、中心市场"]
    assert committee[7:] == ["陈联系", "0599-1234567", "林主席"]
    mine = sheet_rows(build_contacts(users.editor_a, tree.county_a), BY_ORGANIZATION_SHEET)
    assert "潭城商贸" not in [r[1] for r in mine]


def test_the_export_follows_the_lists_filters(client, tree, users):
    registered(tree, users)
    client.force_login(users.viewer)
    url = reverse("register:register_export", args=[tree.city.pk])

    def names(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return sorted(r[2] for r in sheet_rows(response.content)[1:])

    assert names() == ["万达广场", "中心市场", "延平区教育局", "潭城商贸"]
    assert names(kind="new_domain") == ["万达广场", "中心市场"]
    assert names(status="built") == ["万达广场", "中心市场"]
    assert names(status="should_build") == ["延平区教育局"]
    assert names(status="not_required") == ["潭城商贸"]
    assert names(kind="nonsense") == names()


def test_every_url_is_scoped(client, tree, users):
    client.force_login(users.editor_a)
    for name in ("register_template", "register_export", "contacts_export", "register_import"):
        for pk in (tree.county_b.pk, tree.township_b.pk, 999999, tree.agency.pk):
            assert client.get(reverse(f"register:{name}", args=[pk])).status_code == 404, (name, pk)
    upload = {"file": SimpleUploadedFile("台账.xlsx", b"x")}
    assert client.post(reverse("register:register_import", args=[tree.county_b.pk]), upload).status_code == 404
    assert not Job.objects.exists()
    client.force_login(users.viewer)  # a viewer downloads, but neither the template nor the import
    assert client.get(reverse("register:register_export", args=[tree.county_b.pk])).status_code == 200
    assert client.get(reverse("register:contacts_export", args=[tree.county_b.pk])).status_code == 200
    assert client.get(reverse("register:register_template", args=[tree.county_b.pk])).status_code == 403
    assert client.get(reverse("register:register_import", args=[tree.county_b.pk])).status_code == 403


def test_upload_check_confirm_and_the_same_file_reports_no_change(client, tree, users):
    client.force_login(users.editor_a)
    page = client.get(reverse("register:register_import", args=[tree.county_a.pk]))
    assert page.status_code == 200 and "下载模板" in page.content.decode()
    template = client.get(reverse("register:register_template", args=[tree.county_a.pk])).content
    data = with_rows(template, [row(name="金山大厦"), row(name="银山大厦")])
    url = reverse("register:register_import", args=[tree.county_a.pk])
    response = client.post(url, {"file": SimpleUploadedFile("台账.xlsx", data)})
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url() and job.status == "ready"
    assert not Organization.objects.exists()
    body = client.get(job.get_absolute_url()).content.decode()
    assert "确认导入" in body and "新增 2" in body
    client.post(job.get_absolute_url())
    job.refresh_from_db()
    assert job.status == "done" and job.summary["changed"] == 2 and Organization.objects.count() == 2
    client.post(url, {"file": SimpleUploadedFile("台账.xlsx", data)})
    again = Job.objects.order_by("-pk").first()
    client.post(again.get_absolute_url())
    again.refresh_from_db()
    assert again.status == "done" and again.summary["changed"] == 0
    assert "0 个组织" in client.get(again.get_absolute_url()).content.decode()


def test_a_bad_upload_lists_its_problems_in_chinese(client, tree, users):
    client.force_login(users.editor_a)
    template = build_template(users.editor_a, tree.county_a)
    data = with_rows(template, [row(name="甲", women_employees=5, employees=1, unit_code=tree.township_b.code)])
    client.post(
        reverse("register:register_import", args=[tree.county_a.pk]), {"file": SimpleUploadedFile("台账.xlsx", data)}
    )
    job = Job.objects.get()
    assert job.status == "invalid"
    body = client.get(job.get_absolute_url()).content.decode()
    assert "范围内" in body and "女性人数不能多于总人数" in body and "确认导入" not in body
    assert not Organization.objects.exists()


def test_today_is_in_the_file_name(client, tree, users):
    client.force_login(users.editor_a)
    response = client.get(reverse("register:contacts_export", args=[tree.county_a.pk]))
    assert f"{datetime.date.today():%Y%m%d}" in response["Content-Disposition"]


def queries(action):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


def test_checking_a_file_and_downloading_take_a_fixed_number_of_queries(client, tree, users):
    registered(tree, users)
    leader = Person.objects.get(name="林主席")

    def counts():
        template = build_template(users.editor_a, tree.county_a)
        client.force_login(users.editor_a)
        return (
            queries(lambda: Reader(users.editor_a, tree.county_a).read(template)),
            queries(lambda: client.get(reverse("register:register_export", args=[tree.county_a.pk]))),
            queries(lambda: client.get(reverse("register:contacts_export", args=[tree.county_a.pk]))),
            queries(lambda: client.get(reverse("register:register_template", args=[tree.county_a.pk]))),
        )

    few = counts()
    committee = make(tree.township_a, "new_domain", "园区妇联", subtype="park")
    for i in range(12):
        services.create_organization(
            users.editor_a,
            tree.township_a,
            source="test",
            name=f"园区企业{i}",
            kind=OrgKind.ENTERPRISE,
            credit_code=code_with_check(f"91350100M{i:08d}"),
            committee=committee,
            patron=leader,
        )
    assert counts() == few
    assert few[0] <= 12, few


def english_on(client, url):
    import html
    import re

    response = client.get(url)
    assert response.status_code == 200, url
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return set(re.findall(r"[A-Za-z][A-Za-z_'-]+", text)) - {"API", "Excel", "xlsx", "editor_a"}


def test_the_import_pages_are_in_chinese(client, tree, users):
    registered(tree, users)
    client.force_login(users.editor_a)
    url = reverse("register:register_import", args=[tree.county_a.pk])
    assert english_on(client, url) == set()
    template = build_template(users.editor_a, tree.county_a)
    for data in (template, with_rows(template, [row(name="甲", kind="工厂", committee="无此组织", patron="无此人")])):
        client.post(url, {"file": SimpleUploadedFile("台账.xlsx", data)})
        job = Job.objects.order_by("-pk").first()
        assert english_on(client, job.get_absolute_url()) == set(), job.problems
    client.post(Job.objects.order_by("pk").first().get_absolute_url())  # confirm the unchanged file
    assert english_on(client, Job.objects.order_by("pk").first().get_absolute_url()) == set()


def test_the_instructions_say_the_rule_that_applies(tree, users):
    services.set_rule(users.admin_a, tree.county_a, {"min_women": 15, "chair_patron_from": 80})
    guide = {r[0]: r[2] for r in sheet_rows(build_template(users.editor_a, tree.township_a), GUIDE_SHEET)}
    assert "已建党组织或女职工 15 人以上的应建" in guide["是否应建"]
    assert "80 人以上" in guide["职工人数"] and "30 人以上" in guide["职工人数"]


def test_an_organization_changed_between_check_and_commit_refuses_the_import(tree, users):
    agency, *_ = registered(tree, users)
    book = load_workbook(io.BytesIO(build_template(users.editor_a, tree.county_a)))
    for cells in book[SHEET].iter_rows(min_row=2):
        if cells[2].value == "延平区教育局":
            cells[TITLES.index("地址")].value = "滨江路 1 号"
    out = io.BytesIO()
    book.save(out)
    reader = Reader(users.editor_a, tree.county_a).read(out.getvalue())
    assert reader.problems == [] and reader.summary()["updated"] == 1
    services.update_organization(users.admin_a, agency, {"head_phone": "13900000000"})
    with pytest.raises(ImportRefusedError) as refused:
        reader.commit()
    [problem] = refused.value.problems
    assert (problem.row, problem.column) == (2, "组织名称") and "有人修改" in str(problem.message)
    assert Organization.objects.get(pk=agency.pk).address == ""
