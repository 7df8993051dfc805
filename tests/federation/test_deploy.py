"""As deployed (DEBUG=0): Django's deployment checks pass, the built-in key is refused, and every page
carries a Content-Security-Policy that allows no inline script."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    # Only what a deployment would have: not the test run's own variables (e.g. the e2e tests'
    # DJANGO_ALLOW_ASYNC_UNSAFE, which the deployment checks rightly refuse).
    environ = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    environ.update({"DJANGO_SETTINGS_MODULE": "federation.settings", **env})
    # A fresh process: settings are read from the environment once, at start-up.
    return subprocess.run(  # noqa: S603 (our own argv)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_passes_with_a_real_key():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="banyan.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_a_key_it_refuses_to_start_and_names_the_variable():
    result = manage("check", DEBUG="0")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr and "未设置" in result.stderr


def test_production_defaults_are_secure():
    code = (
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.X_FRAME_OPTIONS, s.SECURE_REFERRER_POLICY, "
        "s.SECURE_PROXY_SSL_HEADER)"
    )
    result = manage(
        "shell",
        "-v",
        "0",
        "-c",
        code,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "True",
        "DENY",
        "same-origin",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ], result.stderr


@pytest.mark.parametrize("url", ["/login/", "/api/docs/"])
def test_pages_carry_a_csp_without_inline_scripts(client, users, url):
    client.force_login(users.editor_a)
    response = client.get(url)
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode())
    assert response["Referrer-Policy"] == "same-origin" and response["X-Frame-Options"] == "DENY"


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text) or re.search(r"\son[a-z]+=", text):
            offenders.append(path.name)
    assert offenders == []


def test_the_dashboard_draws_its_chart_from_a_static_script(client, users, tree):
    client.force_login(users.viewer)
    page = client.get(reverse("orgtree:dashboard", args=[tree.city.pk])).content.decode()
    assert "js/dashboard.js" in page and 'id="chart-data"' in page


def test_the_readme_lists_every_variable_the_settings_read():
    settings_source = (ROOT / "federation/settings.py").read_text()
    read = set(re.findall(r'(?:os\.environ\.get|env_bool|env_list)\("([A-Z_]+)"', settings_source))
    read |= set(re.findall(r'os\.environ\["([A-Z_]+)"\]', settings_source))
    readme = (ROOT / "README.md").read_text()
    assert len(read) > 20
    assert {name for name in read if f"`{name}`" not in readme} == set()
