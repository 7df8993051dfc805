"""The city-scale pages issue #13 holds to about 2× the unit detail page (bench/pages.py) cost a
fixed number of queries: more units, more villages converted, more reform and funding rows — the
same queries. (bench/pages.py times them; here only their number is pinned.)"""

import pytest
from django.urls import reverse

from funding.demo import demo_funding
from orgtree.management.commands.load_demo import demo_conversions
from reform.demo import demo_reform
from register.demo import demo_register
from tests.conftest import make


@pytest.fixture
def demo(tree, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo_conversions()
    demo_reform()
    demo_funding()
    demo_register()


def grow(tree, n=4):
    """More of everything the pages count: a county, townships and villages under both counties."""
    county = make(tree.city, "county", "新增区", "350799")
    for i, parent in enumerate((tree.county_a, tree.county_b, county)):
        township = make(parent, "township", f"新镇{i}", f"{parent.code}190")
        for k in range(n):
            make(township, "village", f"新村{i}{k}", f"{township.code}{290 + k}", form="congress")


@pytest.mark.parametrize(
    ("name", "pinned"),
    [
        # session, user, scopes, unit; coverage: total, children, the counties' groups (the city itself
        # and its agency: the total less the counties, no statement); 周报 and trend snapshots; the
        # reform panel: one statement per source (3: the counties' own rows and the rows below them,
        # in one, orgtree.rollups); the funding panel: stale flags, own rows, rows below; the
        # executives panel: offices, sessions, contact lists and the contact log, one each (the
        # executives in office counted once for training and contacts); the register panel: the
        # subtree's total, the counties' rollup, the own agencies of the city and its counties; the
        # 新增执委 panel: campaigns, the counties' rollup; the approval marks (federation.locks.approved,
        # one); the 报送 panel: the plans, the completeness of the latest period by child (one statement);
        # breadcrumbs; the unread-notices badge. The panels are by area child.
        ("orgtree:dashboard", 29),
        ("orgtree:renewals", 14),
        ("orgtree:unit_detail", 11),
    ],
)
def test_a_city_page_costs_the_same_queries_whatever_its_size(
    client, tree, users, demo, name, pinned, django_assert_num_queries
):
    client.force_login(users.viewer)
    url = reverse(name, args=[tree.city.pk])
    assert client.get(url).status_code == 200  # the first request of the day adds the daily notices
    with django_assert_num_queries(pinned):
        client.get(url)
    grow(tree)
    with django_assert_num_queries(pinned):
        assert client.get(url).status_code == 200
