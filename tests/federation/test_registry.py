"""A new app appears on the unit pages and the dashboard by registering, without editing orgtree."""

import pytest
from django.urls import reverse

from federation import registry


@pytest.fixture
def new_app(monkeypatch):
    """Registers a tab and a panel for the test only."""
    monkeypatch.setattr(registry, "_tabs", dict(registry._tabs))
    monkeypatch.setattr(registry, "_panels", dict(registry._panels))
    registry.unit_tab(
        registry.Tab(
            "registers",
            "登记簿",
            "orgtree:unit_detail",
            65,
            visible=lambda unit, context: bool(context.get("can_change")),
        )
    )
    registry.dashboard_panel(
        registry.Panel("registers", 5, "orgtree/unit_tabs.html", lambda unit, children, figures: {"tab": "registers"})
    )


def test_a_registered_tab_shows_on_unit_pages_by_weight_and_visibility(client, tree, users, new_app):
    client.force_login(users.editor_a)
    pk = tree.county_a.pk
    page = client.get(reverse("orgtree:renewals", args=[pk])).content.decode()
    # weight 65: after reform's overview tab (60), before its checklist tab (70)
    overview, checklist = reverse("reform:overview", args=[pk]), reverse("reform:checklist", args=[pk])
    assert page.index(f'href="{overview}"') < page.index("登记簿") < page.index(f'href="{checklist}"')
    client.force_login(users.viewer)
    assert "登记簿" not in client.get(reverse("orgtree:renewals", args=[tree.county_a.pk])).content.decode()


def test_a_registered_panel_shows_on_the_dashboard(client, tree, users, new_app):
    client.force_login(users.editor_a)
    page = client.get(reverse("orgtree:dashboard", args=[tree.county_a.pk])).content.decode()
    assert page.count("登记簿") == 2  # the tab, and the panel (which renders the tabs as its body)


def test_a_name_registered_twice_is_refused(new_app):
    with pytest.raises(ValueError):
        registry.unit_tab(registry.Tab("registers", "又一个", "orgtree:unit_detail", 1))
