"""A city's 会改联 import at once: a fixed number of queries whatever the number of villages, by the rules
and with the history of one village's record (orgtree.conversion.record_conversions)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from federation import scope, writes
from federation.imports import ImportRefusedError
from federation.models import ChangeRecord
from orgtree import committees, conversion, coverage, services
from orgtree.choices import Form, Kind
from orgtree.conversion import Conversion, Member, record_conversions, record_pay
from orgtree.conversion_excel import MEMBER_SHEET, VILLAGE_SHEET, build_template
from orgtree.conversion_excel import ConversionImporter as Reader
from orgtree.models import ChairPay, Election, Office, Person, Term, Unit, UnitFigures
from tests.conftest import make
from tests.orgtree.test_conversion_excel import GOOD
from tests.orgtree.test_group_figures import assert_consistent
from tests.orgtree.test_idnumber import id_number


def villages(tree, count, first=0):
    """`count` new villages under township A, not yet converted."""
    return [
        make(tree.township_a, Kind.VILLAGE, f"批量{i}村", f"350702003{300 + i}", form=Form.CONGRESS)
        for i in range(first, first + count)
    ]


def workbook(user, unit, rows, members):
    """The template of `unit` with `rows` {code: {column: value}} filled and only `members` on sheet 2."""
    book = load_workbook(io.BytesIO(build_template(user, unit)))
    sheet = book[VILLAGE_SHEET]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        row[header.index("会改联选举日期")].value = None  # villages not in `rows` are left as they are
        for column, value in rows.get(row[0].value, {}).items():
            row[header.index(column)].value = value
    book[MEMBER_SHEET].delete_rows(2, book[MEMBER_SHEET].max_row)
    for member in members:
        book[MEMBER_SHEET].append(member)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def committee(code, i):
    """Five members, the chair with an ID number, and a women's home: every kind of record is written."""
    return [
        [
            code,
            f"主席{i}",
            id_number(born=f"1980{(i % 12) + 1:02d}15", sequence=f"{(i % 400) * 2 + 100:03d}"),
            "主席",
            None,
        ],
        [code, f"副主席{i}", None, "副主席", "兼职"],
        [code, f"常委{i}", None, "常委", None],
        [code, f"执委甲{i}", None, "执委", None],
        [code, f"执委乙{i}", None, "执委", None],
    ]


def city_file(user, tree, units):
    rows = {u.code: {**GOOD, "会改联选举日期": f"2021-03-{1 + i % 28:02d}"} for i, u in enumerate(units)}
    members = [m for i, u in enumerate(units) for m in committee(u.code, i)]
    return workbook(user, tree.county_a, rows, members)


def queries(fn):
    with CaptureQueriesContext(connection) as captured:
        result = fn()
    return result, len(captured)


def test_an_import_costs_the_same_queries_for_any_number_of_villages(tree, users):
    """Checking, committing and re-importing: the difference between 2 and 6 villages is at most a
    bulk insert split in two (SQLite takes at most 999 values a statement), never queries per village."""
    editor = users.editor_a
    Reader(editor, tree.county_a).read(build_template(editor, tree.county_a))  # the user's scopes, cached
    two, six = villages(tree, 2), villages(tree, 6, first=2)
    found = {}
    for label, units in (("two", two), ("six", six)):
        data = city_file(editor, tree, units)
        reader, found[f"check {label}"] = queries(lambda data=data: Reader(editor, tree.county_a).read(data))
        assert reader.problems == []
        changed, found[f"commit {label}"] = queries(reader.commit)
        assert changed == len(units)
        again = Reader(editor, tree.county_a).read(data)
        changed, found[f"again {label}"] = queries(again.commit)
        assert changed == 0
    assert found["check six"] == found["check two"]
    assert found["again six"] == found["again two"]
    assert found["again two"] <= 20  # nothing written: reads only
    assert found["commit six"] <= found["commit two"] + 2, found


def test_a_commit_of_many_villages_records_what_one_village_records(tree, users):
    units = villages(tree, 3)
    assert Reader(users.editor_a, tree.county_a).read(city_file(users.editor_a, tree, units)).commit() == 3
    records = ChangeRecord.objects.filter(source="import")
    for unit in units:
        mine = records.filter(unit=unit)
        kinds = sorted((r.content_type.model, r.action) for r in mine)
        assert kinds == sorted(
            [("person", "create")] * 5
            + [("office", "create")] * 5
            + [("term", "create"), ("election", "update"), ("unit", "update")]
            + [("serviceposition", "create")] * 2
            + [("chairpay", "create")]
        )
        election = mine.get(content_type__model="election")
        assert election.changes == {"status": ["results", "certified"]} and "执委 5 名" in election.note
        assert mine.get(content_type__model="unit").changes == {"form": ["congress", "federation"]}
        chair = mine.get(content_type__model="person", object_repr=f"主席{units.index(unit)}")
        assert chair.changes["id_number"] == [None, "…"] and chair.changes["birth_date"][1].startswith("1980-")
        assert mine.filter(user=users.editor_a).count() == mine.count()
    assert {u.form for u in Unit.objects.filter(pk__in=[u.pk for u in units])} == {Form.FEDERATION}
    assert {u.version for u in Unit.objects.filter(pk__in=[u.pk for u in units])} == {2}
    assert UnitFigures.objects.get(unit=units[0]).executives == 5  # the figures follow, once, at the end


def test_the_group_sums_follow_a_batch_import_and_its_correction(tree, users):
    """Coverage's group sums (kept by differences) equal a recount after a city's import at once, and
    after a re-import that corrects some villages (a member removed, a home closed) and not others."""
    counted = tree
    coverage.recount_groups()  # counted from here on: the sums then follow every write
    units = villages(counted, 4)
    data = city_file(users.editor_a, counted, units)
    assert Reader(users.editor_a, counted.county_a).read(data).commit() == 4
    assert coverage.coverage(counted.county_a)["villages_converted"] == 4
    assert_consistent(past=False)
    rows = {u.code: {**GOOD, "会改联选举日期": f"2021-03-{1 + i % 28:02d}"} for i, u in enumerate(units)}
    rows[units[1].code]["妇女之家"] = "无"
    members = [m for i, u in enumerate(units) for m in committee(u.code, i) if m[1] != "执委乙0"]
    again = Reader(users.editor_a, counted.county_a).read(workbook(users.editor_a, counted.county_a, rows, members))
    assert again.problems == [] and again.commit() == 1  # the correction; a closed home is no new record
    assert coverage.coverage(counted.county_a)["executives"] == 19
    assert_consistent()


def test_one_woman_listed_in_two_villages_is_registered_once_at_the_first(tree, users):
    """As when the villages were saved one after the other: the second finds her by her ID number."""
    first, second = villages(tree, 2)
    number = id_number(sequence="124")
    rows = {u.code: GOOD for u in (first, second)}
    members = [
        [first.code, "林秀英", None, "主席", None],
        [first.code, "共同", number, "执委", None],
        [second.code, "王丽", None, "主席", None],
        [second.code, "共同", number, "执委", None],
    ]
    reader = Reader(users.editor_a, tree.county_a).read(workbook(users.editor_a, tree.county_a, rows, members))
    assert reader.problems == [] and reader.commit() == 2
    her = Person.objects.get(id_number=number)
    assert her.unit == first
    assert set(Office.objects.filter(person=her).values_list("unit", flat=True)) == {first.pk, second.pk}


def test_when_one_village_is_refused_nothing_is_written(tree, users):
    a1, a2 = tree.village_a1, tree.village_a2
    good = Conversion(held_on=datetime.date(2021, 3, 15), members=[Member("林秀英", role="chair")])
    bad = Conversion(held_on=datetime.date(2021, 3, 15), members=[Member("王丽")])  # no chair
    recorded = record_conversions(users.editor_a, [(a1, good), (a2, bad), (tree.village_b1, good)])
    assert set(recorded.refused) == {a2.pk, tree.village_b1.pk}
    assert isinstance(recorded.refused[tree.village_b1.pk], PermissionDenied)
    assert "主席" in " ".join(recorded.refused[a2.pk].messages)
    assert not recorded.elections and not recorded.changed
    assert not Election.objects.exists() and not Person.objects.exists() and not Term.objects.exists()


def test_a_concurrent_write_met_by_the_batch_is_found_village_by_village(tree, users, monkeypatch):
    """The batch meets a unique ID number taken meanwhile (IntegrityError): it is rolled back and the
    villages are saved one at a time, so the import says which village met it."""
    units = villages(tree, 2)
    reader = Reader(users.editor_a, tree.county_a).read(city_file(users.editor_a, tree, units))
    assert reader.problems == []
    save, calls = committees.save_new_people, []

    def racing(user, people, *, source="web"):
        calls.append(len(people))
        if len(calls) == 1:
            raise IntegrityError("duplicate key value violates unique constraint")
        return save(user, people, source=source)

    monkeypatch.setattr(conversion, "save_new_people", racing)
    assert reader.commit() == 2
    assert calls == [10, 5, 5]  # the batch, then each village
    assert Term.objects.filter(unit__in=units).count() == 2


def test_an_id_number_taken_at_the_last_moment_is_reported_at_its_village(tree, users, monkeypatch):
    """The database's unique key, met when the new people are inserted (here the check is made to miss
    the holder, as a concurrent registration would), refuses the import at that village's row."""
    units = villages(tree, 2)
    reader = Reader(users.editor_a, tree.county_a).read(city_file(users.editor_a, tree, units))
    assert reader.problems == []
    chair = Person.objects.create(
        unit=tree.village_b1, name="别人", id_number=id_number(born="19800115", sequence="100")
    )
    monkeypatch.setattr(conversion, "id_holders", lambda user, numbers: {})
    with pytest.raises(ImportRefusedError) as refused:
        reader.commit()
    [problem] = refused.value.problems
    assert (problem.sheet, problem.column) == (VILLAGE_SHEET, "区划代码") and "同时" in str(problem.message)
    assert reader.where[units[0].pk][0] == problem.row
    assert not Term.objects.filter(unit__in=units).exists() and Person.objects.get(id_number=chair.id_number) == chair


def test_chair_pay_rows_send_the_signal_a_save_sends_and_unchanged_amounts_are_not_written(tree, users):
    heard = []

    def listen(sender, instance, created, update_fields, **kwargs):
        heard.append((instance.unit_id, instance.year, created, update_fields))

    post_save.connect(listen, sender=ChairPay, dispatch_uid="test.chairpay")
    try:
        a1, a2 = tree.village_a1, tree.village_a2
        conversion.record_pays(
            users.editor_a,
            [(a1, 2021, Decimal("12000"), None), (a2, 2021, Decimal("9000"), Decimal("27000"))],
            source="web",
        )
        assert heard == [(a1.pk, 2021, True, None), (a2.pk, 2021, True, None)]
        heard.clear()
        record_pay(users.editor_a, a1, 2021, Decimal("12000.00"), None, "web")  # as stored: nothing to write
        assert heard == [] and ChangeRecord.objects.filter(content_type__model="chairpay").count() == 2
        record_pay(users.editor_a, a1, 2021, Decimal("13000"), None, "web")
        [(unit, year, created, fields)] = heard
        assert (unit, year, created) == (a1.pk, 2021, False) and "chair_annual" in fields
        pay = ChairPay.objects.get(unit=a1, year=2021)
        assert pay.chair_annual == Decimal("13000.00") and pay.recorded_by == users.editor_a
        update = ChangeRecord.objects.get(content_type__model="chairpay", action="update")
        assert update.changes == {"chair_annual": ["12000.00", "13000.00"]} and update.unit_id == a1.pk
    finally:
        post_save.disconnect(sender=ChairPay, dispatch_uid="test.chairpay")


def test_update_units_validates_and_records_each_with_one_scope_check(tree, users):
    a1, a2 = tree.village_a1, tree.village_a2
    with CaptureQueriesContext(connection) as captured:
        services.update_units(users.editor_a, [a1, a2], {"form": Form.FEDERATION}, source="import")
    scope_checks = [q for q in captured.captured_queries if "federation_userscope" in q["sql"]]
    assert len(scope_checks) <= 1  # the user's scopes, read once
    assert not [q for q in captured.captured_queries if "LIMIT 1" in q["sql"] and "orgtree_unit" in q["sql"]]
    records = ChangeRecord.objects.filter(source="import", content_type__model="unit")
    assert {(r.unit_id, str(r.changes)) for r in records} == {
        (a1.pk, str({"form": ["congress", "federation"]})),
        (a2.pk, str({"form": ["congress", "federation"]})),
    }
    assert UnitFigures.objects.get(unit=a1).form == Form.FEDERATION
    with pytest.raises(PermissionDenied):
        services.update_units(users.editor_a, [a1, tree.village_b1], {"form": Form.CONGRESS})
    with pytest.raises(ValidationError) as refused:
        services.update_units(users.editor_a, [a1], {"name": "长" * 101})
    assert "name" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.update_units(users.editor_a, [a1], {"code": "350702003009"})  # not a bulk field
    assert Unit.objects.get(pk=a1.pk).form == Form.FEDERATION


def test_full_clean_many_checks_foreign_keys_in_one_query_with_djangos_message(tree):
    units = list(
        Unit.objects.select_related("parent")
        .filter(pk__in=[tree.village_a1.pk, tree.village_a2.pk, tree.village_a3.pk])
        .order_by("pk")
    )
    exclude = ["lft", "rght", "tree_id", "level", "version"]
    with CaptureQueriesContext(connection) as captured:
        writes.full_clean_many(units, exclude=exclude, validate_constraints=False)
    assert len(captured) == 1  # parent, tree parent, province, city, county of all three
    units[1].province_id = 999_999
    with pytest.raises(ValidationError) as one:
        units[1].full_clean(exclude=exclude, validate_constraints=False)
    with pytest.raises(ValidationError) as many:
        writes.full_clean_many(units, exclude=exclude, validate_constraints=False)
    assert many.value.message_dict == one.value.message_dict


def test_a_unit_read_from_the_database_knows_its_stored_code(tree):
    village = Unit.objects.select_related("parent").get(pk=tree.village_a1.pk)
    with CaptureQueriesContext(connection) as captured:
        village.clean()
    assert len(captured) == 0  # code unchanged, open: nothing to ask
    village.code = tree.village_a2.code
    with pytest.raises(ValidationError) as clash:
        village.clean()
    assert "西门社区" in str(clash.value)
    closed = Unit.objects.get(pk=tree.village_a3.pk)
    closed.closed_on = datetime.date(2022, 1, 1)
    closed.save()
    make(tree.township_a, Kind.VILLAGE, "新上坪村", tree.village_a3.code)
    reopened = Unit.objects.get(pk=closed.pk)
    reopened.closed_on = None
    with pytest.raises(ValidationError):  # reopening asks again: the code is someone else's now
        reopened.clean()


def test_permitted_is_can_for_many_units(tree, users):
    units = [tree.village_a1, tree.village_b1, tree.county_a]
    for user in (users.editor_a, users.viewer, users.root):
        for action in (scope.VIEW, scope.CHANGE):
            assert scope.permitted(user, action, units) == {u.pk for u in units if scope.can(user, action, u)}
    assert scope.permitted(None, scope.CHANGE, units) == set()
    scope.require_all(None, scope.CHANGE, units)  # the system
    with pytest.raises(PermissionDenied):
        scope.require_all(users.editor_a, scope.CHANGE, units)
