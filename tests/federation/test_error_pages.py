"""Error pages as deployed (DEBUG off): Chinese, with the site's header; the API answers JSON."""

import pytest
from django.test import Client, override_settings
from django.urls import include, path, reverse


def boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", boom), path("", include("federation.urls"))]
handler403 = "federation.views_errors.permission_denied"
handler404 = "federation.views_errors.not_found"
handler500 = "federation.views_errors.server_error"

NAV = 'class="usermenu"'

pytestmark = pytest.mark.usefixtures("settings_debug_off")


@pytest.fixture
def settings_debug_off(settings):
    settings.DEBUG = False


def test_out_of_scope_unit_is_a_chinese_404_with_the_header(client, tree, users):
    client.force_login(users.editor_b)
    response = client.get(reverse("orgtree:unit_detail", args=[tree.county_a.pk]))
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and "不在您的权限范围内" in page
    assert NAV in page and "退出" in page
    assert "Not Found" not in page and "Http404" not in page


def test_unknown_address_is_the_same_404(client, users):
    client.force_login(users.viewer)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode() and "Resolver404" not in response.content.decode()


def test_a_viewer_asking_for_an_edit_form_gets_a_chinese_403_with_the_header(client, tree, users):
    client.force_login(users.viewer)
    response = client.get(reverse("orgtree:unit_edit", args=[tree.county_a.pk]))
    page = response.content.decode()
    assert response.status_code == 403
    assert "无权操作" in page and NAV in page
    assert "403 Forbidden" not in page and "Forbidden" not in page


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_is_a_chinese_500_with_the_header(tree, users):
    client = Client(raise_request_exception=False)
    client.force_login(users.editor_a)
    response = client.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器错误" in page and NAV in page
    assert "Server Error" not in page


@override_settings(ROOT_URLCONF=__name__)
def test_the_500_page_renders_even_without_a_request_context():
    from django.template import loader

    page = loader.get_template("500.html").render()
    assert "服务器错误" in page


def test_a_missing_csrf_token_is_a_chinese_page(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.editor_a)
    response = client.post(reverse("notifications_read"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "表单已失效" in page and NAV in page
    assert "CSRF verification failed" not in page


def test_the_api_keeps_json_errors(api, tree, users):
    client = api(users.editor_b)
    missing = client.get(reverse("api:unit-detail", args=[tree.county_a.pk]))
    assert missing.status_code == 404 and missing.json()["detail"]
    unknown = client.get("/api/no-such-endpoint/")
    assert unknown.status_code == 404 and unknown["Content-Type"].startswith("application/json")
    denied = api(users.viewer).patch(reverse("api:unit-detail", args=[tree.county_a.pk]), {"name": "x"}, format="json")
    assert denied.status_code == 403 and denied.json()["detail"]
