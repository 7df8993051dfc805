"""The 会改联 spreadsheet round trip: template, every kind of bad input at once, confirm, idempotence."""

import datetime
import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from federation.imports import ImportRefusedError
from federation.models import Job
from orgtree import services
from orgtree.choices import Form, Kind
from orgtree.conversion_excel import MEMBER_SHEET, VILLAGE_SHEET, build_template
from orgtree.conversion_excel import ConversionImporter as Reader
from orgtree.coverage import coverage
from orgtree.models import Election, ElectionAmendment, IdNumberClash, Office, Person, Term, Unit
from tests.conftest import make
from tests.orgtree.test_idnumber import id_number


def filled(user, unit, villages=None, members=None):
    """The template for `unit`, with rows filled in: villages {code: {column: value}}, members [[...]]."""
    book = load_workbook(io.BytesIO(build_template(user, unit)))
    sheet = book[VILLAGE_SHEET]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        values = (villages or {}).get(row[0].value)
        for column, value in (values or {}).items():
            row[header.index(column)].value = value
    for member in members or []:
        book[MEMBER_SHEET].append(member)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = {
    "会改联选举日期": "2021-03-15",
    "应到人数": 120,
    "实到人数": 96,
    "主席进村党组织班子": "是",
    "主席进村（居）委会班子": "是",
    "主席年报酬（元）": 12000,
    "书记年报酬（元）": 30000,
    "妇女之家": "标准化",
    "儿童之家": "是",
}


def good_file(user, tree):
    code = tree.village_a1.code
    return filled(
        user,
        tree.county_a,
        {code: GOOD},
        [
            [code, "林秀英", id_number(), "主席", None],
            [code, "陈美华", None, "副主席", "兼职"],
            [code, "王丽", None, "副主席", "兼职"],
            [code, "张芳", None, "执委", None],
            [code, "李娜", None, None, None],
        ],
    )


def test_the_template_lists_exactly_the_villages_in_scope(tree, users):
    book = load_workbook(io.BytesIO(build_template(users.editor_a, tree.county_a)))
    codes = [r[0] for r in book[VILLAGE_SHEET].iter_rows(min_row=2, values_only=True)]
    assert codes == [tree.village_a1.code, tree.village_a2.code, tree.village_a3.code]
    assert [c.value for c in book[MEMBER_SHEET][1]] == ["区划代码", "姓名", "身份证号", "职务", "副主席类型"]
    assert build_template(users.editor_a, tree.county_b)  # out-of-scope unit: an empty template, no rows
    empty = load_workbook(io.BytesIO(build_template(users.editor_a, tree.county_b)))
    assert empty[VILLAGE_SHEET].max_row == 1


def test_a_good_file_imports_and_the_same_file_again_changes_nothing(tree, users):
    data = good_file(users.editor_a, tree)
    reader = Reader(users.editor_a, tree.county_a).read(data)
    assert reader.problems == []
    assert reader.commit() == 1
    village = Unit.objects.get(pk=tree.village_a1.pk)
    assert village.form == "federation"
    assert Office.objects.filter(unit=village, ended_on=None).count() == 5
    # The template now carries the record; uploading it as downloaded changes nothing.
    again = Reader(users.editor_a, tree.county_a).read(build_template(users.editor_a, tree.county_a))
    assert again.problems == [] and again.commit() == 0
    assert Reader(users.editor_a, tree.county_a).read(data).commit() == 0
    assert not ElectionAmendment.objects.exists() and Term.objects.count() == 1


def test_every_problem_is_reported_at_once_with_sheet_row_and_column(tree, users):
    a1, a2, b1 = tree.village_a1.code, tree.village_a2.code, tree.village_b1.code
    book = load_workbook(
        io.BytesIO(
            filled(
                users.editor_a,
                tree.county_a,
                {
                    a1: {**GOOD, "应到人数": "很多", "会改联选举日期": "2999-01-01"},
                    a2: {**GOOD, "妇女之家": "也许"},
                },
                [
                    [a1, "林秀英", None, "主席", None],
                    [a1, "林秀英", None, "主席", None],
                    [a2, "陈美华", "123", "主任", None],
                    [b1, "越界", None, "执委", None],
                    ["999999999999", "某", None, None, None],
                ],
            )
        )
    )
    book[VILLAGE_SHEET].append([b1, "城东村", "2021-01-01"])
    book[VILLAGE_SHEET].append(["999999999999", "不存在", "2021-01-01"])
    out = io.BytesIO()
    book.save(out)
    reader = Reader(users.editor_a, tree.county_a).read(out.getvalue())
    found = {(p.sheet, p.row, p.column) for p in reader.problems}
    text = " ".join(str(p.message) for p in reader.problems)
    assert (VILLAGE_SHEET, 2, "应到人数") in found and "整数" in text
    assert (VILLAGE_SHEET, 2, "会改联选举日期") in found and "未来" in text
    assert (VILLAGE_SHEET, 3, "妇女之家") in found
    assert (MEMBER_SHEET, 3, "姓名") in found and "两次" in text  # duplicate member
    assert (MEMBER_SHEET, 4, "身份证号") in found and (MEMBER_SHEET, 4, "职务") in found
    assert (VILLAGE_SHEET, 5, "区划代码") in found and "管理范围" in text  # county B's village
    assert (VILLAGE_SHEET, 6, "区划代码") in found and "不是已知的区划代码" in text  # unknown code
    # Their members are not reported again: the refused village row says it once.
    assert not {(MEMBER_SHEET, 5, "区划代码"), (MEMBER_SHEET, 6, "区划代码")} & found
    assert len(reader.problems) >= 9
    assert not Term.objects.exists()


@pytest.mark.parametrize(
    ("content", "word"),
    [
        (b"", "空"),
        (b"not a spreadsheet at all", "xlsx"),
    ],
)
def test_unreadable_files(tree, users, content, word):
    reader = Reader(users.editor_a, tree.county_a).read(content)
    assert word in " ".join(str(p.message) for p in reader.problems)


def test_wrong_headers_and_missing_sheets(tree, users):
    book = Workbook()
    book.active.title = VILLAGE_SHEET
    book.active.append(["代码", "名字"])
    out = io.BytesIO()
    book.save(out)
    text = " ".join(str(p.message) for p in Reader(users.editor_a, tree.county_a).read(out.getvalue()).problems)
    assert "缺少" in text and "会改联选举日期" in text and MEMBER_SHEET in text


def test_a_file_over_the_limit_is_refused_unread(tree, users, settings):
    settings.BANYAN = {**settings.BANYAN, "IMPORT_MAX_BYTES": 1024}
    text = " ".join(str(p.message) for p in Reader(users.editor_a, tree.county_a).read(b"x" * 2048).problems)
    assert "MB" in text


def test_a_file_with_no_conversion_dates_has_nothing_to_import(tree, users):
    reader = Reader(users.editor_a, tree.county_a).read(build_template(users.editor_a, tree.county_a))
    assert "没有" in " ".join(str(p.message) for p in reader.problems)


# --- pages and the command --------------------------------------------------------------------


def upload(client, unit, content, name="会改联.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("orgtree:conversion_import", args=[unit.pk]), {"file": SimpleUploadedFile(name, content)}
    )


def test_upload_check_confirm(client, tree, users):
    client.force_login(users.editor_a)
    template = client.get(reverse("orgtree:conversion_template", args=[tree.county_a.pk]))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
    response = upload(client, tree.county_a, good_file(users.editor_a, tree))
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url() and job.status == "ready"
    assert not Term.objects.exists()  # nothing saved before the confirmation
    page = client.get(job.get_absolute_url())
    assert "确认导入" in page.content.decode()
    client.post(job.get_absolute_url())
    job.refresh_from_db()
    assert job.status == "done" and job.summary["changed"] == 1
    assert Unit.objects.get(pk=tree.village_a1.pk).form == "federation"


def test_a_bad_upload_shows_its_problems(client, tree, users):
    client.force_login(users.editor_a)
    upload(client, tree.county_a, b"garbage")
    job = Job.objects.get()
    assert job.status == "invalid"
    body = client.get(job.get_absolute_url()).content.decode()
    assert "xlsx" in body and "确认导入" not in body
    client.post(job.get_absolute_url())  # confirming an invalid job does nothing
    assert Job.objects.get().status == "invalid" and not Term.objects.exists()


def test_import_pages_are_scoped(client, tree, users):
    client.force_login(users.editor_b)
    upload(client, tree.county_b, b"garbage")
    job = Job.objects.get()
    client.force_login(users.editor_a)
    assert client.get(reverse("orgtree:conversion_template", args=[tree.county_b.pk])).status_code == 404
    assert upload(client, tree.county_b, b"x").status_code == 404
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.post(job.get_absolute_url()).status_code == 404
    client.force_login(users.viewer)
    assert client.get(reverse("orgtree:conversion_template", args=[tree.county_b.pk])).status_code == 403
    assert upload(client, tree.county_b, b"x").status_code == 403


def test_the_command_uses_the_users_scope(tree, users, tmp_path):
    path = tmp_path / "file.xlsx"
    path.write_bytes(good_file(users.editor_a, tree))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("import_conversions", str(path), "--user", "editor_b", stdout=StringIO(), stderr=StringIO())
    assert not Term.objects.exists()
    out = StringIO()
    call_command("import_conversions", str(path), "--user", "editor_a", stdout=out, stderr=StringIO())
    assert "1 changed" in out.getvalue()
    out = StringIO()
    call_command("import_conversions", str(path), "--user", "editor_a", stdout=out, stderr=StringIO())
    assert "0 changed" in out.getvalue()


def test_dates_in_excel_date_cells_are_read(tree, users):
    data = filled(
        users.editor_a,
        tree.county_a,
        {tree.village_a1.code: {**GOOD, "会改联选举日期": datetime.datetime(2021, 3, 15)}},
        [[tree.village_a1.code, "林秀英", None, "主席", None]],
    )
    reader = Reader(users.editor_a, tree.county_a).read(data)
    assert reader.problems == []
    assert reader.conversions[tree.village_a1.pk].held_on == datetime.date(2021, 3, 15)


def test_progress_of_a_running_job_comes_from_the_cache(tree, users):
    from django.core.cache import cache

    job = Job.objects.create(
        user=users.editor_a,
        unit=tree.county_a,
        kind="conversion_import",
        data=b"",
        status=Job.Status.COMMITTING,
        progress=0,
    )
    cache.set(job.progress_key, 40)
    assert job.live_progress() == 40
    job.status = Job.Status.DONE
    job.progress = 100
    assert job.live_progress() == 100


# --- the check runs every rule the commit runs ------------------------------------------------


def breaking_every_rule(tree, users):
    """A workbook in which every village row breaks a different rule, each in well-formed cells, plus
    rows whose cells cannot be read at all. Returns (data, {(sheet, row, column): word of the message})."""
    villages = [
        make(tree.township_a, Kind.VILLAGE, f"试验{i}村", f"3507020032{i:02d}", form=Form.CONGRESS)
        for i in range(10, 24)
    ]
    # Someone outside the editor's scope already has this ID number.
    taken = id_number(area="350703", sequence="004")
    Person.objects.create(unit=tree.village_b1, name="外县人", id_number=taken)
    # A village whose current term began after the date in the file.
    late = villages[13]
    renewal = Election.objects.create(
        unit=late,
        kind=Election.Kind.RENEWAL,
        votes_itemized=False,
        status=Election.Status.CERTIFIED,
        held_on=datetime.date(2023, 5, 1),
    )
    Term.objects.create(
        unit=late, number=1, started_on=datetime.date(2023, 5, 1), due_on=datetime.date(2028, 5, 1), election=renewal
    )
    rows = {v.code: {**GOOD} for v in villages}
    members = [[v.code, f"主席{i}", None, "主席", None] for i, v in enumerate(villages)]
    expected = {}

    def member(village, row, word, column):
        members.append(row)
        expected[(MEMBER_SHEET, len(members) + 1, column)] = word

    v = [x.code for x in villages]
    rows[v[0]].update({"应到人数": 100, "实到人数": 120})  # more present than entitled
    rows[v[1]].update({"应到人数": 100, "实到人数": 50})  # no quorum
    rows[v[2]].update({"应到人数": 10**20})  # beyond any integer field
    rows[v[3]].update({"主席年报酬（元）": 12_345_678_901})  # more digits than stored
    rows[v[4]].update({"报酬年度": 99999})  # not a storable year
    rows[v[5]].update({"会改联选举日期": "2999-01-01"})  # in the future
    members.pop(6)  # v[6]: no chair
    members.insert(6, [v[6], "执委六", None, "执委", None])
    member(v[7], [v[7], "二号主席", None, "主席", None], "一名主席", "职务")  # a second chair
    member(v[8], [v[8], "副主席八", None, "副主席", None], "副主席", "副主席类型")  # vice-chair, no type
    member(v[9], [v[9], "长" * 80, None, "执委", None], "50", "姓名")  # the 80-character name
    member(v[10], [v[10], "男委员", id_number(sequence="013"), "执委", None], "性别", "身份证号")  # a man's number
    member(v[11], [v[11], "重号甲", id_number(sequence="024"), "执委", None], "", "")
    expected.pop((MEMBER_SHEET, len(members) + 1, ""))
    member(v[11], [v[11], "重号乙", id_number(sequence="024"), "执委", None], "同一个身份证号", "身份证号")
    member(v[12], [v[12], "重登记", taken, "执委", None], "不能在此使用", "身份证号")  # held in another county
    expected.update(
        {
            (VILLAGE_SHEET, 0, "实到人数"): "多于",
            (VILLAGE_SHEET, 1, "实到人数"): "2/3",
            (VILLAGE_SHEET, 2, "应到人数"): "",
            (VILLAGE_SHEET, 3, "主席年报酬（元）"): "",
            (VILLAGE_SHEET, 4, "报酬年度"): "",
            (VILLAGE_SHEET, 5, "会改联选举日期"): "未来",
            (VILLAGE_SHEET, 6, "区划代码"): "一名主席",
            (VILLAGE_SHEET, 13, "会改联选举日期"): "届",
        }
    )
    rows[v[13]]["会改联选举日期"] = "2021-03-15"
    book = load_workbook(io.BytesIO(filled(users.editor_a, tree.county_a, rows, members)))
    # And cells that cannot be read (found by the check only: they never become records).
    book[VILLAGE_SHEET].append(["999999999999", "不存在", "2021-01-01"])
    book[VILLAGE_SHEET].append([tree.township_a.code, "街道", "2021-01-01"])
    book[VILLAGE_SHEET].append([tree.village_a1.code, "黄墩社区", "去年", *[None] * 9, "无", "否"])
    out = io.BytesIO()
    book.save(out)
    header_rows = {
        r[0].value: r[0].row for r in load_workbook(io.BytesIO(out.getvalue()))[VILLAGE_SHEET].iter_rows(min_row=2)
    }
    located = {}
    for (sheet, row, column), word in expected.items():
        located[(sheet, header_rows[v[row]] if sheet == VILLAGE_SHEET else row, column)] = word
    return out.getvalue(), located


def test_the_check_finds_every_problem_the_commit_would_meet(tree, users):
    data, expected = breaking_every_rule(tree, users)
    reader = Reader(users.editor_a, tree.county_a).read(data)
    check = set(reader.problems)
    where = {(p.sheet, p.row, p.column): str(p.message) for p in check}
    for cell, word in expected.items():  # each broken rule, at the right sheet, row and column
        assert cell in where, cell
        assert word in where[cell], (cell, where[cell])
    assert len({(p.sheet, p.row) for p in check}) == len(check)  # one fact, reported once
    # The number held in the other county is not named, and the probe reaches the city's admins.
    assert IdNumberClash.objects.filter(attempted_name="重登记", unit=tree.city).exists()
    unreadable = {p for p in check if p.sheet == VILLAGE_SHEET and p.row > 1 + 3 + 14}  # appended last
    assert {p.column for p in unreadable} == {"区划代码", "会改联选举日期"}
    assert "不是已知的区划代码" in " ".join(str(p.message) for p in unreadable)
    assert "不是村或社区" in " ".join(str(p.message) for p in unreadable)

    # The commit, with the check's refusal taken away, meets exactly the same problems.
    reader.problems, reader._reported, reader.problem_count = [], set(), 0
    with pytest.raises(ImportRefusedError) as refused:
        reader.commit()
    assert set(refused.value.problems) == check - unreadable
    assert not Term.objects.filter(unit__name__startswith="试验", election__kind="conversion").exists()


def test_a_commit_that_meets_a_change_reports_it_at_its_cell(tree, users):
    """Between check and confirm someone registers the ID number elsewhere: the commit is refused,
    with the member's sheet, row and column, and nothing is saved."""
    code = tree.village_a1.code
    number = id_number(sequence="026")
    data = filled(
        users.editor_a,
        tree.county_a,
        {code: GOOD},
        [[code, "林秀英", None, "主席", None], [code, "新委员", number, "执委", None]],
    )
    reader = Reader(users.editor_a, tree.county_a).read(data)
    assert reader.problems == []
    Person.objects.create(unit=tree.village_b1, name="别人", id_number=number)
    with pytest.raises(ImportRefusedError) as refused:
        reader.commit()
    [problem] = refused.value.problems
    assert (problem.sheet, problem.row, problem.column) == (MEMBER_SHEET, 3, "身份证号")
    assert [cause.clashes[0].attempted_name for cause in refused.value.causes] == ["新委员"]  # kept after rollback
    assert not Term.objects.exists() and Person.objects.filter(name="林秀英").count() == 0


def test_the_commit_of_a_job_lists_its_problems_with_cells(client, tree, users):
    code = tree.village_a1.code
    number = id_number(sequence="026")
    client.force_login(users.editor_a)
    upload(
        client,
        tree.county_a,
        filled(
            users.editor_a,
            tree.county_a,
            {code: GOOD},
            [[code, "林秀英", None, "主席", None], [code, "新委员", number, "执委", None]],
        ),
    )
    job = Job.objects.get()
    assert job.status == Job.Status.READY
    Person.objects.create(unit=tree.village_b1, name="别人", id_number=number)
    client.post(job.get_absolute_url())
    job.refresh_from_db()
    assert job.status == Job.Status.INVALID and job.problem_count == 1
    assert job.problems[0]["sheet"] == MEMBER_SHEET and job.problems[0]["row"] == 3
    assert job.problems[0]["column"] == "身份证号"


def test_the_template_costs_the_same_queries_for_any_number_of_villages(tree, users, django_assert_num_queries):
    build_template(users.editor_a, tree.county_a)  # the user's scopes are read once per request
    with django_assert_num_queries(5):  # villages, offices, homes, pay, elections: none per village
        build_template(users.editor_a, tree.county_a)


def test_womens_home_is_standardized_in_the_documents_word_and_the_older_word_still_reads(tree, users):
    """妇女之家 level 标准化 (the reform documents' word); a file written with 规范化 still imports."""
    code = tree.village_a1.code
    older = {**GOOD, "妇女之家": "规范化"}
    data = filled(users.editor_a, tree.county_a, {code: older}, [[code, "林秀英", None, "主席", None]])
    reader = Reader(users.editor_a, tree.county_a).read(data)
    assert reader.problems == [] and reader.commit() == 1
    book = load_workbook(io.BytesIO(build_template(users.editor_a, tree.county_a)))
    sheet = book[VILLAGE_SHEET]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("妇女之家") + 1).value == "标准化"


SECRETARY, DIRECTOR = "村（社区）党组织书记为女性", "村（居）委会主任为女性"


def test_the_village_facts_in_the_template_and_the_import(tree, users):
    """Two facts of each village, converted or not: filled in the template, imported with or
    without a conversion date (blank keeps the record), a chair marked secretary refuses 否 at its
    cell, and the same file again changes nothing."""
    services.update_unit(users.editor_a, tree.village_a2, {"director_is_woman": True})
    book = load_workbook(io.BytesIO(build_template(users.editor_a, tree.county_a)))
    header = [c.value for c in book[VILLAGE_SHEET][1]]
    rows = {r[0]: r for r in book[VILLAGE_SHEET].iter_rows(min_row=2, values_only=True)}
    assert header[-2:] == [SECRETARY, DIRECTOR]
    assert rows[tree.village_a2.code][-2:] == ("否", "是")

    contradicting = filled(
        users.editor_a,
        tree.county_a,
        {
            tree.village_a1.code: {**GOOD, "主席任村党组织书记": "是", SECRETARY: "否"},
            tree.village_a3.code: {DIRECTOR: "也许"},
        },
        [[tree.village_a1.code, "林秀英", None, "主席", None]],
    )
    reader = Reader(users.editor_a, tree.county_a).read(contradicting)
    where = {(p.row, p.column): str(p.message) for p in reader.problems}
    assert "应填“是”" in where[(rows_index(book, tree.village_a1.code), SECRETARY)]
    assert "是" in where[(rows_index(book, tree.village_a3.code), DIRECTOR)]
    assert not Unit.objects.filter(secretary_is_woman=True).exists()  # nothing saved

    good = filled(
        users.editor_a,
        tree.county_a,
        {
            tree.village_a1.code: {**GOOD, "主席任村党组织书记": "是", SECRETARY: None},
            tree.village_a3.code: {SECRETARY: "是", DIRECTOR: "是"},  # not converted: its facts alone
            tree.village_a2.code: {DIRECTOR: None},  # blank: as recorded
        },
        [[tree.village_a1.code, "林秀英", None, "主席", None]],
    )
    reader = Reader(users.editor_a, tree.county_a).read(good)
    assert reader.problems == []
    assert reader.commit() == 2
    facts = dict(Unit.objects.filter(kind__in=["village", "community"]).values_list("name", "secretary_is_woman"))
    assert facts == {"黄墩社区": True, "西门社区": False, "上坪村": True, "城东村": False}  # the chair's post: derived
    assert Unit.objects.get(pk=tree.village_a2.pk).director_is_woman
    chair = Office.objects.get(unit=tree.village_a1, role="chair")
    assert chair.is_party_secretary and chair.on_party_committee  # the secretary sits on the committee
    figures = coverage(tree.county_a)
    assert (figures["women_party_secretaries"], figures["women_village_directors"]) == (2, 2)
    assert figures["chairs_party_secretary"] == 1
    again = Reader(users.editor_a, tree.county_a).read(good)
    assert again.problems == [] and again.commit() == 0


def rows_index(book, code):
    return next(r[0].row for r in book[VILLAGE_SHEET].iter_rows(min_row=2) if r[0].value == code)
