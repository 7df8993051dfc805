"""A small register on the shared two-county tree: the city's own agencies, and organizations of both
counties, some built (one committee for two), one not required, one closed."""

import datetime
from types import SimpleNamespace

from register import services
from register.models import OrgKind, Requirement, Subtype


def org(user, unit, name, kind=OrgKind.ENTERPRISE, **fields):
    if kind == OrgKind.AGENCY:
        fields.setdefault("subtype", Subtype.AGENCY)
    return services.create_organization(user, unit, source="test", name=name, kind=kind, **fields)


def build(tree, users):
    w = SimpleNamespace()
    root = users.root
    w.city_agencies = [org(root, tree.city, f"南平市第{i}局", OrgKind.AGENCY, has_party_org=True) for i in range(4)]
    w.city_committee = services.build_committee(
        root, w.city_agencies[:3], tree.city, kind="agency", name="南平市直机关联合妇委会"
    )
    w.county_agency = org(root, tree.county_a, "延平区教育局", OrgKind.AGENCY, has_party_org=True)
    w.mall = org(
        users.editor_a,
        tree.township_a,
        "万达广场",
        OrgKind.NEW_DOMAIN,
        subtype=Subtype.BUSINESS_DISTRICT,
        has_party_org=True,
        employees=150,
    )
    w.market = org(
        users.editor_a, tree.township_a, "中心市场", OrgKind.NEW_DOMAIN, subtype=Subtype.MARKET, has_party_org=True
    )
    w.dance = org(
        users.editor_a, tree.township_a, "广场舞队", OrgKind.NEW_DOMAIN, subtype=Subtype.GROUP, women_employees=3
    )
    w.factory = org(users.editor_a, tree.township_a, "食品公司", has_party_org=True, employees=40, women_employees=20)
    w.garage = org(
        users.editor_a,
        tree.township_a,
        "汽修厂",
        has_party_org=True,
        requirement=Requirement.NOT_REQUIRED,
        not_required_reason="仅3人",
    )
    w.closed = org(users.editor_a, tree.township_a, "已关停工厂", has_party_org=True)
    services.close_organization(users.editor_a, w.closed, datetime.date(2024, 1, 1))
    w.committee = services.build_committee(
        users.editor_a,
        [w.mall, w.market],
        tree.township_a,
        kind="new_domain",
        name="黄墩商圈妇联",
        subtype="business_district",
    )
    w.b_org = org(users.editor_b, tree.township_b, "潭城商贸", has_party_org=True)
    w.b_society = org(users.editor_b, tree.county_b, "建阳区个体劳动者协会", OrgKind.SOCIAL_ORG, has_party_org=True)
    for name in ("mall", "market", "dance", "factory", "garage", "closed", "b_org", "b_society", "county_agency"):
        getattr(w, name).refresh_from_db()
    for found in w.city_agencies:
        found.refresh_from_db()
    return w
