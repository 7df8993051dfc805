"""A 妇委会/妇工委 (and a 妇代会) is led by a 主任 and 副主任s, a 妇联 by a 主席: titles follow the unit's
organizational form on every page, form, export and API label (orgtree.models.committee.role_title)."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from orgtree import elections
from orgtree.choices import Form
from orgtree.models import Election, Office, OfficerChoice, Role
from orgtree.models.committee import role_title
from tests.orgtree.test_elections import build_election


@pytest.mark.parametrize(
    ("role", "form", "title"),
    [
        (Role.CHAIR, Form.FEDERATION, "主席"),
        (Role.VICE_CHAIR, Form.FEDERATION, "副主席"),
        (Role.CHAIR, Form.COMMITTEE, "主任"),
        (Role.VICE_CHAIR, Form.COMMITTEE, "副主任"),
        (Role.CHAIR, Form.WORKING_COMMITTEE, "主任"),
        (Role.VICE_CHAIR, Form.WORKING_COMMITTEE, "副主任"),
        (Role.CHAIR, Form.CONGRESS, "主任"),
        (Role.CHAIR, Form.GROUP, "组长"),
        (Role.STANDING, Form.COMMITTEE, "常委"),
        (Role.EXECUTIVE, Form.WORKING_COMMITTEE, "执委"),
    ],
)
def test_the_title_follows_the_form(role, form, title):
    with translation.override("zh-hans"):
        assert str(role_title(role, form)) == title


@pytest.fixture
def agency_committee(tree, users):
    """南平市直机关妇工委 (a working committee) with a certified committee: a 主任 and two 副主任."""
    election = build_election(tree.agency)
    elections.certify_election(users.root, election)
    return election


def test_a_working_committee_page_export_and_api_say_director(client, api, tree, users, agency_committee):
    client.force_login(users.root)
    page = client.get(reverse("orgtree:committee", args=[tree.agency.pk])).content.decode()
    assert "<td>主任</td>" in page and "<td>副主任（兼职）</td>" in page
    assert "<td>主席</td>" not in page and "副主席（" not in page
    assert "选派副主任" in page
    book = load_workbook(io.BytesIO(client.get(reverse("orgtree:committee_export", args=[tree.agency.pk])).content))
    roles = [row[1] for row in book.active.iter_rows(min_row=3, values_only=True)]
    assert "主任" in roles and "副主任（兼职）" in roles and not any("主席" in (r or "") for r in roles)
    rows = api(users.root).get("/api/offices/", {"unit": tree.agency.pk}).json()["results"]
    assert sorted(r["role_label"] for r in rows if r["role"] != "executive") == ["主任", "副主任", "副主任"]
    chair = Office.objects.get(unit=tree.agency, role=Role.CHAIR, ended_on=None)
    person_page = client.get(reverse("orgtree:person_detail", args=[chair.person.pk])).content.decode()
    assert re.search(r"<td>主任</td>", person_page)


def test_the_election_page_and_its_rules_say_director_on_a_committee(client, tree, users, agency_committee):
    client.force_login(users.root)
    page = client.get(reverse("orgtree:election_detail", args=[agency_committee.pk])).content.decode()
    assert "选举主任、副主任" in page and "<td>主任</td>" in page
    draft = build_election(tree.agency, officers=False, held_on=agency_committee.held_on)
    assert any("应选举一名主任" in str(m) for m in elections.violations(draft))
    form_page = client.get(reverse("orgtree:election_detail", args=[draft.pk])).content.decode()
    assert '<option value="chair">主任</option>' in form_page


def test_a_conversion_election_makes_a_federation_so_its_officers_are_chairs(tree):
    """A 妇代会 is led by a 主任; the 会改联 election elects the new 妇联's 主席."""
    election = build_election(tree.village_a1, kind=Election.Kind.CONVERSION)
    officer = OfficerChoice.objects.filter(election=election, role=Role.CHAIR).get()
    assert str(officer.get_role_display()) == "主席"
    renewal = build_election(tree.village_a2)
    assert str(OfficerChoice.objects.filter(election=renewal, role=Role.CHAIR).get().get_role_display()) == "主任"


def test_the_points_ranking_titles_follow_the_form(tree, users, agency_committee):
    from executives.points import ranking

    titles = {str(r.role_label) for r in ranking(tree.agency, agency_committee.held_on.year).rows}
    assert {"主任", "副主任"} <= titles and "主席" not in titles


def test_on_a_federation_the_rule_reads_as_the_conversion_check_does(tree):
    """The 会改联 import lists a village's missing chair once: both checks word it the same on a 妇联."""
    draft = build_election(tree.village_a1, officers=False, kind=Election.Kind.CONVERSION)
    assert "新一届执委会应选举一名主席（现填写了 0 名）。" in [str(m) for m in elections.violations(draft)]
