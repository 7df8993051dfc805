"""Demo register for `load_demo`: 南平市's own agencies (市直机关, most with their own 妇委会, a few not yet),
and in 延平区 and 建阳区 a few enterprises, new-domain places and groups, some covered by one committee
founded for several (区域联建) through register.services. Runs only into an empty register: it never
changes what users entered."""

from orgtree.models import Unit
from register import services
from register.models import Coverage, Organization, OrgKind, Requirement, Subtype
from register.validators import check_character

CITY_AGENCIES = [
    ("中共南平市委办公室", Subtype.AGENCY, 60),
    ("南平市人民政府办公室", Subtype.AGENCY, 72),
    ("中共南平市委组织部", Subtype.AGENCY, 48),
    ("中共南平市委宣传部", Subtype.AGENCY, 40),
    ("南平市教育局", Subtype.AGENCY, 85),
    ("南平市卫生健康委员会", Subtype.AGENCY, 90),
    ("南平市民政局", Subtype.AGENCY, 55),
    ("南平市人力资源和社会保障局", Subtype.AGENCY, 66),
    ("南平市财政局", Subtype.AGENCY, 58),
    ("南平市自然资源局", Subtype.AGENCY, 70),
    ("南平市农业农村局", Subtype.AGENCY, 62),
    ("南平市商务局", Subtype.AGENCY, 38),
    ("南平市文化和旅游局", Subtype.AGENCY, 44),
    ("南平市市场监督管理局", Subtype.AGENCY, 96),
    ("南平市妇幼保健院", Subtype.INSTITUTION, 420),
    ("南平市第一医院", Subtype.INSTITUTION, 1300),
    ("南平市图书馆", Subtype.INSTITUTION, 35),
    ("南平市档案馆", Subtype.INSTITUTION, 22),
    ("南平市科技局", Subtype.AGENCY, 30),
    ("南平市统计局", Subtype.AGENCY, 28),
]
NOT_YET = 4  # the last agencies have no committee yet: the dashboard shows a gap to close


def credit_code(region, serial):
    """A well-formed demo 统一社会信用代码 (its check character computed): not a real organization's."""
    first = f"1{'1' if serial % 2 else '2'}{region[:6]:0<6}MB{serial:07d}"
    return first + check_character(first)


def _township(county):
    """The county's last township or street by code (the other demos start with the first)."""
    return Unit.objects.open().filter(parent=county, kind__in=("township", "street")).order_by("-code", "-pk").first()


def demo_register():
    if Organization.objects.exists():
        return 0
    city = Unit.objects.open().filter(code="3507").first()
    if city is None:
        return 0
    count = 0
    for i, (name, subtype, staff) in enumerate(CITY_AGENCIES):
        org = services.create_organization(
            None,
            city,
            source="demo",
            name=name,
            kind=OrgKind.AGENCY,
            subtype=subtype,
            credit_code=credit_code(city.code, i + 1),
            has_party_org=True,
            employees=staff,
            women_employees=staff * 2 // 5,
            head_name="",
        )
        count += 1
        if i < len(CITY_AGENCIES) - NOT_YET:
            services.build_committee(
                None,
                [org],
                city,
                kind="agency",
                name=f"{name}妇委会",
                coverage=Coverage.SEPARATE,
                source="demo",
            )
    for code in ("350702", "350703"):
        county = Unit.objects.open().filter(code=code).first()
        township = _township(county) if county else None
        if township is not None:
            count += _county_demo(county, township)
    return count


def _county_demo(county, township):
    def add(unit, name, kind, subtype="", **fields):
        return services.create_organization(
            None, unit, source="demo", name=f"{township.name}{name}", kind=kind, subtype=subtype, **fields
        )

    district = add(
        township, "商业综合体", OrgKind.NEW_DOMAIN, Subtype.BUSINESS_DISTRICT, has_party_org=True, employees=260
    )
    market = add(township, "中心农贸市场", OrgKind.NEW_DOMAIN, Subtype.MARKET, has_party_org=True, employees=80)
    add(township, "电商产业园", OrgKind.NEW_DOMAIN, Subtype.PARK, has_party_org=True, employees=150)
    add(township, "广场舞队", OrgKind.NEW_DOMAIN, Subtype.GROUP, employees=36, women_employees=34)
    add(township, "全职妈妈群", OrgKind.NEW_DOMAIN, Subtype.GROUP, employees=120, women_employees=120)
    factory = add(
        township,
        "食品有限公司",
        OrgKind.ENTERPRISE,
        credit_code=credit_code(county.code, 100 + int(county.code[-1])),
        has_party_org=True,
        employees=140,
        women_employees=70,
    )
    add(township, "汽修厂", OrgKind.ENTERPRISE, employees=12, women_employees=2)
    add(
        county,
        "个体劳动者协会",
        OrgKind.SOCIAL_ORG,
        has_party_org=True,
        employees=15,
        women_employees=6,
        requirement=Requirement.REQUIRED,
    )
    services.build_committee(
        None,
        [district, market],
        township,
        kind="new_domain",
        subtype="business_district",
        name=f"{township.name}商圈妇联",
        coverage=Coverage.REGIONAL,
        source="demo",
    )
    services.build_committee(
        None, [factory], township, kind="enterprise", name=f"{factory.name}妇委会", coverage=Coverage.SEPARATE
    )
    return 8
