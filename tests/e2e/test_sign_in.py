"""Signing in on a phone: a unit admin turns on two-factor sign-in at her first sign-in and gives a code
at the next; five wrong passwords lock an editor out with a Chinese message."""

import base64

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def fill_password(page, url, username, password):
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_a_unit_admin_sets_up_two_factor_and_signs_in_with_a_code(phone, live_server, tree, users):
    page = phone
    fill_password(page, live_server.url, "admin_a", "pw-admin_a")
    expect(page.locator("h1")).to_have_text("双因素认证")
    expect(page.locator("img[alt='身份验证器应用的二维码']")).to_be_visible()
    secret = base64.b32decode(page.locator("#totp-secret").get_attribute("data-secret"))
    page.fill("#id_code", f"{TOTP(secret).token():06d}")
    page.click("button.primary")
    expect(page.locator(".messages")).to_contain_text("已启用双因素认证")
    expect(page.locator("h1")).to_contain_text("延平区")  # her unit, where she works

    page.click(".usermenu button:has-text('退出')")
    fill_password(page, live_server.url, "admin_a", "pw-admin_a")
    expect(page.locator("h1")).to_have_text("验证码")
    device = TOTPDevice.objects.get(user=users.admin_a)
    later = TOTP(device.bin_key)
    later.drift = 1  # the next code: the one just used for set-up is never accepted twice
    page.fill("#id_code", f"{later.token():06d}")
    page.click("button.primary")
    expect(page.locator("h1")).to_contain_text("延平区")


def test_five_wrong_passwords_lock_the_account(phone, live_server, users):
    for _ in range(5):
        fill_password(phone, live_server.url, "editor_a", "wrong-password")
    expect(phone.locator("h1")).to_have_text("已锁定")
    expect(phone.locator("[role=alert]")).to_contain_text("锁定 15 分钟")
    fill_password(phone, live_server.url, "editor_a", "pw-editor_a")
    expect(phone.locator("[role=alert]")).to_contain_text("登录失败次数过多")
