"""Funding writes, the Excel import (all or nothing, per-row problems, idempotent), pages, API and
scope."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from federation.audit import history_of
from federation.models import Job
from funding import services
from funding.excel import FUNDS_SHEET, POPULATION_SHEET, FundingImporter, build_template
from funding.models import FundingRecord, FundingStandard, WomenPopulation
from tests.reform.test_problems_tasks import PDF

Y = 2025


def workbook(user, unit, funds=(), population=None):
    book = load_workbook(io.BytesIO(build_template(user, unit, Y)))
    for row in funds:
        book[FUNDS_SHEET].append(row)
    sheet = book[POPULATION_SHEET]
    for row in sheet.iter_rows(min_row=2):
        if population and row[0].value in population:
            row[3].value = population[row[0].value]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_record_funding_upserts_the_line_and_keeps_history(tree, users):
    record, changed = services.record_funding(
        users.editor_a,
        tree.township_a,
        {"year": Y, "category": "work_funds", "source": "same_level_budget", "budgeted": "30000.00"},
    )
    assert changed and record.budgeted == Decimal("30000.00")
    again, changed = services.record_funding(
        users.editor_a,
        tree.township_a,
        {"year": Y, "category": "work_funds", "source": "same_level_budget", "budgeted": Decimal("30000")},
    )
    assert again.pk == record.pk and not changed
    services.record_funding(
        users.editor_a,
        tree.township_a,
        {
            "year": Y,
            "category": "work_funds",
            "source": "same_level_budget",
            "budgeted": "35000",
            "disbursed": "20000.5",
        },
    )
    assert [r.action for r in history_of(record, None).order_by("at", "pk")] == ["create", "update"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("budgeted", "-1"),
        ("budgeted", "1.005"),
        ("budgeted", "abc"),
        ("budgeted", None),
        ("year", 1990),
        ("category", "gift"),
    ],
)
def test_bad_funding_is_refused_in_chinese(tree, users, field, value):
    fields = {"year": Y, "category": "work_funds", "source": "same_level_budget", "budgeted": "100", field: value}
    with pytest.raises(ValidationError) as error:
        services.record_funding(users.editor_a, tree.township_a, fields)
    assert any("\u4e00" <= ch <= "\u9fff" for m in error.value.messages for ch in m)
    assert not FundingRecord.objects.exists()


def test_floats_are_read_as_their_decimal_text(tree, users):
    record, _changed = services.record_funding(
        users.editor_a, tree.township_a, {"year": Y, "category": "other", "source": "social", "budgeted": 0.1}
    )
    assert record.budgeted == Decimal("0.10")


def test_scope_and_roles_for_writes(tree, users):
    with pytest.raises(PermissionDenied):
        services.record_funding(
            users.editor_b,
            tree.township_a,
            {"year": Y, "category": "work_funds", "source": "same_level_budget", "budgeted": "1"},
        )
    with pytest.raises(PermissionDenied):
        services.record_population(users.viewer, tree.county_a, Y, 1000)
    with pytest.raises(PermissionDenied):  # standards: the unit's admins only
        services.set_standard(users.editor_a, tree.county_a, Y, township_funds="30000")
    standard = services.set_standard(users.admin_a, tree.county_a, Y, township_funds="30000", chair_pay_ratio="0.3333")
    assert standard.township_funds == Decimal("30000.00") and standard.per_woman is None
    with pytest.raises(ValidationError):
        services.set_standard(users.admin_a, tree.county_a, Y, chair_pay_ratio="1.5")


def test_a_good_import_saves_everything_and_again_changes_nothing(tree, users):
    data = workbook(
        users.editor_a,
        tree.county_a,
        funds=[
            ["350702003", "黄墩街道", Y, "工作经费", "同级财政", "30,000", 25000, "县财政"],
            ["350702003001", "黄墩社区", Y, "工作经费", "同级财政", 5000, None, ""],
        ],
        population={"350702": 150000},
    )
    importer = FundingImporter(users.editor_a, tree.county_a).read(data)
    assert importer.problems == []
    assert importer.commit() == 3
    assert FundingRecord.objects.get(unit=tree.township_a).budgeted == Decimal("30000.00")
    assert WomenPopulation.objects.get(unit=tree.county_a, year=Y).women == 150000
    again = FundingImporter(users.editor_a, tree.county_a).read(build_template(users.editor_a, tree.county_a, Y))
    assert again.problems == [] and again.commit() == 0


def test_a_bad_import_lists_every_problem_and_changes_nothing(tree, users):
    data = workbook(
        users.editor_a,
        tree.county_a,
        funds=[
            ["350703001", "潭城街道", Y, "工作经费", "同级财政", 1, None, ""],  # another county
            ["350702003", "黄墩街道", "明年", "工作经费", "同级财政", 1, None, ""],  # bad year
            ["350702003", "黄墩街道", Y, "奖金", "路边", "1.234", "-5", ""],  # category, source, amounts
            ["350702003", "黄墩街道", Y, "工作经费", "同级财政", 1, None, ""],
            ["350702003", "黄墩街道", Y, "工作经费", "同级财政", 2, None, ""],  # the same line twice
        ],
        population={"350702": "很多"},
    )
    importer = FundingImporter(users.editor_a, tree.county_a).read(data)
    where = {(p.sheet, p.row, p.column) for p in importer.problems}
    assert (FUNDS_SHEET, 2, "区划代码") in where and (FUNDS_SHEET, 3, "年度") in where
    assert {(FUNDS_SHEET, 4, c) for c in ("类别", "来源", "预算金额（元）", "到位金额（元）")} <= where
    assert (FUNDS_SHEET, 6, "区划代码") in where and (POPULATION_SHEET, 2, "妇女人数") in where
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in str(p.message)) for p in importer.problems)
    with pytest.raises(ValueError):
        importer.commit()
    assert not FundingRecord.objects.exists() and not WomenPopulation.objects.exists()


def test_the_import_job_goes_through_the_shared_pages(client, tree, users):
    client.force_login(users.editor_a)
    data = workbook(users.editor_a, tree.county_a, population={"350702": 150000})
    response = client.post(
        reverse("funding:import", args=[tree.county_a.pk]), {"file": SimpleUploadedFile("经费.xlsx", data)}
    )
    job = Job.objects.get(kind="funding_import")
    assert response.url == job.get_absolute_url() and job.status == Job.Status.READY
    page = client.get(job.get_absolute_url())
    assert "1" in page.context["described"]
    client.post(job.get_absolute_url())
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and WomenPopulation.objects.count() == 1
    client.force_login(users.editor_b)
    assert client.get(job.get_absolute_url()).status_code == 404


def test_funding_pages_and_exports_are_scoped(client, tree, users):
    services.record_funding(
        users.editor_a,
        tree.township_a,
        {"year": Y, "category": "work_funds", "source": "same_level_budget", "budgeted": "30000"},
    )
    FundingStandard.objects.create(unit=tree.city, year=Y, township_funds=Decimal("30000"))
    client.force_login(users.editor_a)
    for name in ("funding:funding", "funding:export", "funding:template", "funding:import"):
        assert client.get(reverse(name, args=[tree.county_a.pk]), {"year": Y}).status_code == 200
        assert client.get(reverse(name, args=[tree.county_b.pk]), {"year": Y}).status_code == 404
    client.force_login(users.viewer)
    page = client.get(reverse("funding:funding", args=[tree.city.pk]), {"year": Y})
    rows = {child.name: cells for child, cells, _money in page.context["rows"]}
    assert rows["延平区"][1] == {"met": 1, "missed": 0, "unknown": 0}
    assert rows["建阳区"][1] == {"met": 0, "missed": 1, "unknown": 0}
    # The headline tiles come from funding's registered figures, money in whole yuan.
    assert '<span class="value">30000</span><span class="label">预算金额（元）</span>' in page.content.decode()
    assert client.get(reverse("funding:template", args=[tree.city.pk])).status_code == 403  # a viewer
    export = client.get(reverse("funding:export", args=[tree.city.pk]), {"year": Y})
    book = load_workbook(io.BytesIO(export.content))
    assert "潭城街道" in [c for row in book.worksheets[1].iter_rows(values_only=True) for c in row]


def test_entering_funds_on_the_page_keeps_bad_input(client, tree, users):
    client.force_login(users.editor_a)
    url = reverse("funding:funding", args=[tree.township_a.pk])
    response = client.post(
        url,
        {"action": "record", "year": Y, "category": "work_funds", "source": "same_level_budget", "budgeted": "三万"},
    )
    assert response.status_code == 200 and "三万" in response.content.decode()
    response = client.post(
        url,
        {
            "action": "record",
            "year": Y,
            "category": "work_funds",
            "source": "same_level_budget",
            "budgeted": "30000",
            "document": SimpleUploadedFile("预算批复.pdf", PDF),
        },
    )
    assert response.status_code == 302
    record = FundingRecord.objects.get(unit=tree.township_a)
    document = reverse("funding:document", args=[record.pk])
    assert client.get(document)["Content-Disposition"].startswith("attachment")
    client.force_login(users.editor_b)
    assert client.get(document).status_code == 404


def test_funding_api_is_scoped_and_keeps_cents(api, tree, users):
    services.record_funding(
        users.editor_a,
        tree.township_a,
        {"year": Y, "category": "work_funds", "source": "same_level_budget", "budgeted": "0.10"},
    )
    services.record_funding(
        users.editor_a,
        tree.township_a,
        {"year": Y, "category": "award", "source": "same_level_budget", "budgeted": "0.20"},
    )
    url = reverse("api:unit-funding", args=[tree.county_a.pk])
    assert api(users.editor_b).get(url).status_code == 404
    body = api(users.editor_a).get(url, {"year": Y}).json()
    assert body["money"]["budgeted"] == "0.30"
    by_child = api(users.viewer).get(reverse("api:unit-funding", args=[tree.city.pk]), {"year": Y, "by": "children"})
    assert {c["name"] for c in by_child.json()["children"]} >= {"延平区", "建阳区"}
    records = reverse("api:funding-record-list")
    line = {"unit": tree.township_b.pk, "year": Y, "category": "work_funds", "source": "social", "budgeted": "5"}
    assert api(users.editor_a).post(records, line, format="json").status_code in (400, 403)
    line["unit"] = tree.township_a.pk
    assert api(users.editor_a).post(records, line, format="json").status_code == 201
    assert api(users.editor_b).get(records).json()["count"] == 0
    standard = {"unit": tree.county_a.pk, "year": Y, "township_funds": "30000"}
    assert api(users.editor_a).post(reverse("api:funding-standard-list"), standard, format="json").status_code == 403
    assert api(users.admin_a).post(reverse("api:funding-standard-list"), standard, format="json").status_code == 201


def test_population_and_project_api_are_scoped(api, tree, users):
    population = reverse("api:women-population-list")
    row = {"unit": tree.county_b.pk, "year": Y, "women": 1000}
    assert api(users.editor_a).post(population, row, format="json").status_code == 400
    row["unit"] = tree.county_a.pk
    assert api(users.viewer).post(population, row, format="json").status_code == 403
    assert api(users.editor_a).post(population, row, format="json").status_code == 201
    assert api(users.editor_b).get(population).json()["count"] == 0
    projects = reverse("api:project-list")
    project = {
        "unit": tree.county_a.pk,
        "name": "巾帼家政培训",
        "year": Y,
        "amount": "790000.00",
        "source": "higher_federation",
    }
    created = api(users.editor_a).post(projects, project, format="json")
    assert created.status_code == 201 and created.json()["amount"] == "790000.00"
    assert api(users.editor_b).get(reverse("api:project-detail", args=[created.json()["id"]])).status_code == 404
    project["unit"] = tree.county_b.pk
    assert api(users.editor_a).post(projects, project, format="json").status_code == 400


def test_a_closed_unit_shows_its_standards_and_is_not_measured(api, client, tree, users):
    import datetime

    from orgtree.services import close_unit

    FundingStandard.objects.create(unit=tree.city, year=Y, chair_pay_ratio=Decimal("0.3333"))
    close_unit(None, tree.village_a3, datetime.date(2024, 6, 30))
    body = api(users.editor_a).get(reverse("api:unit-funding", args=[tree.village_a3.pk]), {"year": Y}).json()
    assert body["standards"]["chair_pay_ratio"] == {"value": "0.3333", "set_by": tree.city.pk, "from_year": Y}
    assert body["compliance"]["chair_pay"] == {"met": 0, "missed": 0, "unknown": 0}
    client.force_login(users.editor_a)
    assert client.get(reverse("funding:funding", args=[tree.village_a3.pk]), {"year": Y}).status_code == 200


def test_the_funding_check_finds_every_problem_the_commit_would_meet(tree, users):
    from federation.imports import ImportRefusedError

    data = workbook(
        users.editor_a,
        tree.county_a,
        funds=[
            ["350702003", "黄墩街道", 1999, "工作经费", "同级财政", 1, None, ""],  # a year out of range
            ["350702003", "黄墩街道", Y, "项目经费", "同级财政", 10**12, None, ""],  # too large to store
            ["350702003", "黄墩街道", Y, "以奖代补", "同级财政", None, 5, ""],  # no budget
            ["350702003", "黄墩街道", Y, "其他", "同级财政", 1, None, "长" * 250],  # a note too long
            ["350702003", "黄墩街道", "明年", "工作经费", "同级财政", 1, None, ""],  # unreadable year
            ["350702003", "黄墩街道", Y, "奖金", "同级财政", "1.234", None, ""],  # unreadable cells
            ["350702003", "黄墩街道", None, "工作经费", "同级财政", 1, None, ""],  # no year
            ["350702003", "黄墩街道", 0, "工作经费", "同级财政", 1, None, ""],  # year 0
        ],
        population={"350702": 3_000_000_000, "350702003": "很多"},
    )
    importer = FundingImporter(users.editor_a, tree.county_a).read(data)
    where = {(p.sheet, p.row, p.column): str(p.message) for p in importer.problems}
    assert "2000" in where[(FUNDS_SHEET, 2, "年度")]
    assert "过大" in where[(FUNDS_SHEET, 3, "预算金额（元）")]
    assert "金额" in where[(FUNDS_SHEET, 4, "预算金额（元）")]
    assert "200" in where[(FUNDS_SHEET, 5, "说明")]
    assert "2000" in where[(FUNDS_SHEET, 8, "年度")] and "2000" in where[(FUNDS_SHEET, 9, "年度")]
    assert (POPULATION_SHEET, 2, "妇女人数") in where and (POPULATION_SHEET, 3, "妇女人数") in where
    assert len(where) == len(importer.problems)  # one problem per cell
    unreadable = {
        p
        for p in importer.problems
        if (p.row in (6, 7) and p.sheet == FUNDS_SHEET) or (p.sheet, p.row) == (POPULATION_SHEET, 3)
    }
    assert unreadable
    check = set(importer.problems)
    importer.problems, importer._reported, importer.problem_count = [], set(), 0
    with pytest.raises(ImportRefusedError) as refused:
        importer.commit()
    assert set(refused.value.problems) == check - unreadable
    assert not FundingRecord.objects.exists() and not WomenPopulation.objects.exists()


def test_a_funding_commit_that_meets_a_scope_change_reports_each_row(tree, users):
    from federation.imports import ImportRefusedError
    from federation.models import UserScope

    data = workbook(
        users.editor_a,
        tree.county_a,
        funds=[["350702003", "黄墩街道", Y, "工作经费", "同级财政", 1, None, ""]],
        population={"350702": 150000},
    )
    importer = FundingImporter(users.editor_a, tree.county_a).read(data)
    assert importer.problems == []
    UserScope.objects.filter(user=users.editor_a).delete()
    importer.user = type(users.editor_a).objects.get(pk=users.editor_a.pk)  # as the worker loads her
    with pytest.raises(ImportRefusedError) as refused:
        importer.commit()
    assert {(p.sheet, p.row, p.column) for p in refused.value.problems} == {
        (FUNDS_SHEET, 2, "区划代码"),
        (POPULATION_SHEET, 2, "区划代码"),
    }
    assert not FundingRecord.objects.exists()


@pytest.mark.parametrize("amount", ["1e30", "123456789012345678901234567890.5"])
def test_an_amount_of_more_digits_than_decimal_can_hold_is_refused_in_chinese(amount):
    # Pages and imports reach this rule with what people typed (the API's DecimalField stops them earlier).
    with pytest.raises(ValidationError) as error:
        services.check_amount(amount, "budgeted")
    assert "过大" in str(error.value)


def test_a_requirement_switched_off_reads_not_required(client, tree, users):
    FundingStandard.objects.create(unit=tree.county_a, year=Y, village_funds_in_budget=False)
    client.force_login(users.editor_a)
    page = client.get(reverse("funding:funding", args=[tree.county_a.pk]), {"year": Y}).content.decode()
    assert "不要求" in page and "False" not in page


def test_livelihood_project_funds_import_by_the_documents_name_and_the_older_one(tree, users):
    """妇女儿童民生项目经费 is the category's name in the template; 妇女儿童民生 from older files still reads."""
    data = workbook(
        users.editor_a,
        tree.county_a,
        funds=[
            ["350702", "延平区", Y, "妇女儿童民生项目经费", "同级财政", 300000, None, ""],
            ["350702003", "黄墩街道", Y, "妇女儿童民生", "同级财政", 1000, None, ""],
        ],
    )
    importer = FundingImporter(users.editor_a, tree.county_a).read(data)
    assert importer.problems == [] and importer.commit() == 2
    assert set(FundingRecord.objects.values_list("category", flat=True)) == {"women_children"}
    book = load_workbook(io.BytesIO(build_template(users.editor_a, tree.county_a, Y)))
    assert {row[3] for row in book[FUNDS_SHEET].iter_rows(min_row=2, values_only=True)} == {"妇女儿童民生项目经费"}
