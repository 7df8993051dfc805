"""Stored compliance (funding.results): after every kind of write the stored results equal a fresh
measurement (funding.compliance), the reads cost a fixed number of queries, an import recomputes once,
and a subtree of a province is recomputed in the background while reads measure it in the request."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from federation import datacache
from funding import results, services
from funding.compliance import STANDARDS, compliance, summarize
from funding.excel import FundingImporter
from funding.models import FundingRecord, FundingStandard, StaleCompliance, UnitCompliance, WomenPopulation
from funding.plugs import dashboard_panel
from orgtree import services as units
from orgtree.choices import Kind
from orgtree.conversion import record_conversion
from orgtree.coverage import coverage, coverage_by_child
from orgtree.models import Unit
from tests.conftest import make
from tests.funding.test_services_import import workbook
from tests.orgtree.test_conversion import data

Y = timezone.localdate().year


def line(unit, amount, year=Y, source="same_level_budget", category="work_funds"):
    fields = {"year": year, "category": category, "source": source, "budgeted": amount}
    return services.record_funding(None, unit, fields, source="test")[0]


def stored(unit, year):
    """{unit pk: {standard: (status, value)}} as stored, for the open units of `unit`'s subtree."""
    rows = UnitCompliance.objects.filter(
        unit__in=Unit.objects.filter(unit.subtree_q(), closed_on__isnull=True), year=year
    )
    return {
        row.unit_id: {key: (getattr(row, key), getattr(row, f"{key}_value")) for key in STANDARDS if getattr(row, key)}
        for row in rows
    }


def fresh(unit, year):
    return {pk: applied for pk, applied in compliance(unit, year)[1].items() if applied}


def assert_fresh(tree):
    for year in results.kept_years():
        assert stored(tree.province, year) == fresh(tree.province, year), year
    assert not StaleCompliance.objects.exists()


@pytest.fixture
def city_standard(tree):
    services.set_standard(
        None,
        tree.city,
        Y,
        per_woman="2",
        township_funds="30000",
        village_funds_in_budget=True,
        chair_pay_ratio="0.3333",
        source="test",
    )
    return tree


def test_every_write_keeps_the_stored_results_fresh(city_standard, tree, users, django_capture_on_commit_callbacks):
    assert_fresh(tree)
    assert stored(tree.city, Y)[tree.township_a.pk] == {"township_funds": ("missed", Decimal("0"))}
    # funding's own services recompute before they return
    line(tree.township_a, "30000")
    line(tree.village_a1, "5000")
    line(tree.village_a2, "5000", source="higher_federation")
    services.record_population(None, tree.county_a, Y, 150_000, source="test")
    line(tree.county_a, "300000")  # work funds: not what the per-woman standard measures
    assert stored(tree.city, Y)[tree.county_a.pk] == {"per_woman": ("missed", Decimal("0.00"))}
    line(tree.county_a, "300000", category="women_children")  # 妇女儿童民生项目经费
    assert stored(tree.city, Y)[tree.county_a.pk] == {"per_woman": ("met", Decimal("2.00"))}
    assert_fresh(tree)
    services.record_population(None, tree.county_a, Y, 150_001, source="test")
    assert stored(tree.city, Y)[tree.county_a.pk]["per_woman"][0] == "missed"
    services.set_standard(None, tree.county_b, Y + 1, township_funds="50000", source="test")  # from next year
    assert_fresh(tree)
    # orgtree's writers, when their transaction commits: a chair's pay through the 会改联 record ...
    with django_capture_on_commit_callbacks(execute=True):
        record_conversion(users.editor_a, tree.village_a1, data(pay_year=Y))
    assert stored(tree.city, Y)[tree.village_a1.pk]["chair_pay"] == ("met", Decimal("0.4000"))
    assert_fresh(tree)
    # ... and units: closed, moved, created, changed
    with django_capture_on_commit_callbacks(execute=True):
        units.close_unit(None, tree.village_a3, datetime.date(2024, 6, 30))
    assert tree.village_a3.pk not in stored(tree.city, Y)
    with django_capture_on_commit_callbacks(execute=True):
        units.move_unit(None, tree.township_b, tree.county_a)  # leaves 建阳区's standard for 延平区's (none)
    with django_capture_on_commit_callbacks(execute=True):
        new = make(tree.township_a, Kind.VILLAGE, "新建村", "350702003202")
    assert stored(tree.city, Y)[new.pk]["village_funds_in_budget"] == ("missed", Decimal("0"))
    with django_capture_on_commit_callbacks(execute=True):
        units.update_unit(None, tree.township_a, {"kind": Kind.TOWNSHIP})
    assert_fresh(tree)
    assert results.refresh_all() == 0  # every write kept its rows: the nightly run rewrites nothing


def test_a_standard_set_above_a_city_is_recomputed_in_the_background(
    tree, users, monkeypatch, django_capture_on_commit_callbacks
):
    line(tree.township_a, "20000")
    queued = []
    monkeypatch.setattr(results.refresh_stale, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_standard(None, tree.province, Y, township_funds="30000", source="test")
    flag = StaleCompliance.objects.get()
    assert (flag.unit_id, flag.year, queued) == (tree.province.pk, Y, [flag.pk])
    assert stored(tree.province, Y) == {}  # not yet recomputed ...
    report = results.Report(tree.city, Y)
    assert not report.stored and report.overall()["township_funds"] == {"met": 0, "missed": 2, "unknown": 0}
    results.refresh_stale(flag.pk)  # ... until the task runs
    assert_fresh(tree)
    assert results.Report(tree.city, Y).stored


def test_the_background_task_runs_after_the_commit(tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # Celery is eager in the tests
        services.set_standard(None, tree.province, Y, village_funds_in_budget=True, source="test")
    assert_fresh(tree)
    assert len(stored(tree.province, Y)) == 4


def test_rows_written_around_the_services_are_recomputed_when_saved(tree, users):
    FundingStandard.objects.create(unit=tree.county_a, year=Y, township_funds=Decimal("30000"))
    FundingRecord.objects.create(
        unit=tree.township_a, year=Y, category="work_funds", source="social", budgeted=Decimal("30000")
    )
    assert results.Report(tree.city, Y).overall()["township_funds"] == {"met": 1, "missed": 0, "unknown": 0}
    assert_fresh(tree)


def test_an_import_recomputes_once_at_the_end(city_standard, tree, users, monkeypatch):
    calls = []
    real = results.refresh
    monkeypatch.setattr(results, "refresh", lambda *args, **kw: calls.append(args) or real(*args, **kw))
    book = workbook(
        users.editor_a,
        tree.county_a,
        funds=[
            ["350702003", "黄墩街道", Y, "工作经费", "同级财政", 30000, None, ""],
            ["350702003001", "黄墩社区", Y, "工作经费", "同级财政", 5000, None, ""],
            ["350702003002", "西门社区", Y, "工作经费", "同级财政", 5000, None, ""],
        ],
        population={"350702": 150000},
    )
    importer = FundingImporter(users.editor_a, tree.county_a)
    assert importer.read(book).problems == []
    assert importer.commit() == 4
    assert len(calls) == 1
    assert_fresh(tree)


def test_other_years_are_measured_in_the_request(city_standard, tree):
    old = results.kept_years()[0] - 1
    FundingStandard.objects.create(unit=tree.city, year=old, township_funds=Decimal("30000"))
    line(tree.township_a, "30000", year=old)
    report = results.Report(tree.city, old)
    assert not report.stored
    assert report.overall() == summarize(*compliance(tree.city, old))[0]
    assert not UnitCompliance.objects.filter(year=old).exists()


def test_the_stored_and_measured_reports_agree(city_standard, tree, monkeypatch):
    line(tree.township_a, "30000")
    line(tree.village_a1, "5000")
    WomenPopulation.objects.create(unit=tree.county_b, year=Y, women=1000)
    children = list(tree.city.children.open().order_by("code", "name", "pk"))
    report = results.Report(tree.city, Y)
    assert report.stored
    monkeypatch.setattr(results, "kept_years", lambda today=None: [])
    measured = results.Report(tree.city, Y)
    assert not measured.stored
    assert report.overall() == measured.overall()
    assert report.by_child(children) == measured.by_child(children)
    assert report.summary(children) == (report.overall(), report.by_child(children))
    for unit in (tree.county_a, tree.township_a, tree.village_a1):  # every kind of row column, and none
        below = list(unit.children.open().order_by("code", "name", "pk"))
        found = results.Report(unit, Y)
        assert found.summary(below) == (found.overall(), found.by_child(below))
    assert report.missing() == measured.missing()
    assert list(report.measured()) == list(measured.measured())


def test_the_panel_and_page_cost_a_fixed_number_of_queries(
    city_standard, tree, users, client, django_assert_num_queries
):
    client.force_login(users.viewer)
    page = reverse("funding:funding", args=[tree.city.pk])
    client.get(page)

    def panel():
        children = [c for c, _f in coverage_by_child(tree.city)]
        figures = coverage(tree.city)
        # stale flags; the unit's and the children's own rows; the rows below the counties (by
        # county_id): the subtree's total is their sum
        with django_assert_num_queries(3):
            return dashboard_panel(tree.city, children, figures)

    first = panel()
    with django_assert_num_queries(21):  # the same three, the standards in force, money, lists, the page
        client.get(page)
    for n in range(30):  # more units measured, more lines: the same queries
        village = make(tree.township_b, Kind.VILLAGE, f"新村{n}", f"350703001{300 + n}")
        line(village, "100")
    assert panel() != first
    with django_assert_num_queries(21):
        client.get(page)


def test_a_transaction_that_touches_very_many_units_is_recomputed_whole_in_the_background(
    city_standard, tree, monkeypatch
):
    monkeypatch.setattr(results, "MANY", 2)
    queued = []
    monkeypatch.setattr(results.refresh_stale, "delay", queued.append)
    with results.batch():
        for unit in (tree.township_a, tree.village_a1, tree.village_a2):
            line(unit, "30000")
    flag = StaleCompliance.objects.get()
    assert flag.unit_id is None and queued == [] and not results.Report(tree.township_a, Y).stored
    results.refresh_stale(flag.pk)
    assert_fresh(tree)


def test_the_kept_funding_page_shows_the_next_write_and_stays_in_scope(
    client, tree, users, settings, django_capture_on_commit_callbacks, django_assert_num_queries
):
    settings.BANYAN = {**settings.BANYAN, "FIGURE_CACHE_SECONDS": 300}  # federation.datacache on
    datacache.move_on()
    client.force_login(users.viewer)
    url = reverse("funding:funding", args=[tree.city.pk])
    before = client.get(url, {"year": Y}).context["money"]["budgeted"]
    with django_assert_num_queries(8):  # session, user, scopes, unit, lineage, badge, records, projects
        assert client.get(url, {"year": Y}).context["money"]["budgeted"] == before
    with django_capture_on_commit_callbacks(execute=True):
        line(tree.county_a, Decimal("5000"))
    assert client.get(url, {"year": Y}).context["money"]["budgeted"] == (before or 0) + Decimal("5000")
    client.force_login(users.editor_b)
    assert client.get(reverse("funding:funding", args=[tree.county_a.pk]), {"year": Y}).status_code == 404
