"""Sign-in as 等保 2.0 level 3 asks: lock-out on every way in, password rules, idle timeout, two-factor
sign-in for administrators, expiring and revocable API tokens, and a security log."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from federation import security
from federation.models import Role, SecurityEvent, UserScope

LOCKED = "登录失败次数过多"


def post_login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def code(device, drift=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.drift = drift
    return f"{totp.token():06d}"


def kinds(**filters):
    return list(SecurityEvent.objects.filter(**filters).order_by("pk").values_list("kind", flat=True))


# --- lock-out ---------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_login_page_for_that_user_in_chinese(db, users):
    client = Client()
    for _ in range(4):
        assert post_login(client, "editor_a", "wrong").status_code == 200
    response = post_login(client, "editor_a", "wrong")  # the fifth failure locks
    assert response.status_code == 429 and LOCKED in response.content.decode()
    response = post_login(Client(REMOTE_ADDR="10.0.0.9"), "editor_a", "pw-editor_a")  # right password, other address
    assert response.status_code == 429 and "_auth_user_id" not in Client().session
    assert SecurityEvent.Kind.LOCKED_OUT in kinds(username="editor_a")


def test_failures_from_one_address_lock_that_address(db, users):
    client = Client(REMOTE_ADDR="10.0.0.7")
    for name in ("a1", "a2", "a3", "a4", "a5"):
        post_login(client, name, "wrong")
    assert post_login(client, "editor_b", "pw-editor_b").status_code == 429
    assert post_login(Client(REMOTE_ADDR="10.0.0.8"), "editor_b", "pw-editor_b").status_code == 302


def test_the_token_endpoint_locks_out_too(db, users):
    api = APIClient()
    for _ in range(5):
        assert api.post("/api/token/", {"username": "editor_a", "password": "wrong"}).status_code in (400, 429)
    response = api.post("/api/token/", {"username": "editor_a", "password": "pw-editor_a"})
    assert response.status_code == 429 and LOCKED in response.json()["detail"]


def test_the_admin_login_is_the_same_guarded_page(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/admin/"


def test_a_system_administrator_sees_and_lifts_a_lock_out(db, users):
    for _ in range(5):
        post_login(Client(), "editor_a", "wrong")
    admin = Client()
    admin.force_login(users.root)
    attempt = AccessAttempt.objects.get(username="editor_a")
    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and "editor_a" in listing.content.decode()
    response = admin.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 302 and not AccessAttempt.objects.exists()
    assert post_login(Client(), "editor_a", "pw-editor_a").status_code == 302
    lifted = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOCKOUT_LIFTED)
    assert lifted.username == "editor_a" and lifted.actor == users.root


# --- passwords and sessions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Abc12345!", "密码长度太短"),
        ("3849201938475", "只包含数字"),
        ("password123", "太常见"),
        ("editor_a_2026", "相似"),
    ],
)
def test_password_rules_speak_chinese(db, users, password, message):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        validate_password(password, users.editor_a)
    assert any(message in m for m in error.value.messages)


def test_an_idle_session_expires_after_thirty_minutes(client, users):
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert client.post(reverse("login"), {"username": "editor_a", "password": "pw-editor_a"}).status_code == 302
    assert client.get("/people/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))  # 30 idle minutes later
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_use_slides_the_idle_timeout_at_most_once_a_minute(client, users):
    client.post(reverse("login"), {"username": "editor_a", "password": "pw-editor_a"})
    session = Session.objects.get()
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=5))
    client.get("/people/")  # within the minute: the row is not rewritten
    assert Session.objects.get().expire_date < timezone.now() + datetime.timedelta(minutes=6)
    stored = client.session
    stored[security.SEEN] -= 120
    stored.save()
    client.get("/people/")
    assert Session.objects.get(pk=session.pk).expire_date > timezone.now() + datetime.timedelta(minutes=29)


# --- two-factor sign-in -----------------------------------------------------------------------


def test_a_unit_admin_must_set_up_two_factor_before_anything_else(db, users):
    client = Client()
    assert post_login(client, "admin_a", "pw-admin_a").status_code == 302
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor"))
    assert client.get("/api/units/").status_code == 403  # the API over the session too
    page = client.get(reverse("two_factor"))
    assert "双因素" in page.content.decode() and page.context["qr"].startswith("data:image/svg+xml")
    device = TOTPDevice.objects.get(user=users.admin_a, confirmed=False)
    assert client.post(reverse("two_factor"), {"code": "000000"}).status_code == 200
    TOTPDevice.objects.update(throttling_failure_timestamp=None)  # django-otp makes her wait a moment
    assert client.post(reverse("two_factor"), {"code": code(device)}).status_code == 302
    assert client.get("/people/").status_code == 200
    assert SecurityEvent.Kind.TWO_FACTOR_ENABLED in kinds(username="admin_a")


def test_an_account_with_an_authenticator_gives_the_code_after_the_password(db, users):
    device = TOTPDevice.objects.create(user=users.admin_a, name="phone", confirmed=True)
    client = Client()
    response = post_login(client, "admin_a", "pw-admin_a")
    assert response["Location"].startswith(reverse("login_verify"))
    assert "_auth_user_id" not in client.session  # no session before the code
    wrong = client.post(reverse("login_verify"), {"code": "123456"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    TOTPDevice.objects.update(throttling_failure_timestamp=None)  # django-otp makes her wait a moment
    assert (
        client.post(reverse("login_verify"), {"code": code(device, drift=1), "next": "/people/"})["Location"]
        == "/people/"
    )
    assert client.get("/people/").status_code == 200
    assert kinds(username="admin_a")[-2:] == [SecurityEvent.Kind.TWO_FACTOR_FAILED, SecurityEvent.Kind.LOGIN]


def test_editors_may_turn_it_on_and_a_setting_requires_it_of_everyone(db, users, settings):
    client = Client()
    post_login(client, "editor_a", "pw-editor_a")
    assert client.get("/people/").status_code == 200
    assert client.get(reverse("two_factor")).context["required"] is False
    settings.BANYAN = {**settings.BANYAN, "TWO_FACTOR_FOR_ALL": True}
    client = Client()
    post_login(client, "editor_b", "pw-editor_b")
    assert client.get("/people/")["Location"].startswith(reverse("two_factor"))


def test_a_token_for_an_admin_needs_the_code(db, users):
    api = APIClient()
    response = api.post("/api/token/", {"username": "admin_a", "password": "pw-admin_a"})
    assert response.status_code == 403 and "双因素" in response.json()["detail"]
    device = TOTPDevice.objects.create(user=users.admin_a, name="phone", confirmed=True)
    response = api.post("/api/token/", {"username": "admin_a", "password": "pw-admin_a"})
    assert response.status_code == 400 and "otp_token" in response.json()
    response = api.post("/api/token/", {"username": "admin_a", "password": "pw-admin_a", "otp_token": code(device)})
    assert response.status_code == 200 and response.json()["token"]


# --- API tokens -------------------------------------------------------------------------------


def test_tokens_expire_and_can_be_revoked(db, users, settings):
    response = APIClient().post("/api/token/", {"username": "editor_a", "password": "pw-editor_a"})
    assert response.status_code == 200 and response.json()["expires_at"]
    api = APIClient(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/units/").status_code == 200
    Token.objects.update(created=timezone.now() - datetime.timedelta(hours=settings.BANYAN["TOKEN_TTL_HOURS"] + 1))
    expired = api.get("/api/units/")
    assert expired.status_code == 401 and "过期" in expired.json()["detail"]
    fresh = APIClient().post("/api/token/", {"username": "editor_a", "password": "pw-editor_a"}).json()["token"]
    api = APIClient(HTTP_AUTHORIZATION=f"Token {fresh}")
    assert api.delete("/api/token/").status_code == 204
    assert api.get("/api/units/").status_code == 401
    assert kinds(username="editor_a").count(SecurityEvent.Kind.TOKEN_ISSUED) == 2
    assert SecurityEvent.Kind.TOKEN_REVOKED in kinds(username="editor_a")


def test_the_account_page_shows_and_revokes_the_token(client, users):
    Token.objects.create(user=users.editor_a)
    client.force_login(users.editor_a)
    page = client.get(reverse("account"))
    assert "有效期至" in page.content.decode()
    client.post(reverse("revoke_token"))
    assert not Token.objects.exists()


# --- the security log -------------------------------------------------------------------------


def test_the_log_records_sign_ins_failures_sign_outs_and_scope_changes(db, users, tree):
    client = Client()
    post_login(client, "editor_a", "wrong")
    post_login(client, "editor_a", "pw-editor_a")
    client.post(reverse("logout"))
    assert kinds(username="editor_a")[-3:] == [
        SecurityEvent.Kind.LOGIN_FAILED,
        SecurityEvent.Kind.LOGIN,
        SecurityEvent.Kind.LOGOUT,
    ]
    scope = UserScope.objects.create(user=users.editor_b, unit=tree.township_a, role=Role.VIEWER)
    scope.role = Role.EDITOR
    scope.save()
    scope.delete()
    users.viewer.is_staff = True
    users.viewer.save()
    assert kinds(username="editor_b")[-3:] == [
        SecurityEvent.Kind.SCOPE_ADDED,
        SecurityEvent.Kind.SCOPE_CHANGED,
        SecurityEvent.Kind.SCOPE_REMOVED,
    ]
    changed = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ACCOUNT_CHANGED, username="viewer")
    assert "工作人员状态" in changed.detail and "is_staff" not in changed.detail


def test_only_system_administrators_read_the_log(db, users):
    from django.contrib.auth.models import Permission

    users.admin_a.is_staff = True
    users.admin_a.save()
    users.admin_a.user_permissions.add(Permission.objects.get(codename="view_securityevent"))
    url = reverse("admin:federation_securityevent_changelist")
    staff = Client()
    staff.force_login(users.admin_a)
    assert staff.get(url).status_code == 403
    root = Client()
    root.force_login(users.root)
    assert root.get(url).status_code == 200


@override_settings()
def test_the_log_is_kept_at_least_180_days(db, settings):
    settings.BANYAN = {**settings.BANYAN, "SECURITY_LOG_DAYS": 30}
    old = SecurityEvent.objects.create(kind=SecurityEvent.Kind.LOGIN, username="x")
    kept = SecurityEvent.objects.create(kind=SecurityEvent.Kind.LOGIN, username="y")
    SecurityEvent.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=181))
    SecurityEvent.objects.filter(pk=kept.pk).update(at=timezone.now() - datetime.timedelta(days=179))
    assert security.prune() == 1
    assert list(SecurityEvent.objects.values_list("username", flat=True)) == ["y"]


def test_the_client_address_behind_a_proxy_is_the_one_the_proxy_added(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5", REMOTE_ADDR="10.0.0.2")
    assert security.client_ip(request) == "10.0.0.2"
    settings.PROXY_COUNT = 1
    assert security.client_ip(request) == "203.0.113.5"  # the forged left entry is never used


def test_no_user_model_change_is_logged_for_a_plain_sign_in(db, users):
    before = SecurityEvent.objects.count()
    get_user_model().objects.filter(pk=users.editor_a.pk).update(last_login=None)
    post_login(Client(), "editor_a", "pw-editor_a")
    assert SecurityEvent.objects.count() == before + 1
