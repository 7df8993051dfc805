"""区域化: a township's regionalization recorded as an election (rules, seats, figures from the
records as of any day and from the stored rows), its Excel template and import, and scope."""

import datetime
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from federation.imports import ImportRefusedError
from orgtree import elections
from orgtree.coverage import FIGURES, coverage, coverage_by_child
from orgtree.models import Candidate, DrawnFrom, Election, Office, Person, Term, Unit, UnitFigures
from orgtree.regionalization import InvalidRegionalizationError, Member, Regionalization, record_regionalization
from orgtree.regionalization_excel import MEMBER_SHEET, TOWNSHIP_SHEET, build_template
from orgtree.regionalization_excel import RegionalizationImporter as Reader
from tests.conftest import make
from tests.orgtree.test_idnumber import id_number

DAY = datetime.date(2021, 6, 20)
TOWNSHIP_KEYS = (
    "township_chairs",
    "township_vice_chairs_full_time",
    "township_vice_chairs_part_time",
    "township_vice_chairs_seconded",
    "township_executives",
)


def structure(prefix="", executives=6):
    """A "1+1+N" committee: a chair, a full-time, two part-time and a seconded vice-chair, executives
    drawn from villages, agencies, enterprises and new domains."""
    sources = [DrawnFrom.VILLAGE, DrawnFrom.AGENCY, DrawnFrom.ENTERPRISE, DrawnFrom.NEW_DOMAIN]
    return [
        Member(f"{prefix}林主席", role="chair", drawn_from=DrawnFrom.OTHER),
        Member(f"{prefix}陈专职", role="vice_chair", vice_chair_type="full_time", drawn_from=DrawnFrom.OTHER),
        Member(f"{prefix}黄兼职", role="vice_chair", vice_chair_type="part_time", drawn_from=DrawnFrom.VILLAGE),
        Member(f"{prefix}吴兼职", role="vice_chair", vice_chair_type="part_time", drawn_from=DrawnFrom.AGENCY),
        Member(f"{prefix}张挂职", role="vice_chair", vice_chair_type="seconded", drawn_from=DrawnFrom.OTHER),
        *[Member(f"{prefix}执委{i}", drawn_from=sources[i % 4]) for i in range(executives)],
    ]


def regionalization(prefix="", held_on=DAY, executives=6, **extra):
    return Regionalization(held_on=held_on, members=structure(prefix, executives), **extra)


def from_offices(unit, day=None):
    """The township figures counted by hand from the offices of the unit's townships on the day."""
    day = day or datetime.date.today()
    held = [
        o
        for o in Office.objects.filter(unit__kind__in=["township", "street"]).select_related("unit")
        if unit.pk in (o.unit_id, o.unit.county_id, o.unit.city_id, o.unit.province_id)
        and o.started_on <= day
        and (o.ended_on is None or o.ended_on > day)
    ]
    vice = [o for o in held if o.role == "vice_chair"]
    return {
        "township_chairs": sum(o.role == "chair" for o in held),
        "township_vice_chairs_full_time": sum(o.vice_chair_type == "full_time" for o in vice),
        "township_vice_chairs_part_time": sum(o.vice_chair_type == "part_time" for o in vice),
        "township_vice_chairs_seconded": sum(o.vice_chair_type == "seconded" for o in vice),
        "township_executives": len(held),
    }


# --- rules --------------------------------------------------------------------------------


def test_only_townships_and_streets_hold_one(tree, users):
    with pytest.raises(ValidationError) as caught:
        elections.create_election(users.editor_a, tree.village_a1, kind="regionalization", held_on=DAY)
    assert "只有乡镇和街道" in " ".join(caught.value.messages)
    with pytest.raises(InvalidRegionalizationError) as caught:
        record_regionalization(users.editor_a, tree.county_a, regionalization())
    assert "不是乡镇或街道" in " ".join(caught.value.messages)
    assert not Election.objects.exists() and not Person.objects.exists()


def test_every_problem_at_once_in_chinese_and_nothing_saved(tree, users):
    members = structure()
    members[1].vice_chair_type = ""  # a vice-chair without her type
    members[6].drawn_from = ""  # an executive without where she is drawn from
    members.append(Member("第二主席", role="chair", drawn_from="village"))
    members.append(Member("无证", id_number="123", drawn_from="village"))
    data = Regionalization(held_on=datetime.date(2999, 1, 1), members=members, entitled=10, present=12)
    with pytest.raises(InvalidRegionalizationError) as caught:
        record_regionalization(users.editor_a, tree.township_a, data)
    text = " ".join(caught.value.messages)
    for expected in ("未来", "实到", "专职、兼职还是挂职", "的来源", "应选举一名主席", "身份证"):
        assert expected in text, expected
    fields = {(i.field, i.member) for i in caught.value.issues}
    assert ("vice_chair_type", 1) in fields and ("drawn_from", 6) in fields and ("held_on", None) in fields
    assert not Election.objects.exists() and not Person.objects.exists() and not Term.objects.exists()


def test_certifying_seats_the_structure_and_keeps_the_event(tree, users):
    election, written = record_regionalization(
        users.editor_a, tree.township_a, regionalization(entitled=40, present=38)
    )
    assert written and election.is_certified and election.kind == "regionalization" and not election.votes_itemized
    assert election.get_kind_display() == "区域化"
    term = Term.objects.get(unit=tree.township_a)
    assert term.election == election and term.started_on == DAY and term.ended_on is None
    offices = Office.objects.filter(term=term)
    assert offices.count() == 11
    assert sorted(offices.filter(role="vice_chair").values_list("vice_chair_type", flat=True)) == [
        "full_time",
        "part_time",
        "part_time",
        "seconded",
    ]
    drawn = dict(Candidate.objects.filter(election=election).values_list("person__name", "drawn_from"))
    assert drawn["执委1"] == "agency" and drawn["执委3"] == "new_domain"
    # The same record again writes nothing; the same day with other members is refused.
    assert record_regionalization(users.editor_a, tree.township_a, regionalization(entitled=40, present=38)) == (
        election,
        False,
    )
    with pytest.raises(InvalidRegionalizationError) as caught:
        record_regionalization(users.editor_a, tree.township_a, regionalization(executives=3))
    assert "已经认证" in caught.value.messages[0]
    assert Election.objects.count() == 1 and Office.objects.count() == 11
    # A renewal as a regionalized federation five years on: the next term, the previous offices end.
    renewal = datetime.date(2026, 6, 1)
    _later, written = record_regionalization(users.editor_a, tree.township_a, regionalization("新", held_on=renewal))
    assert written and Term.objects.get(unit=tree.township_a, ended_on=None).number == 2
    assert not Office.objects.filter(term=term, ended_on=None).exists()
    assert coverage(tree.county_a)["townships_regionalized"] == 1


def test_a_regionalization_through_the_election_wizard(tree, users):
    """The election services with itemized votes: the members need where they are drawn from."""
    election = elections.create_election(
        users.editor_a,
        tree.township_a,
        kind="regionalization",
        held_on=DAY,
        entitled=30,
        present=28,
        ballots_issued=28,
        ballots_returned=28,
        seats=3,
    )
    for i, name in enumerate(["甲", "乙", "丙", "丁"]):
        elections.add_candidate(
            users.editor_a, election, name=name, approve=25 - i, drawn_from="village" if name != "丙" else ""
        )
    chosen = {c.person.name: c.person_id for c in election.candidates.select_related("person")}
    elections.set_officers(users.editor_a, election, [{"person_id": chosen["甲"], "role": "chair"}])
    with pytest.raises(ValidationError) as caught:
        elections.certify_election(users.editor_a, election)
    assert "丙" in " ".join(caught.value.messages) and "的来源" in " ".join(caught.value.messages)
    Candidate.objects.filter(election=election).update(drawn_from="enterprise")
    elections.certify_election(users.editor_a, election)
    assert coverage(tree.county_a)["townships_regionalized"] == 1
    assert coverage(tree.county_a)["township_executives"] == 3
    # The template lists the elected (丁 was not); uploaded as it is, it changes nothing.
    template = build_template(users.editor_a, tree.county_a)
    listed = [r[1] for r in load_workbook(io.BytesIO(template))[MEMBER_SHEET].iter_rows(min_row=2, values_only=True)]
    assert sorted(listed) == sorted(["甲", "乙", "丙"])
    again = Reader(users.editor_a, tree.county_a).read(template)
    assert again.problems == [] and again.commit() == 0


def test_out_of_scope_is_refused(tree, users):
    with pytest.raises(PermissionDenied):
        record_regionalization(users.editor_a, tree.township_b, regionalization())
    assert not Election.objects.exists()


# --- figures -------------------------------------------------------------------------------


def test_figures_equal_counts_from_the_records_today_and_on_past_days(tree, users):
    extra = make(tree.county_a, "township", "茫荡镇", "350702100")
    record_regionalization(users.editor_a, tree.township_a, regionalization())
    record_regionalization(users.root, tree.township_b, regionalization("乙", held_on=datetime.date(2022, 3, 1)))
    record_regionalization(users.root, extra, regionalization("丙", held_on=datetime.date(2023, 9, 9), executives=20))
    Office.objects.filter(unit=extra, role="executive").update(ended_on=datetime.date(2024, 1, 1))  # left
    from orgtree.coverage import refresh_figures

    refresh_figures([extra.pk])  # a raw write above: the services would have refreshed
    for unit in (tree.city, tree.county_a, tree.county_b, extra):
        today = coverage(unit)
        assert today == coverage(unit, from_records=True), unit.name
        assert {k: today[k] for k in TOWNSHIP_KEYS} == from_offices(unit), unit.name
    figures = coverage(tree.city)
    assert (figures["townships_total"], figures["townships_regionalized"]) == (3, 3)
    assert (figures["township_chairs"], figures["township_vice_chairs_part_time"]) == (3, 6)
    assert figures["township_executives"] == 11 + 11 + 5
    # Village and community figures do not count the townships' offices.
    assert figures["chairs"] == 0 and figures["executives"] == 0
    for day, regionalized in (
        (DAY - datetime.timedelta(days=1), 0),
        (DAY, 1),
        (datetime.date(2022, 3, 1), 2),
        (datetime.date(2023, 12, 31), 3),
    ):
        assert coverage(tree.city, day)["townships_regionalized"] == regionalized, day
        past = coverage(tree.city, day)
        assert {k: past[k] for k in TOWNSHIP_KEYS} == from_offices(tree.city, day), day
    assert coverage(tree.city, datetime.date(2023, 12, 31))["township_executives"] == 11 + 11 + 25
    by_child = dict(coverage_by_child(tree.county_a, datetime.date(2022, 1, 1)))
    assert by_child[tree.township_a]["townships_regionalized"] == 1 and by_child[extra]["townships_regionalized"] == 0
    assert UnitFigures.objects.get(pk=tree.township_a.pk).regionalized_on == DAY


def test_a_township_without_a_regionalization_is_not_counted_whatever_its_size(tree, users):
    """The stand-in rule (≥ 3 vice-chairs and ≥ 25 executives) is gone: a renewal counts no township."""
    members = [(m.name, "", m.role, m.vice_chair_type) for m in structure(executives=30)]
    election = Election.objects.create(
        unit=tree.township_a, kind="renewal", held_on=DAY, votes_itemized=False, status="results"
    )
    for name, _n, role, vice in members:
        person = Person.objects.create(unit=tree.township_a, name=name)
        Candidate.objects.create(election=election, person=person)
        if role != "executive":
            election.officers.create(person=person, role=role, vice_chair_type=vice)
    elections.certify_election(users.root, election)
    figures = coverage(tree.county_a)
    assert figures["townships_regionalized"] == 0 and figures["township_executives"] == 35
    assert figures == coverage(tree.county_a, from_records=True)


def test_the_township_figures_are_defined_and_read_the_stored_columns():
    for key in TOWNSHIP_KEYS:
        figure = FIGURES[key]
        assert figure.counted == "township_offices" and str(figure.label) and str(figure.help)
        # The same column as the village figure of that office: the one definition of the count.
        village = next(f for f in FIGURES.every.values() if f.counted == "offices" and f.stored == figure.stored)
        assert village.where == figure.where


# --- the spreadsheet ----------------------------------------------------------------------


def filled(user, unit, townships=None, members=None):
    book = load_workbook(io.BytesIO(build_template(user, unit)))
    sheet = book[TOWNSHIP_SHEET]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for column, value in ((townships or {}).get(row[0].value) or {}).items():
            row[header.index(column)].value = value
    for member in members or []:
        book[MEMBER_SHEET].append(member)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_file(user, tree):
    code = tree.township_a.code
    return filled(
        user,
        tree.county_a,
        {code: {"区域化选举日期": "2021-06-20", "应到人数": 40, "实到人数": 36}},
        [
            [code, "林秀英", id_number(), "主席", None, "其他"],
            [code, "陈美华", None, "副主席", "专职", "其他"],
            [code, "王丽", None, "副主席", "兼职", "村（社区）"],
            [code, "吴芳", None, "副主席", "挂职", "机关（单位）"],
            [code, "张芳", None, "执委", None, "企业"],
            [code, "李娜", None, None, None, "新领域"],
        ],
    )


def test_the_template_lists_exactly_the_townships_in_scope(tree, users):
    extra = make(tree.county_a, "township", "茫荡镇", "350702100")
    book = load_workbook(io.BytesIO(build_template(users.editor_a, tree.county_a)))
    codes = [r[0] for r in book[TOWNSHIP_SHEET].iter_rows(min_row=2, values_only=True)]
    assert codes == [tree.township_a.code, extra.code]
    assert [c.value for c in book[MEMBER_SHEET][1]] == ["区划代码", "姓名", "身份证号", "职务", "副主席类型", "来源"]
    empty = load_workbook(io.BytesIO(build_template(users.editor_a, tree.county_b)))
    assert empty[TOWNSHIP_SHEET].max_row == 1


def test_import_round_trip_and_the_same_file_again_changes_nothing(tree, users):
    data = good_file(users.editor_a, tree)
    reader = Reader(users.editor_a, tree.county_a).read(data)
    assert reader.problems == [] and reader.summary() == {"townships": 1, "members": 6}
    assert reader.commit() == 1
    election = Election.objects.get(unit=tree.township_a, kind="regionalization")
    assert election.is_certified and (election.entitled, election.present) == (40, 36)
    assert Office.objects.filter(unit=tree.township_a, ended_on=None).count() == 6
    figures = coverage(tree.county_a)
    assert figures["townships_regionalized"] == 1
    assert [figures[k] for k in TOWNSHIP_KEYS] == [1, 1, 1, 1, 6]
    again = Reader(users.editor_a, tree.county_a).read(build_template(users.editor_a, tree.county_a))
    assert again.problems == [] and again.commit() == 0
    assert Reader(users.editor_a, tree.county_a).read(data).commit() == 0
    assert Election.objects.count() == 1 and Term.objects.count() == 1 and Office.objects.count() == 6


def test_bad_files_report_every_problem_in_chinese_and_save_nothing(tree, users):
    a, b = tree.township_a.code, tree.township_b.code
    book = load_workbook(
        io.BytesIO(
            filled(
                users.editor_a,
                tree.county_a,
                {a: {"区域化选举日期": "2999-01-01", "应到人数": "很多"}},
                [
                    [a, "林秀英", None, "主席", None, "其他"],
                    [a, "林秀英", None, "主席", None, "其他"],
                    [a, "陈美华", "123", "主任", None, "其他"],
                    [a, "王丽", None, "副主席", None, "村（社区）"],
                    [a, "张芳", None, "执委", None, "外地"],
                    [a, "李娜", None, "执委", None, None],
                    [b, "越界", None, "执委", None, "企业"],
                ],
            )
        )
    )
    book[TOWNSHIP_SHEET].append([b, "潭城街道", "2021-01-01"])
    book[TOWNSHIP_SHEET].append([tree.village_a1.code, "黄墩社区", "2021-01-01"])
    book[TOWNSHIP_SHEET].append(["999999999", "不存在", "2021-01-01"])
    out = io.BytesIO()
    book.save(out)
    reader = Reader(users.editor_a, tree.county_a).read(out.getvalue())
    found = {(p.sheet, p.row, p.column) for p in reader.problems}
    text = " ".join(str(p.message) for p in reader.problems)
    assert (TOWNSHIP_SHEET, 2, "应到人数") in found and "整数" in text
    assert (MEMBER_SHEET, 3, "姓名") in found  # listed twice
    assert (MEMBER_SHEET, 4, "职务") in found  # 主任 is no role
    assert (MEMBER_SHEET, 6, "来源") in found and "新领域" in text  # an unknown source
    assert (MEMBER_SHEET, 7, "来源") in found and "的来源" in text  # no source
    assert (MEMBER_SHEET, 5, "副主席类型") in found
    assert "不在您的管辖范围" in text or "范围" in text  # county B's township
    assert "不是乡镇或街道" in text and "不是已知的区划代码" in text
    assert not re.search(r"[A-Za-z]{2,}", text)  # Chinese only (an ID number's check digit may be X)
    with pytest.raises(ValueError):
        reader.commit()
    assert not Election.objects.exists() and not Person.objects.exists()


def test_a_commit_that_meets_a_change_saves_nothing(tree, users, monkeypatch):
    extra = make(tree.county_a, "township", "茫荡镇", "350702100")
    code = extra.code
    reader = Reader(users.editor_a, tree.county_a).read(
        filled(
            users.editor_a,
            tree.county_a,
            {
                tree.township_a.code: {"区域化选举日期": "2021-06-20"},
                code: {"区域化选举日期": "2021-06-21"},
            },
            [[tree.township_a.code, "甲", None, "主席", None, "其他"], [code, "乙", None, "主席", None, "其他"]],
        )
    )
    assert reader.problems == []
    Unit.objects.filter(pk=extra.pk).update(kind="village")  # changed since the check
    with pytest.raises(ImportRefusedError) as caught:
        reader.commit()
    assert "不是乡镇或街道" in " ".join(str(p.message) for p in caught.value.problems)
    assert not Election.objects.exists() and not Term.objects.exists()


# --- pages and scope ------------------------------------------------------------------------


def test_pages_are_scoped_and_reachable_from_the_conversion_page(client, tree, users):
    client.force_login(users.editor_a)
    grid = client.get(reverse("orgtree:conversion_grid", args=[tree.county_a.pk])).content.decode()
    template = reverse("orgtree:regionalization_template", args=[tree.county_a.pk])
    upload = reverse("orgtree:regionalization_import", args=[tree.county_a.pk])
    assert template in grid and upload in grid
    response = client.get(template)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(upload).status_code == 200
    for name in ("orgtree:regionalization_template", "orgtree:regionalization_import"):
        assert client.get(reverse(name, args=[tree.county_b.pk])).status_code == 404
        assert client.get(reverse(name, args=[999999])).status_code == 404
    client.force_login(users.viewer)  # city staff read, they do not import
    assert template not in client.get(reverse("orgtree:conversion_grid", args=[tree.city.pk])).content.decode()
    assert client.get(reverse("orgtree:regionalization_template", args=[tree.city.pk])).status_code in (403, 404)


def test_uploading_runs_the_job_and_confirming_saves(client, tree, users, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from federation.models import Job

    settings.MEDIA_ROOT = tmp_path
    client.force_login(users.editor_a)
    response = client.post(
        reverse("orgtree:regionalization_import", args=[tree.county_a.pk]),
        {"file": SimpleUploadedFile("乡镇区域化.xlsx", good_file(users.editor_a, tree))},
    )
    job = Job.objects.get(kind="regionalization_import")
    assert response.status_code == 302 and job.status == Job.Status.READY
    assert not Election.objects.exists()  # nothing saved before the confirmation
    page = client.get(job.get_absolute_url()).content.decode()
    assert "1 个乡镇（街道）" in page and "确认导入" in page
    client.post(job.get_absolute_url())
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert coverage(tree.county_a)["townships_regionalized"] == 1


def test_the_demo_regionalizes_a_few_townships_once(tree, users):
    from orgtree.management.commands.load_demo import demo_regionalizations

    assert demo_regionalizations() == 1  # 黄墩街道, the tree's township of 延平区
    assert demo_regionalizations() == 0  # a township with an election recorded is left as it is
    figures = coverage(tree.county_a)
    assert figures["townships_regionalized"] == 1 and figures["township_executives"] == 27
    assert set(Candidate.objects.values_list("drawn_from", flat=True)) <= set(DrawnFrom.values)


def test_the_dashboard_shows_the_township_figures(client, tree, users):
    record_regionalization(users.editor_a, tree.township_a, regionalization())
    client.force_login(users.viewer)
    page = client.get(reverse("orgtree:dashboard", args=[tree.city.pk])).content.decode()
    for label in ("区域化乡镇", "乡镇（街道）妇联主席", "乡镇（街道）专职副主席", "乡镇（街道）妇联执委"):
        assert label in page, label
    export = client.get(reverse("orgtree:dashboard_export", args=[tree.city.pk]))
    assert export.status_code == 200


def test_a_regionalization_over_the_api(api, tree, users):
    client = api(users.editor_a)
    figures = {"held_on": "2024-05-10", "entitled": 30, "present": 28, "ballots_issued": 28, "ballots_returned": 28}
    refused = client.post("/api/elections/", {"unit": tree.village_a1.pk, "kind": "regionalization", **figures})
    assert refused.status_code == 400 and "只有乡镇和街道" in str(refused.json())
    created = client.post(
        "/api/elections/", {"unit": tree.township_a.pk, "kind": "regionalization", "seats": 1, **figures}
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    people = {}
    for name, votes, source in (("甲", 25, "village"), ("乙", 10, "")):
        response = client.post(
            f"/api/elections/{pk}/candidates/", {"name": name, "approve": votes, "drawn_from": source}
        )
        assert response.status_code == 201, response.json()
        assert response.json()["drawn_from"] == source
        people[name] = response.json()["person"]
    client.put(f"/api/elections/{pk}/officers/", [{"person": people["甲"], "role": "chair"}], format="json")
    assert any("乙的来源" in v for v in client.get(f"/api/elections/{pk}/").json()["violations"])
    assert client.post(f"/api/elections/{pk}/certify/").status_code == 400
    bad = client.post(f"/api/elections/{pk}/candidates/", {"name": "丙", "drawn_from": "abroad"})
    assert bad.status_code == 400
    Candidate.objects.filter(election_id=pk, person__name="乙").update(drawn_from="agency")
    other = api(users.editor_b)  # county B's cadre: the election is not there for her
    assert other.get(f"/api/elections/{pk}/").status_code == 404
    assert other.post(f"/api/elections/{pk}/candidates/", {"name": "越界"}).status_code == 404
    assert client.post(f"/api/elections/{pk}/certify/").status_code == 201
    assert coverage(tree.county_a)["townships_regionalized"] == 1
