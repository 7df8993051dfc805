"""Unit.clean(): the allowed-parent rules and field rules, each with its Chinese message."""

import pytest
from django.core.exceptions import ValidationError

from orgtree import services
from orgtree.choices import Kind, Subtype
from orgtree.models import Unit
from tests.conftest import make


def messages_of(excinfo):
    return " ".join(m for msgs in excinfo.value.message_dict.values() for m in msgs)


def test_village_cannot_sit_under_a_county(tree):
    with pytest.raises(ValidationError) as excinfo:
        make(tree.county_a, Kind.VILLAGE, "错位村")
    assert "parent" in excinfo.value.message_dict
    assert "不能" in messages_of(excinfo)
    assert not Unit.objects.filter(name="错位村").exists()


def test_city_needs_a_parent(db):
    with pytest.raises(ValidationError) as excinfo:
        make(None, Kind.CITY, "无主市")
    assert "上级" in messages_of(excinfo)


@pytest.mark.parametrize(
    ("kind", "parent_attr"),
    [
        (Kind.AGENCY, "city"),
        (Kind.AGENCY, "county"),
        (Kind.SOCIAL_ORG, "county"),
        (Kind.NEW_DOMAIN, "township_a"),
        (Kind.AREA, "township_a"),
        (Kind.ENTERPRISE, "township_a"),
        (Kind.WOMEN_GROUP, "village_a1"),
        (Kind.WOMEN_GROUP, "agency"),
    ],
)
def test_committees_sit_where_the_glossary_says(tree, kind, parent_attr):
    parent = getattr(tree, "county_a" if parent_attr == "county" else parent_attr)
    extra = {"subtype": Subtype.BUILDING} if kind == Kind.NEW_DOMAIN else {}
    unit = make(parent, kind, f"新{kind}", **extra)
    assert unit.parent == parent


def test_enterprise_under_a_new_domain_only_in_a_park(tree):
    building = make(tree.township_a, Kind.NEW_DOMAIN, "商务楼宇妇联", subtype=Subtype.BUILDING)
    park = make(tree.township_a, Kind.NEW_DOMAIN, "工业园区妇联", subtype=Subtype.PARK)
    with pytest.raises(ValidationError) as excinfo:
        make(building, Kind.ENTERPRISE, "某公司妇委会")
    assert "园区" in messages_of(excinfo)
    assert make(park, Kind.ENTERPRISE, "某公司妇委会").parent == park


def test_new_domain_needs_a_subtype_and_others_have_none(tree):
    with pytest.raises(ValidationError) as excinfo:
        make(tree.township_a, Kind.NEW_DOMAIN, "无类型新领域")
    assert "subtype" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        make(tree.township_a, Kind.AREA, "片区", subtype=Subtype.PARK)


def test_code_is_unique_among_open_units_with_a_chinese_message(tree):
    with pytest.raises(ValidationError) as excinfo:
        make(tree.township_a, Kind.COMMUNITY, "重复社区", "350702003001")
    assert "黄墩社区" in messages_of(excinfo)
    assert "已" in messages_of(excinfo)


def test_a_closed_units_code_can_be_reused(tree):
    services.close_unit(None, tree.village_a3, "2024-01-01")
    reused = make(tree.township_a, Kind.VILLAGE, "上坪村（新）", "350702003201")
    assert reused.code == tree.village_a3.code


def test_code_has_digits_only(tree):
    with pytest.raises(ValidationError) as excinfo:
        make(tree.township_a, Kind.VILLAGE, "字母村", "35AB")
    assert "code" in excinfo.value.message_dict


def test_nothing_goes_under_a_closed_unit(tree):
    services.close_unit(None, tree.village_b1, "2024-01-01")
    with pytest.raises(ValidationError) as excinfo:
        make(tree.village_b1, Kind.WOMEN_GROUP, "小组")
    assert "城东村" in messages_of(excinfo)


def test_one_national_federation(db):
    make(None, Kind.NATIONAL, "全国妇联")
    with pytest.raises(ValidationError):
        make(None, Kind.NATIONAL, "第二个全国妇联")


def test_default_form_follows_the_kind(tree):
    assert make(tree.county_a, Kind.AGENCY, "县直机关").form == "committee"
    assert make(tree.village_a1, Kind.WOMEN_GROUP, "楼栋小组").form == "group"
    assert tree.county_a.form == "federation"
