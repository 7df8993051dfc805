"""The county cadre's 会改联 journey: download the template, fill it, upload, fix the errors, confirm."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from orgtree.models import Unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def fill(path, village_rows, member_rows):
    book = load_workbook(path)
    sheet = book["村（社区）"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for column, value in village_rows.get(row[0].value, {}).items():
            row[header.index(column)].value = value
    for member in member_rows:
        book["执委"].append(member)
    book.save(path)


def test_excel_round_trip_in_the_browser(phone, login, live_server, tree, users, tmp_path):
    page = login(phone, "editor_a")
    page.goto(f"{live_server.url}/units/{tree.county_a.pk}/conversion/")
    expect(page.locator(".progress-label")).to_contain_text("0 / 3")
    with page.expect_download() as download:
        page.click("text=下载 Excel 模板")
    path = tmp_path / "template.xlsx"
    download.value.save_as(path)

    a1, a2 = tree.village_a1.code, tree.village_a2.code
    good = {
        "会改联选举日期": "2021-03-15",
        "应到人数": 120,
        "实到人数": 96,
        "主席进村党组织班子": "是",
        "妇女之家": "标准化",
        "儿童之家": "是",
    }
    fill(
        path,
        {a1: good, a2: {**good, "实到人数": "九十"}},
        [
            [a1, "林秀英", None, "主席", None],
            [a1, "陈美华", None, "副主席", "兼职"],
            [a1, "张芳", None, "执委", None],
            [a2, "王丽", None, "主席", None],
            [a2, "王丽", None, "执委", None],
        ],
    )
    page.click("text=从 Excel 导入")
    page.set_input_files("input[type=file]", str(path))
    page.click("button:has-text('上传并检查')")
    problems = page.locator("table.problems")
    expect(problems).to_contain_text("不是整数")
    expect(problems).to_contain_text("两次")
    expect(page.locator("button:has-text('确认导入')")).to_have_count(0)
    assert Unit.objects.get(pk=tree.village_a1.pk).form == "congress"  # nothing saved

    fill(path, {a2: {"实到人数": 90}}, [])
    book = load_workbook(path)
    book["执委"].delete_rows(book["执委"].max_row)  # drop the duplicate line
    book.save(path)
    page.click("text=上传改好的文件")
    page.set_input_files("input[type=file]", str(path))
    page.click("button:has-text('上传并检查')")
    expect(page.locator("main")).to_contain_text("检查通过")
    page.click("button:has-text('确认导入')")
    expect(page.locator(".job-status")).to_have_text("已导入")
    page.click("text=返回列表")
    expect(page.locator(".progress-label")).to_contain_text("2 / 3")
    expect(page.locator(f"#u{tree.village_a1.pk}")).to_contain_text("林秀英")
    expect(page.locator(f"#u{tree.village_a1.pk}")).to_contain_text("妇联")
