"""Group sums (GroupFigures): after every kind of write, the stored sums equal a recount of the
units' stored figures, and the figures of every county and above equal those computed from the
records; today's figures of a county and above read the groups in one statement."""

import datetime
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from orgtree import coverage, elections, services
from orgtree.choices import Form, Kind
from orgtree.committees import delay_term
from orgtree.conversion import record_conversion
from orgtree.conversion_excel import ConversionImporter
from orgtree.coverage import FIGURES, coverage_by_child, recount_groups, refresh_all, refresh_figures
from orgtree.models import Election, GroupFigures, GroupFiguresDay, Office, Term, TermDelay, Unit, UnitFigures
from orgtree.models.position import ServicePosition
from orgtree.tasks import turn_the_day_task
from tests.conftest import make
from tests.orgtree.test_conversion import data
from tests.orgtree.test_conversion_excel import good_file
from tests.orgtree.test_divisions import ZHENXING, load, rows_of, write
from tests.orgtree.test_elections import build_election

ZEROS = dict.fromkeys(FIGURES.sums, 0)


@pytest.fixture
def counted(db, request):
    """The tree of tests/conftest.py built with the group sums counted from the start (an empty
    database is counted: the sums then follow every write), and a second city to move things to."""
    recount_groups()
    tree = request.getfixturevalue("tree")
    tree.national = make(None, Kind.NATIONAL, "全国妇联")
    services.move_unit(None, tree.province, tree.national)
    tree.city_2 = make(tree.province, Kind.CITY, "三明市", "3504")
    tree.county_c = make(tree.city_2, Kind.COUNTY, "三元区", "350404")
    tree.township_c = make(tree.county_c, Kind.TOWNSHIP, "莘口镇", "350404100")
    tree.village_c1 = make(tree.township_c, Kind.VILLAGE, "莘口村", "350404100201", form=Form.CONGRESS)
    return tree


def assert_consistent(past=True):
    """Stored sums == a recount of UnitFigures; every county and above: groups == unit rows == records,
    today and (`past`) on every other day where figures move."""
    stored, recounted = coverage.group_sums(), coverage.counted_groups()
    for anchor in stored.keys() | recounted.keys():
        assert stored.get(anchor, ZEROS) == recounted.get(anchor, ZEROS), Unit.objects.get(pk=anchor).name
    today = timezone.localdate()
    assert GroupFiguresDay.objects.get().day == today
    units = Unit.objects.open().filter(kind__in=coverage.GROUP_KINDS)
    for unit in units:
        sums = coverage._group_total(unit, today)
        assert sums is not None, unit.name
        from_groups = FIGURES.complete(sums)
        from_rows = coverage.figures_total(unit, coverage._fast_bases(today), FIGURES)
        from_records = coverage.coverage(unit, from_records=True)
        assert from_groups == from_rows == from_records, unit.name
        assert coverage.coverage(unit) == from_records
        by_child = coverage_by_child(unit)
        by_rows = coverage.figures_by_child([c for c, _ in by_child], coverage._fast_bases(today), FIGURES)
        assert by_child == by_rows, unit.name
    if past:
        assert_past_days_consistent(units)
    return units


def recorded_days():
    """Every date the records carry and the day before (a term's due date: the day after), and a day
    ahead: the days figures move on."""
    days = set()
    for model, fields in (
        (Unit, ("opened_on", "closed_on")),
        (Office, ("started_on", "ended_on")),
        (Term, ("started_on", "ended_on")),
        (ServicePosition, ("opened_on", "closed_on")),
        (Election, ("held_on",)),
        (TermDelay, ("approved_on",)),
    ):
        for field in fields:
            days.update(d for d in model.objects.values_list(field, flat=True) if d)
    days |= {d - datetime.timedelta(days=1) for d in days}
    days |= {d + datetime.timedelta(days=n) for d in Term.objects.values_list("due_on", flat=True) for n in (0, 1)}
    today = timezone.localdate()
    return sorted(days | {today - datetime.timedelta(days=1), today + datetime.timedelta(days=40)})


def assert_past_days_consistent(units):
    """Any other day: today's groups taken there by the rows that moved == counted from the records:
    the totals of the top units and of one unit of each kind, and every unit's figures as the child
    of its parent (the rollup's path)."""
    tops = [unit for unit in units if unit.parent_id is None]
    tops += list({unit.kind: unit for unit in units if unit.parent_id is not None}.values())  # one of each kind
    parents = [unit for unit in units if unit.kind != Kind.COUNTY]
    for day in recorded_days():
        for unit in tops:
            assert coverage.coverage(unit, day) == coverage.coverage(unit, day, from_records=True), (unit.name, day)
        for unit in parents:
            by_child = coverage_by_child(unit, day)
            by_records = coverage.figures_by_child([c for c, _ in by_child], coverage._bases(day), FIGURES)
            assert by_child == by_records, (unit.name, day)


def test_the_columns_are_the_summed_figures():
    columns = [
        f.name for f in GroupFigures._meta.get_fields() if f.name not in ("anchor", *("province", "city", "county"))
    ]
    assert columns == FIGURES.sums


def test_creating_and_editing_units(counted):
    t = counted
    assert_consistent(past=False)
    make(t.township_a, Kind.VILLAGE, "新村", "350702003202", form=Form.CONGRESS, opened_on=datetime.date(2023, 5, 1))
    make(t.village_a1, Kind.WOMEN_GROUP, "楼栋妇女小组")
    make(t.city, Kind.COUNTY, "新设区", "350799")
    make(t.national, Kind.AGENCY, "全国妇联机关妇委会")
    make(t.county_b, Kind.NEW_DOMAIN, "某园区妇联", subtype="park")
    assert_consistent(past=False)
    services.update_unit(None, t.village_a2, {"kind": Kind.VILLAGE})
    services.update_unit(None, t.village_a3, {"form": Form.FEDERATION})
    services.update_unit(None, t.county_a, {"name": "延平区妇联"})
    assert_consistent()


@pytest.fixture(params=["in Python", "in SQL"])
def counting(request, monkeypatch):
    """A write's contributions counted in Python (a few rows) or in SQL (a bulk write)."""
    if request.param == "in SQL":
        monkeypatch.setattr(coverage, "IN_PYTHON", 0)


def test_moves_between_counties_cities_and_provinces(counting, counted):
    t = counted
    make(t.village_a1, Kind.WOMEN_GROUP, "楼栋妇女小组")
    record_conversion(None, t.village_a1, data())
    services.move_unit(None, t.township_a, t.county_b)  # a township and its villages to another county
    assert_consistent(past=False)
    services.move_unit(None, t.village_b1, t.township_c)  # a village to another city
    services.move_unit(None, t.agency, t.county_c)  # a city's agency into a county
    assert_consistent(past=False)
    services.move_unit(None, t.county_b, t.city_2)  # a county with its groups' sums to another city
    assert_consistent(past=False)
    other = make(t.national, Kind.PROVINCE, "江西省", "36")
    services.move_unit(None, t.city_2, other)  # a city with its counties to another province
    assert_consistent()
    assert GroupFigures.objects.get(pk=t.county_b.pk).province_id == other.pk


def test_closing_today_and_later(counted):
    t = counted
    record_conversion(None, t.village_a1, data())
    services.close_unit(None, t.village_a3, timezone.localdate())
    services.close_unit(None, t.village_a2, timezone.localdate() + datetime.timedelta(days=30))  # open today
    assert_consistent()
    assert coverage.coverage(t.county_a)["villages_total"] == 2


def test_conversion_form_election_and_delay(counting, counted, users):
    t = counted
    record_conversion(users.editor_a, t.village_a1, data())
    record_conversion(users.root, t.village_b1, data(held_on=datetime.date(2022, 6, 1), womens_home="yes"))
    assert_consistent(past=False)
    record_conversion(users.root, t.village_b1, data(held_on=datetime.date(2022, 6, 1), womens_home="no"))  # amended
    elections.certify_election(users.root, build_election(t.village_c1, held_on=datetime.date(2020, 5, 10)))
    assert_consistent(past=False)
    term = Term.objects.get(unit=t.village_c1)
    assert term.due_on < timezone.localdate()  # 2020 + 5 years: overdue
    before = coverage.coverage(t.county_c)["terms_overdue"]
    delay_term(
        users.root,
        term,
        party_approval="三元区委",
        federation_approval="三明市妇联",
        approved_on=timezone.localdate(),
        new_due_on=timezone.localdate() + datetime.timedelta(days=90),
    )
    # A delayed renewal is still overdue; it counts among the delayed ones beside it.
    figures = coverage.coverage(t.county_c)
    assert (figures["terms_overdue"], figures["terms_delayed"]) == (before, 1)
    assert coverage.coverage(t.county_c, timezone.localdate() - datetime.timedelta(days=1))["terms_delayed"] == 0
    assert_consistent()


def test_village_posts_split_kinds_and_counties_overdue(counting, counted, users):
    """The village facts, the chairs' posts, villages and communities apart, and a county's own
    overdue term: groups == unit rows == records, today and on every other day."""
    t = counted
    record_conversion(users.editor_a, t.village_a1, data(chair_flags={"is_party_secretary": True}))
    record_conversion(users.root, t.village_b1, data(director_is_woman=True, held_on=datetime.date(2022, 6, 1)))
    services.update_unit(users.editor_a, t.village_a3, {"secretary_is_woman": True, "director_is_woman": True})
    assert_consistent(past=False)
    elections.certify_election(users.root, build_election(t.county_c, held_on=datetime.date(2020, 5, 10)))
    elections.certify_election(users.root, build_election(t.township_c, held_on=datetime.date(2020, 5, 10)))
    figures = coverage.coverage(t.national)
    assert (figures["chairs_party_secretary"], figures["chairs_village_director"]) == (1, 0)
    assert (figures["women_party_secretaries"], figures["women_village_directors"]) == (2, 2)
    assert (figures["rural_villages_total"], figures["communities_total"], figures["villages_total"]) == (3, 2, 5)
    assert (figures["rural_villages_converted"], figures["communities_converted"]) == (1, 1)
    assert figures["rural_village_conversion_rate"] == 33.3 and figures["community_conversion_rate"] == 50.0
    assert (figures["terms_overdue"], figures["counties_overdue"]) == (3, 1)  # 黄墩社区 (2021), 三元区, 莘口镇
    services.close_unit(None, t.village_a3, timezone.localdate())
    assert coverage.coverage(t.national)["women_village_directors"] == 1
    assert_consistent()


def test_leaving_a_by_election_and_appointments(counting, counted, users):
    """能进能出: an executive and the chair leave, a by-election fills a seat, units above appoint
    vice-chairs (选聘 / 挂职), one of whom leaves when her period ends."""
    from orgtree import changes
    from tests.orgtree.test_changes import by_election

    t = counted
    term = elections.certify_election(users.root, build_election(t.village_a1, held_on=datetime.date(2024, 5, 10)))
    seats = Office.objects.filter(term=term, ended_on__isnull=True)
    changes.leave_office(
        users.editor_a, seats.filter(role="executive").first(), ended_on=datetime.date(2025, 3, 1), reason="resigned"
    )
    changes.leave_office(users.editor_a, seats.get(role="chair"), ended_on=timezone.localdate(), reason="transferred")
    assert_consistent(past=False)
    election = by_election(t.village_a1, seats=2, officers=[("补选00", "chair", "")])
    elections.certify_election(users.editor_a, election)
    assert_consistent(past=False)
    period = {"started_on": datetime.date(2025, 1, 1), "appointed_until": datetime.date(2027, 1, 1)}
    seconded = changes.appoint_vice_chair(
        users.editor_a, t.village_a1, name="挂职干部", appointment="seconded", appointed_by=t.county_a, **period
    )
    changes.appoint_vice_chair(
        users.root,
        t.village_a1,
        name="选聘人员",
        appointment="selected",
        vice_chair_type="part_time",
        appointed_by=t.city,
        **period,
    )
    figures = coverage.coverage(t.county_a)
    assert (figures["vice_chairs_appointed_seconded"], figures["vice_chairs_appointed_selected"]) == (1, 1)
    assert figures["chairs"] == 1 and figures["executives"] == 9  # 7 - 2 left + 2 by-elected + 2 appointed
    changes.leave_office(users.editor_a, seconded, ended_on=datetime.date(2025, 9, 1), reason="period_ended")
    assert coverage.coverage(t.county_a)["vice_chairs_appointed_seconded"] == 0
    assert_consistent()


def test_regionalizations(counting, counted, users):
    """区域化: townships regionalized on different days, a renewal, one moved to another county, and
    the township figures of their committees: stored, summed by group and counted from the records
    agree today and on every day figures move."""
    from orgtree.regionalization import record_regionalization
    from orgtree.regionalization_excel import RegionalizationImporter
    from tests.orgtree.test_regionalization import good_file as township_file
    from tests.orgtree.test_regionalization import regionalization

    t = counted
    record_regionalization(users.root, t.township_b, regionalization(held_on=datetime.date(2021, 3, 1)))
    record_regionalization(users.root, t.township_c, regionalization("三", held_on=datetime.date(2023, 7, 1)))
    assert_consistent(past=False)
    reader = RegionalizationImporter(users.editor_a, t.county_a).read(township_file(users.editor_a, t))
    assert reader.problems == [] and reader.commit() == 1
    record_regionalization(users.root, t.township_b, regionalization("换", held_on=datetime.date(2026, 3, 1)))
    figures = coverage.coverage(t.city)
    assert (figures["townships_regionalized"], figures["township_chairs"]) == (2, 2)
    assert coverage.coverage(t.national)["townships_regionalized"] == 3
    services.move_unit(None, t.township_c, t.county_a)
    assert coverage.coverage(t.county_a)["townships_regionalized"] == 2
    assert_consistent()


def test_conversion_import(counted, users):
    reader = ConversionImporter(users.editor_a, counted.county_a).read(good_file(users.editor_a, counted))
    assert reader.problems == [] and reader.commit() == 1
    assert coverage.coverage(counted.county_a)["villages_converted"] == 1
    assert_consistent()


@pytest.mark.parametrize("recounted", [False, True], ids=["counted by rows", "recounted"])
def test_division_loads(db, tmp_path, monkeypatch, recounted):
    """A load adds its rows' contributions; a bulk load (RECOUNT_ROWS new units or more) recounts
    every group at the end: the same sums either way."""
    if recounted:
        monkeypatch.setattr(coverage, "RECOUNT_ROWS", 10)
    recount_groups()
    load(ZHENXING)
    county = Unit.objects.get(code="210603")
    assert coverage.coverage(county)["villages_total"] == 93
    assert_consistent()
    rows = rows_of(ZHENXING)
    villages = [r for r in rows if r["level"] == "5"]
    removed, moved = villages[1], villages[2]
    other_township = next(r for r in rows if r["level"] == "4" and r["code"] != moved["parent_code"])
    rows.remove(removed)
    moved["parent_code"] = other_township["code"]
    rows.append(
        {"code": other_township["code"] + "399", "name": "新设村", "level": "5", "parent_code": other_township["code"]}
    )
    load(write(tmp_path / "2024.csv", rows))
    assert_consistent(past=False)


def test_the_nightly_refresh_and_raw_writes(counted):
    t = counted
    record_conversion(None, t.village_a1, data())
    Office.objects.filter(unit=t.village_a1, role="executive").update(ended_on=datetime.date(2024, 1, 1))
    UnitFigures.objects.filter(pk=t.village_b1.pk).update(form=Form.FEDERATION)  # bypassing everything
    refresh_all()
    assert_consistent()


def test_not_counted_reads_the_units_rows_until_a_recount(counted):
    t = counted
    GroupFiguresDay.objects.update(day=timezone.localdate() - datetime.timedelta(days=1))  # after midnight
    make(t.township_a, Kind.VILLAGE, "新村", "350702003202")
    figures = coverage.coverage(t.city)
    assert figures == coverage.coverage(t.city, from_records=True) and figures["villages_total"] == 5
    assert coverage_by_child(t.city) == coverage.figures_by_child(
        list(t.city.children.order_by("code", "name", "pk")), coverage._fast_bases(timezone.localdate()), FIGURES
    )
    GroupFiguresDay.objects.update(day=None)  # never counted (a database migrated with units in it)
    make(t.township_a, Kind.VILLAGE, "新村二", "350702003203")
    assert coverage.coverage(t.city)["villages_total"] == 6
    recount_groups()
    assert_consistent()


def test_the_date_alone_moves_the_figures_after_a_recount(counted, users):
    t = counted
    elections.certify_election(users.root, build_election(t.village_c1, held_on=datetime.date(2021, 5, 10)))
    term = Term.objects.get(unit=t.village_c1)
    services.close_unit(None, t.village_a3, term.due_on + datetime.timedelta(days=1))
    on_due = coverage.counted_groups(term.due_on)
    after = coverage.counted_groups(term.due_on + datetime.timedelta(days=1))
    assert after[t.county_c.pk]["terms_overdue"] == on_due[t.county_c.pk]["terms_overdue"] + 1
    recount_groups(term.due_on + datetime.timedelta(days=1))
    assert coverage.group_sums() == after
    call_command("refresh_figures", stdout=StringIO())
    assert_consistent()
    GroupFiguresDay.objects.update(day=term.due_on)
    assert turn_the_day_task() == {"groups": len(after)}  # beat, just after midnight
    assert GroupFiguresDay.objects.get().day == timezone.localdate()


def test_records_taking_effect_on_a_day_are_counted_when_it_comes(counted, users):
    """An office starting tomorrow: the stored figures and the groups catch up just after midnight."""
    t = counted
    record_conversion(users.root, t.village_a1, data())
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    Office.objects.filter(unit=t.village_a1, role="executive").update(started_on=tomorrow)
    refresh_figures([t.village_a1.pk])  # a raw write: the services would have refreshed
    today = coverage.coverage(t.county_a)["executives"]
    coverage.turn_the_day(tomorrow)
    assert coverage.group_sums() == coverage.counted_groups(tomorrow)
    assert coverage.group_sums()[t.county_a.pk]["executives"] == today + 2
    assert coverage.coverage(t.county_a, tomorrow, from_records=True)["executives"] == today + 2


def test_a_delay_approved_for_tomorrow_counts_when_the_day_comes(counted, users):
    """A delay dated ahead (an event may be dated up to a year ahead): terms_delayed moves that day."""
    t = counted
    elections.certify_election(users.root, build_election(t.village_c1, held_on=datetime.date(2020, 5, 10)))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    delay_term(
        users.root,
        Term.objects.get(unit=t.village_c1),
        party_approval="三元区委",
        federation_approval="三明市妇联",
        approved_on=tomorrow,
        new_due_on=tomorrow + datetime.timedelta(days=90),
    )
    assert coverage.coverage(t.county_c)["terms_delayed"] == 0
    coverage.turn_the_day(tomorrow)
    assert coverage.group_sums() == coverage.counted_groups(tomorrow)
    assert coverage.group_sums()[t.county_c.pk]["terms_delayed"] == 1
    assert coverage.coverage(t.county_c, tomorrow, from_records=True)["terms_delayed"] == 1


def test_todays_figures_of_a_county_and_above_are_one_statement(counted, django_assert_num_queries):
    t = counted
    for unit in (t.national, t.province, t.city, t.county_a):
        with django_assert_num_queries(1):
            coverage.coverage(unit)
    with django_assert_num_queries(2):  # the children, the provinces' groups
        coverage_by_child(t.national)
    with django_assert_num_queries(2):  # the children, the cities' groups
        coverage_by_child(t.province)
    with django_assert_num_queries(3):  # the children, the counties' groups, the agency's unit rows
        coverage_by_child(t.city)
    with django_assert_num_queries(2):  # the children, the townships' unit rows
        coverage_by_child(t.county_a)
    past = datetime.date(2024, 6, 30)
    for unit in (t.national, t.province, t.city, t.county_a):
        with django_assert_num_queries(7):  # the groups, the units opened or closed since, 5 sources
            coverage.coverage(unit, past)
    with django_assert_num_queries(8):  # the children, the groups, the units opened or closed since, and
        coverage_by_child(t.national, past)  # per source one: the children's own rows UNION ALL those below


@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_add_up(tree, users):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serializes writers by itself")
    recount_groups()
    villages = [
        make(tree.township_a, Kind.VILLAGE, f"新村{i}", f"35070200321{i}", form=Form.CONGRESS) for i in range(4)
    ]
    errors = []

    def convert(village):
        try:
            record_conversion(users.root, Unit.objects.get(pk=village.pk), data())
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    def recount():
        try:
            recount_groups()
        finally:
            connection.close()

    threads = [threading.Thread(target=convert, args=(v,)) for v in villages]
    threads.insert(2, threading.Thread(target=recount))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert coverage.coverage(tree.county_a)["villages_converted"] == 4
    assert_consistent()
