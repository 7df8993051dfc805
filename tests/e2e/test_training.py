"""A township cadre on a phone records a training session and imports its attendance from Excel;
the county's trained rate and the city dashboard move."""

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from executives.models import Attendance, TrainingSession
from federation.models import Role
from tests.conftest import scoped_user
from tests.executives.training_world import training_world  # noqa: F401 - the fixture "world"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def add_rows(path, rows):
    book = load_workbook(path)
    for row in rows:
        book["参训人员"].append(row)
    book.save(path)


def test_a_township_cadre_records_a_session_and_imports_its_attendance(
    browser, phone, login, live_server, world, tmp_path
):
    tree = world.tree
    scoped_user("huangdun", tree.township_a, Role.EDITOR)
    city = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    login(city, "viewer")
    dashboard = f"{live_server.url}{reverse('orgtree:dashboard', args=[tree.city.pk])}"
    city.goto(dashboard)
    expect(city.locator(f"table.training-by-child tr[data-unit='{tree.county_a.pk}']")).to_contain_text("0.0")

    page = login(phone, "huangdun")
    page.goto(f"{live_server.url}{reverse('executives:training', args=[tree.township_a.pk])}")
    page.fill("#id_title", "黄墩街道执委领头雁培训")
    page.select_option("#id_type", "lead_goose")
    page.fill("#id_starts_on", "2024-05-10")
    page.fill("#id_ends_on", "2024-05-11")
    page.fill("#id_hours", "12")
    page.fill("#id_place", "黄墩街道妇女之家")
    page.click("button:has-text('保存')")
    page.click("table.training-sessions a:has-text('黄墩街道执委领头雁培训')")
    session = TrainingSession.objects.get(title="黄墩街道执委领头雁培训")
    assert session.unit_id == tree.township_a.pk and session.level == "township"

    page.click("text=从 Excel 导入参训人员")
    with page.expect_download() as download:
        page.click("text=下载模板")
    path = tmp_path / "attendance.xlsx"
    download.value.save_as(path)
    add_rows(
        path,
        [
            [session.pk, "林秀英", None, "黄墩社区"],
            [session.pk, "王丽", None, "西门社区"],
            [session.pk, "刘淑芬", None, "黄墩街道"],
            [session.pk, "赵六", None, "西门社区"],
            [session.pk, "郑雪梅", None, "城东村"],
        ],
    )
    page.set_input_files("input[type=file]", str(path))
    page.click("button:has-text('上传并检查')")
    problems = page.locator("table.problems")
    expect(problems).to_contain_text("没有登记名为 赵六")
    expect(problems).to_contain_text("没有名为“城东村”")
    expect(page.locator("button:has-text('确认导入')")).to_have_count(0)
    assert not Attendance.objects.exists()  # nothing saved

    book = load_workbook(path)
    book["参训人员"].delete_rows(5, 2)  # drop the two wrong lines
    book.save(path)
    page.click("text=上传改好的文件")
    page.set_input_files("input[type=file]", str(path))
    page.click("button:has-text('上传并检查')")
    expect(page.locator("main")).to_contain_text("检查通过")
    page.click("button:has-text('确认导入')")
    expect(page.locator(".job-status")).to_have_text("已导入")
    assert Attendance.objects.filter(session=session).count() == 3

    page.goto(f"{live_server.url}{session.get_absolute_url()}")
    expect(page.locator(".attendance-count")).to_have_text("3")
    city.goto(f"{live_server.url}{reverse('executives:training', args=[tree.county_a.pk])}")
    expect(city.locator(".trained-rate")).to_have_text("50.0%")  # 3 of the county's 6 executives
    city.goto(dashboard)
    expect(city.locator(f"table.training-by-child tr[data-unit='{tree.county_a.pk}']")).to_contain_text("50.0")
    city.context.close()
