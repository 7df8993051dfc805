"""Demo funding for `load_demo`: 南平市's standards (2 yuan per woman, 30,000 yuan per township,
village funds in the operations budget, chair's pay at least a third of the secretary's), the
women population of 延平区, and some township and village lines. Idempotent."""

import datetime
from decimal import Decimal

from funding import services
from funding.models import FundingStandard
from orgtree.choices import GRASSROOTS_KINDS
from orgtree.conversion import record_pay
from orgtree.models import ChairPay, Unit


def demo_funding():
    city = Unit.objects.open().get(code="3507")
    if FundingStandard.objects.filter(unit=city).exists():
        return False
    year = datetime.date.today().year
    services.set_standard(
        None,
        city,
        year - 1,
        per_woman=Decimal("2"),
        township_funds=Decimal("30000"),
        village_funds_in_budget=True,
        chair_pay_ratio=Decimal("0.3333"),
        source="demo",
    )
    county = Unit.objects.open().get(code="350702")
    services.record_population(None, county, year, 198_000, source="demo")
    # 2 元 per woman of 妇女儿童民生项目经费 (the per-woman standard), and the federation's work funds.
    for category, budgeted, disbursed in (
        ("women_children", Decimal("396000"), Decimal("300000")),
        ("work_funds", Decimal("180000"), Decimal("180000")),
    ):
        services.record_funding(
            None,
            county,
            {
                "year": year,
                "category": category,
                "source": "same_level_budget",
                "budgeted": budgeted,
                "disbursed": disbursed,
            },
            source="demo",
        )
    for i, township in enumerate(Unit.objects.open().filter(parent=county).order_by("code")):
        amount = Decimal("30000") if i % 3 else Decimal("20000")
        services.record_funding(
            None,
            township,
            {
                "year": year,
                "category": "work_funds",
                "source": "same_level_budget",
                "budgeted": amount,
                "disbursed": amount,
            },
            source="demo",
        )
    villages = Unit.objects.open().within(county).filter(kind__in=GRASSROOTS_KINDS).order_by("code")[:60]
    for i, village in enumerate(villages):
        if i % 4:
            services.record_funding(
                None,
                village,
                {"year": year, "category": "work_funds", "source": "same_level_budget", "budgeted": Decimal("3000")},
                source="demo",
            )
    for i, village in enumerate(
        Unit.objects.open().within(county).filter(kind__in=GRASSROOTS_KINDS, form="federation").order_by("code")
    ):
        if not ChairPay.objects.filter(unit=village, year=year).exists():
            record_pay(None, village, year, Decimal("12000"), Decimal("36000" if i % 5 else "42000"), "demo")
    services.record_project(
        None,
        county,
        {
            "name": "巾帼家政技能培训",
            "year": year,
            "amount": Decimal("160000"),
            "source": "higher_federation",
            "beneficiaries": 320,
            "status": "under_way",
        },
        source="demo",
    )
    return True
