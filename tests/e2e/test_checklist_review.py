"""督导清单 on a phone: the county assigns the checklist, a township cadre fills an item with
evidence, the county returns it, she corrects it, the county accepts it."""

import pytest
from playwright.sync_api import expect

from federation.models import Role
from reform import defaults
from reform.models import ChecklistTemplate, TemplateItem
from tests.conftest import scoped_user
from tests.reform.test_problems_tasks import PDF

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_fill_then_review(browser, phone, login, live_server, tree, users):
    defaults.install(ChecklistTemplate, TemplateItem)  # the seeded template, in case a flush took it
    scoped_user("township_a", tree.township_a, Role.EDITOR)
    county = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(county, "editor_a")
    county.goto(f"{live_server.url}/units/{tree.county_a.pk}/checklist/")
    county.select_option("#id_template", label="破难行动督导目标清单（第1版）")
    county.fill("#id_due_on", "2026-12-31")
    county.click("button:has-text('分派')")
    expect(county.locator(".messages")).to_contain_text("已生成")

    page = login(phone, "township_a")
    page.goto(f"{live_server.url}/units/{tree.township_a.pk}/checklist/")
    page.click("text=B2 乡镇（街道）妇联每年工作经费（元）")
    page.fill("#id_value", "3万")
    page.click("button:has-text('提交')")
    expect(page.locator(".field.invalid")).to_contain_text("请填写数字")
    expect(page.locator("#id_value")).to_have_value("3万")
    page.fill("#id_value", "30000")
    page.fill("#id_note", "县财政拨付")
    page.click("button:has-text('提交')")
    expect(page.locator(".messages")).to_contain_text("等待上级审核")
    page.set_input_files("#id_file", files=[{"name": "拨付文件.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.click("button:has-text('上传')")
    expect(page.locator("a:has-text('拨付文件.pdf')")).to_be_visible()
    assert "review_form" not in page.content()  # no review form for her own item
    expect(page.locator("button:has-text('保存审核意见')")).to_have_count(0)

    county.goto(f"{live_server.url}/units/{tree.county_a.pk}/checklist/")
    county.click(".review-queue a:has-text('黄墩街道')")
    county.check("input[name=decision][value=return]")
    county.fill("#id_comment", "请上传预算批复")
    county.click("button:has-text('保存审核意见')")
    expect(county.locator(".facts")).to_contain_text("已退回")

    page.reload()
    expect(page.locator(".facts")).to_contain_text("请上传预算批复")
    page.fill("#id_value", "30000")
    page.click("button:has-text('提交')")
    expect(page.locator(".facts")).to_contain_text("已填报")

    county.reload()
    county.check("input[name=decision][value=accept]")
    county.click("button:has-text('保存审核意见')")
    expect(county.locator(".facts")).to_contain_text("已通过")
    with county.expect_download() as download:
        county.click("a:has-text('拨付文件.pdf')")
    assert download.value.suggested_filename == "拨付文件.pdf"
    county.context.close()
