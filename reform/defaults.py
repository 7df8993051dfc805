"""The default supervision target list (督导目标清单), built from the 破难行动 requirements in
DESIGN.md. Shipped by a data migration as version 1; admins make later versions from it."""

import datetime
from decimal import Decimal

NAME = "破难行动督导目标清单"
COUNTY = ["county"]
TOWNSHIP = ["township", "street"]
VILLAGE = ["village", "community"]
COUNTY_AND_TOWNSHIP = COUNTY + TOWNSHIP
# D1 is filled from the executives' training figure (a figure set with an evaluator, registered by
# the executives app in federation.figures; reform names only its key).
D1_KEY = "executives_trained_rate"

# (number, area, text, value type, target, at most, kinds, coverage key). The texts follow the reform
# documents' wording; migration reform.0006 brought installed copies of version 1 to it.
ITEMS = [
    ("A1", "party_leadership", "县委每年至少听取一次妇联工作汇报", "yes_no", None, False, COUNTY, ""),
    ("A2", "party_leadership", "县妇联主席进入同级人大常委会或政协常委会", "yes_no", None, False, COUNTY, ""),
    ("A3", "party_leadership", "印发县妇联改革方案", "yes_no", None, False, COUNTY, ""),
    (
        "A4",
        "party_leadership",
        "乡镇（街道）党（工）委每年至少听取一次妇联工作汇报",
        "yes_no",
        None,
        False,
        TOWNSHIP,
        "",
    ),
    ("B1", "funding", "妇联工作经费列入同级财政预算", "yes_no", None, False, COUNTY_AND_TOWNSHIP, ""),
    ("B2", "funding", "乡镇（街道）妇联每年工作经费（元）", "number", Decimal("30000"), False, TOWNSHIP, ""),
    ("B3", "funding", "村（社区）妇联工作经费纳入村级组织运转经费", "yes_no", None, False, VILLAGE, ""),
    ("B4", "funding", "村（社区）妇联主席报酬不低于村党组织书记的三分之一", "yes_no", None, False, VILLAGE, ""),
    (
        "C1",
        "organization",
        "辖区内逾期未换届的妇联组织数",
        "number",
        Decimal("0"),
        True,
        COUNTY_AND_TOWNSHIP,
        "terms_overdue",
    ),
    ("C2", "organization", "县妇联配备兼职副主席", "yes_no", None, False, COUNTY, ""),
    ("C3", "organization", "县妇联配备挂职副主席", "yes_no", None, False, COUNTY, ""),
    ("C4", "organization", "乡镇（街道）妇联配备专职副主席", "yes_no", None, False, TOWNSHIP, ""),
    ("C5", "organization", "乡镇（街道）妇联专兼职副主席人数", "number", Decimal("3"), False, TOWNSHIP, ""),
    ("C6", "organization", "乡镇（街道）妇联执委人数", "number", Decimal("25"), False, TOWNSHIP, ""),
    (
        "C7",
        "organization",
        "村（社区）妇代会改建妇联（“会改联”）完成率",
        "percent",
        Decimal("100"),
        False,
        COUNTY_AND_TOWNSHIP,
        "conversion_rate",
    ),
    (
        "C8",
        "organization",
        "村（社区）妇联主席进入村（社区）“两委”班子比例",
        "percent",
        Decimal("80"),
        False,
        COUNTY_AND_TOWNSHIP,
        "chairs_in_two_committees_rate",
    ),
    ("C9", "organization", "机关（单位）建立妇联组织，实现全覆盖", "yes_no", None, False, COUNTY, ""),
    (
        "C10",
        "organization",
        "新领域妇联组织（含妇委会）数",
        "number",
        Decimal("1"),
        False,
        COUNTY,
        "new_domain_committees",
    ),
    ("D1", "executives", "基层妇联执委轮训覆盖率", "percent", Decimal("100"), False, COUNTY_AND_TOWNSHIP, D1_KEY),
    ("D2", "executives", "建立执委“1+10+N”联系服务妇女群众制度", "yes_no", None, False, VILLAGE, ""),
    ("D3", "executives", "开展执委述职评议", "yes_no", None, False, TOWNSHIP, ""),
    ("E1", "work_style", "建立妇联领导干部联系基层制度", "yes_no", None, False, COUNTY, ""),
    ("E2", "work_style", "开展“走进妇女群众”调研走访", "yes_no", None, False, COUNTY_AND_TOWNSHIP, ""),
]


def install(template_model, item_model):
    """Create version 1 of the default template (models passed in: a migration gives historical ones)."""
    template, created = template_model.objects.get_or_create(
        name=NAME,
        version=1,
        defaults={
            "published_on": datetime.date(2020, 6, 1),
            "description": "依据破难行动要求编制的县、乡、村三级督导目标。",
        },
    )
    if created:
        item_model.objects.bulk_create(
            [
                item_model(
                    template=template,
                    number=number,
                    area=area,
                    text=text,
                    value_type=value_type,
                    target=target,
                    at_most=at_most,
                    kinds=kinds,
                    coverage_key=key,
                    order=order,
                )
                for order, (number, area, text, value_type, target, at_most, kinds, key) in enumerate(ITEMS)
            ]
        )
    return template
