"""A unit's kind reads as the documents name it in its form: 机关（单位）妇联 / 机关妇委会 / 机关妇工委,
新领域妇联 / 新领域妇委会 (orgtree.choices.kind_label, Unit.get_kind_display) on pages, exports and the API."""

import pytest
from django.urls import reverse
from django.utils import translation

from orgtree.choices import Form, Kind, kind_label
from tests.conftest import make
from tests.orgtree.test_list_pages import sheet_rows


@pytest.mark.parametrize(
    ("kind", "form", "label"),
    [
        (Kind.AGENCY, Form.FEDERATION, "机关（单位）妇联"),
        (Kind.AGENCY, Form.COMMITTEE, "机关妇委会"),
        (Kind.AGENCY, Form.WORKING_COMMITTEE, "机关妇工委"),
        (Kind.NEW_DOMAIN, Form.FEDERATION, "新领域妇联"),
        (Kind.NEW_DOMAIN, Form.COMMITTEE, "新领域妇委会"),
        (Kind.ENTERPRISE, Form.COMMITTEE, "非公企业妇委会"),
        (Kind.ENTERPRISE, Form.FEDERATION, "非公企业妇联"),
        (Kind.SOCIAL_ORG, Form.FEDERATION, "社会组织妇联"),
        (Kind.VILLAGE, Form.CONGRESS, "村妇联"),
    ],
)
def test_the_kind_label_follows_the_form(kind, form, label):
    with translation.override("zh-hans"):
        assert str(kind_label(kind, form)) == label


def test_pages_exports_and_the_api_show_the_kind_in_the_units_form(client, api, tree, users):
    federation = make(tree.city, Kind.AGENCY, "南平市教育局妇联", form=Form.FEDERATION)
    building = make(tree.county_a, Kind.NEW_DOMAIN, "延平商务大厦妇委会", form=Form.COMMITTEE, subtype="building")
    client.force_login(users.root)
    assert "机关（单位）妇联" in client.get(federation.get_absolute_url()).content.decode()
    assert "机关妇工委" in client.get(tree.agency.get_absolute_url()).content.decode()
    assert "新领域妇委会" in client.get(building.get_absolute_url()).content.decode()
    listed = client.get(reverse("orgtree:unit_list"), {"kind": ["agency", "new_domain"]}).content.decode()
    assert "机关（单位）妇联" in listed and "新领域妇委会" in listed
    rows = sheet_rows(client.get(reverse("orgtree:unit_list"), {"kind": "agency", "export": "xlsx"}))
    assert {(r[0], r[1]) for r in rows[1:]} == {
        ("南平市教育局妇联", "机关（单位）妇联"),
        ("南平市直机关妇工委", "机关妇工委"),
    }
    assert api(users.root).get(f"/api/units/{building.pk}/").json()["kind_display"] == "新领域妇委会"
