"""A real Chromium (Debian's package) driven by Playwright against pytest-django's live server."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls are in others.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def login(live_server):
    def sign_in(page, username):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", f"pw-{username}")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        secret = page.locator("#totp-secret")
        if secret.count():  # an admin's first sign-in: turn on two-factor sign-in, as she would with her phone
            page.fill("#id_code", totp_code(secret.get_attribute("data-secret")))
            page.click("button.primary")
            page.wait_for_load_state()
        return page

    return sign_in


def totp_code(base32_secret):
    """What an authenticator app shows now for the key on the two-factor page."""
    import base64

    from django_otp.oath import TOTP

    return f"{TOTP(base64.b32decode(base32_secret)).token():06d}"
