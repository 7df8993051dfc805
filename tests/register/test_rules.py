"""The register's rules: the credit code, should-build by the nearest rule, 包建 by size, scope of writes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from federation.models import ChangeRecord
from orgtree.models import Office, Person, Role, Term
from register import rules, services
from register.models import Coverage, Organization, OrgKind, Requirement, Subtype
from register.validators import validate_credit_code
from tests.conftest import make

VALID = "91350100M000100Y43"


def test_a_credit_code_is_checked_by_its_last_character():
    validate_credit_code(VALID)
    validate_credit_code(VALID.lower())  # entered in small letters: the same code
    for bad, words in (
        ("91350100M000100Y4", "18"),
        ("91350100M000100Y42", "不符"),
        ("91350100M00010OY43", "I、O、Z、S、V"),
    ):
        with pytest.raises(ValidationError) as caught:
            validate_credit_code(bad)
        assert words in caught.value.messages[0], caught.value.messages


def agency(user, unit, name="南平市教育局", **fields):
    values = {"kind": OrgKind.AGENCY, "subtype": Subtype.AGENCY, **fields}
    return services.create_organization(user, unit, source="test", name=name, **values)


@pytest.mark.django_db
def test_by_default_a_party_organization_or_ten_women_means_it_should_build(tree, users):
    party = agency(users.root, tree.city, has_party_org=True)
    few = agency(users.root, tree.city, name="南平市档案馆", women_employees=9)
    ten = agency(users.root, tree.city, name="南平市图书馆", women_employees=10)
    assert (party.should_build, few.should_build, ten.should_build) == (True, False, True)
    assert party.status == "should_build" and few.status == "not_required"


@pytest.mark.django_db
def test_the_nearest_rule_decides_and_a_changed_rule_recomputes_beneath_it(tree, users):
    org = services.create_organization(
        users.editor_a, tree.township_a, source="test", name="黄墩电商园", kind=OrgKind.ENTERPRISE, women_employees=6
    )
    elsewhere = services.create_organization(
        users.editor_b, tree.township_b, source="test", name="潭城商贸", kind=OrgKind.ENTERPRISE, women_employees=6
    )
    assert not org.should_build
    services.set_rule(users.root, tree.city, {"min_women": 20})
    _rule, changed = services.set_rule(users.admin_a, tree.county_a, {"min_women": 5})
    assert changed == 1
    org.refresh_from_db()
    elsewhere.refresh_from_db()
    assert org.should_build and not elsewhere.should_build
    assert rules.rule_for(tree.township_b).min_women == 20
    assert ChangeRecord.objects.filter(object_id=str(_rule.pk)).exists()


@pytest.mark.django_db
def test_a_decision_overrides_the_rule_and_not_required_needs_a_reason(tree, users):
    org = agency(users.root, tree.city, has_party_org=True)
    with pytest.raises(ValidationError) as caught:
        services.update_organization(users.root, org, {"requirement": Requirement.NOT_REQUIRED})
    assert "not_required_reason" in caught.value.message_dict
    org = services.update_organization(
        users.root, org, {"requirement": Requirement.NOT_REQUIRED, "not_required_reason": "已撤并"}
    )
    assert not org.should_build


@pytest.mark.django_db
def test_built_means_linked_to_an_open_committee_and_one_committee_covers_several(tree, users):
    a = services.create_organization(
        users.editor_a,
        tree.township_a,
        source="test",
        name="万达广场",
        kind=OrgKind.NEW_DOMAIN,
        subtype=Subtype.BUSINESS_DISTRICT,
        has_party_org=True,
    )
    b = services.create_organization(
        users.editor_a,
        tree.township_a,
        source="test",
        name="中心市场",
        kind=OrgKind.NEW_DOMAIN,
        subtype=Subtype.MARKET,
        has_party_org=True,
    )
    committee = services.build_committee(
        users.editor_a, [a, b], tree.township_a, kind="new_domain", name="黄墩商圈妇联", subtype="business_district"
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.committee == b.committee == committee
    assert a.coverage == b.coverage == Coverage.REGIONAL
    assert Organization.objects.built().count() == 2 and Organization.objects.not_built().count() == 0


@pytest.mark.django_db
def test_a_cadre_cannot_register_or_link_outside_her_county(tree, users):
    with pytest.raises(PermissionDenied):
        agency(users.editor_a, tree.county_b, name="建阳区教育局")
    org = services.create_organization(
        users.editor_a, tree.township_a, source="test", name="黄墩电商园", kind=OrgKind.ENTERPRISE
    )
    foreign = make(tree.county_b, "enterprise", "建阳某企业妇委会")
    with pytest.raises(PermissionDenied):
        services.link_committee(users.editor_a, [org], foreign)
    org.refresh_from_db()
    assert org.committee is None


@pytest.mark.django_db
def test_the_credit_code_is_registered_once_among_open_organizations(tree, users):
    agency(users.root, tree.city, credit_code=VALID)
    with pytest.raises(ValidationError) as caught:
        agency(users.root, tree.city, name="另一个局", credit_code=VALID.lower())
    assert "credit_code" in caught.value.message_dict


@pytest.mark.django_db
def test_patron_is_suggested_by_size(tree, users):
    today = datetime.date(2024, 1, 1)
    term = Term.objects.create(unit=tree.county_a, number=1, started_on=today, due_on=datetime.date(2029, 1, 1))
    chair = Person.objects.create(unit=tree.county_a, name="县主席")
    vice = Person.objects.create(unit=tree.county_a, name="县副主席")
    Office.objects.create(unit=tree.county_a, term=term, person=chair, role=Role.CHAIR, started_on=today)
    Office.objects.create(
        unit=tree.county_a, term=term, person=vice, role=Role.VICE_CHAIR, vice_chair_type="full_time", started_on=today
    )
    big = agency(users.root, tree.county_a, name="延平区医院", employees=150)
    middle = agency(users.root, tree.county_a, name="延平区档案馆", employees=40)
    small = agency(users.root, tree.county_a, name="延平区小站", employees=5)
    assert rules.suggest_patron(big)[0] == chair
    assert rules.suggest_patron(middle)[0] == vice
    assert rules.suggest_patron(small) == (None, "")
