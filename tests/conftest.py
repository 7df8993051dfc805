"""Shared fixtures: a small real-shaped tree (two counties of 南平市) and users scoped to it."""

import socket
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from federation.models import Role, UserScope
from orgtree import services
from orgtree.choices import Form, Kind


def pytest_collection_modifyitems(items):
    """Every transactional test starts with the rows the data migrations seed (the checklist template,
    duty areas, activity types): serialized rollback restores them. Without it a flush leaves the
    next test without them; and a flush that runs post_migrate (a transactional test without
    serialized rollback) recreates the content types under new ids, which the next serialized
    test's restore then collides with."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True}))


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Tests talk to this machine only (the database, Redis, the live server)."""
    real_connect = socket.socket.connect

    def guarded(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("/"):
            raise RuntimeError(f"network access in tests: {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _force_login_is_a_full_sign_in(monkeypatch):
    """`client.force_login()` skips the password; it skips the second factor too, as if both were given.
    Sign-in itself (password, lock-out, the code) is tested through the real pages in test_security.py."""
    from django.test import Client

    from federation.security import NEEDS_2FA

    real = Client.force_login

    def force_login(self, user, backend=None):
        real(self, user, backend)
        session = self.session
        session[NEEDS_2FA] = False
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


def make(parent, kind, name, code="", **extra):
    return services.create_unit(None, parent, kind=kind, name=name, code=code, source="test", **extra)


@pytest.fixture
def tree(db):
    """福建省 › 南平市 › {延平区 › 黄墩街道 › 2 communities, 1 village; 建阳区 › 潭城街道 › 1 village}."""
    t = SimpleNamespace()
    t.province = make(None, Kind.PROVINCE, "福建省", "35")
    t.city = make(t.province, Kind.CITY, "南平市", "3507")
    t.county_a = make(t.city, Kind.COUNTY, "延平区", "350702")
    t.township_a = make(t.county_a, Kind.STREET, "黄墩街道", "350702003")
    t.village_a1 = make(t.township_a, Kind.COMMUNITY, "黄墩社区", "350702003001", form=Form.CONGRESS)
    t.village_a2 = make(t.township_a, Kind.COMMUNITY, "西门社区", "350702003002", form=Form.CONGRESS)
    t.village_a3 = make(t.township_a, Kind.VILLAGE, "上坪村", "350702003201", form=Form.CONGRESS)
    t.county_b = make(t.city, Kind.COUNTY, "建阳区", "350703")
    t.township_b = make(t.county_b, Kind.STREET, "潭城街道", "350703001")
    t.village_b1 = make(t.township_b, Kind.VILLAGE, "城东村", "350703001201", form=Form.CONGRESS)
    t.agency = make(t.city, Kind.AGENCY, "南平市直机关妇工委", form=Form.WORKING_COMMITTEE)
    return t


@pytest.fixture
def api():
    """api(user) -> an API client signed in as that user."""
    from rest_framework.test import APIClient

    def login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


def scoped_user(username, unit, role):
    user = get_user_model().objects.create_user(username, password="pw-" + username)
    UserScope.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def users(tree):
    """editor_a / admin_a: county A; editor_b: county B; viewer: the city; root: superuser."""
    return SimpleNamespace(
        editor_a=scoped_user("editor_a", tree.county_a, Role.EDITOR),
        admin_a=scoped_user("admin_a", tree.county_a, Role.ADMIN),
        editor_b=scoped_user("editor_b", tree.county_b, Role.EDITOR),
        viewer=scoped_user("viewer", tree.city, Role.VIEWER),
        root=get_user_model().objects.create_superuser("root", password="pw-root"),
    )
