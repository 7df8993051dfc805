"""Demo reform data for `load_demo`: the 南平市 hundred-day campaign (DESIGN.md: one third of the
villages converted by the end of June, all by the end of August), the default checklist assigned
to 延平区 with some answers, a problem and key tasks. Idempotent."""

import datetime
from decimal import Decimal

from django.utils import timezone

from orgtree.models import Unit
from reform import approvals, reports, services
from reform.models import (
    Approval,
    Cadence,
    Campaign,
    ChecklistItem,
    ChecklistTemplate,
    KeyTask,
    Problem,
    ReportPlan,
    Visit,
    VisitKind,
)


def demo_reform():
    city = Unit.objects.open().get(code="3507")
    county = Unit.objects.open().get(code="350702")
    if Campaign.objects.filter(unit=city).exists():
        return False
    year = datetime.date.today().year
    services.create_campaign(
        None,
        city,
        name="会改联百日攻坚",
        starts_on=datetime.date(year, 5, 1),
        ends_on=datetime.date(year, 8, 31),
        description="全市村（社区）妇代会改建妇联。",
        milestones=[
            {
                "phase": "第一阶段",
                "due_on": datetime.date(year, 6, 30),
                "coverage_key": "conversion_rate",
                "target": Decimal("33.3"),
                "description": "三分之一村（社区）完成会改联",
            },
            {
                "phase": "第二阶段",
                "due_on": datetime.date(year, 8, 31),
                "coverage_key": "conversion_rate",
                "target": Decimal("100"),
                "description": "全部完成会改联",
            },
        ],
    )
    template = ChecklistTemplate.objects.get(name="破难行动督导目标清单", version=1)
    services.assign(None, template, county, datetime.date(year, 12, 31))
    townships = list(Unit.objects.open().filter(parent=county).order_by("code")[:3])
    for number, answer in (("A1", True), ("A3", True), ("C2", True), ("C3", False), ("B1", True)):
        services.fill(None, ChecklistItem.objects.get(unit=county, template_item__number=number), answer)
    for township, funds in zip(townships, ("30000", "20000", "30000"), strict=False):
        services.fill(None, ChecklistItem.objects.get(unit=township, template_item__number="B2"), funds)
    if townships and not Problem.objects.filter(unit=townships[0]).exists():
        services.report_problem(
            None,
            townships[1] if len(townships) > 1 else townships[0],
            area="funding",
            description="乡镇妇联工作经费未达到每年3万元标准",
            found_on=datetime.date(year, 9, 1),
            deadline=datetime.date(year, 10, 31),
            responsible="乡镇妇联主席",
        )
    if not KeyTask.objects.filter(unit=county).exists():
        services.create_task(
            None, county, title="完成全区村（社区）妇联换届", deadline=datetime.date(year, 8, 31), progress=70
        )
        services.create_task(None, county, title="执委轮训全覆盖", deadline=datetime.date(year, 12, 15), progress=30)
    demo_visits()
    demo_reports()
    return True


def demo_visits():
    """A few visits (调研 / 督战 / 推进会) by 延平区 to its townships this year, and its first township
    marked a pilot (试点). Idempotent."""
    county = Unit.objects.open().get(code="350702")
    if Visit.objects.filter(unit=county).exists():
        return False
    townships = list(Unit.objects.open().filter(parent=county).order_by("code")[:3])
    if not townships:
        return False
    today = datetime.date.today()
    first = datetime.date(today.year, 1, 1)
    plans = [
        (VisitKind.SURVEY, 40, townships[:2], 18, 1, 25, "村（社区）妇联执委履职情况参差不齐，部分执委未参加培训。"),
        (VisitKind.SUPERVISION, 20, townships[-1:], 9, 2, 36, "会改联进度滞后，两个村尚未完成换届。"),
        (VisitKind.PROMOTION, 5, townships, 0, 1, 60, ""),
    ]
    for kind, days_ago, visited, people, meetings, attendance, findings in plans:
        services.record_visit(
            None,
            county,
            visited,
            kind=kind,
            date=max(first, today - datetime.timedelta(days=days_ago)),
            people_met=people,
            meetings=meetings,
            attendance=attendance,
            findings=findings,
        )
    services.mark_pilot(None, townships[0], "会改联", max(first, today - datetime.timedelta(days=60)))
    return True


def demo_approvals():
    """审核: 建阳区's 会改联结果 approved by 南平市 for the campaign's first phase (the dashboard marks them and
    their edits are refused), 延平区's submitted and awaiting the city's approval (延平区, where the demo's
    users work, stays open to edits until the city approves)."""
    city = Unit.objects.open().filter(code="3507").first()
    counties = {u.code: u for u in Unit.objects.open().filter(code__in=["350702", "350703"])}
    if city is None or Approval.objects.filter(unit__in=counties.values()).exists():
        return False
    campaign = Campaign.objects.filter(unit=city).order_by("starts_on", "pk").first()
    phase = {"campaign": campaign, "phase": campaign.milestones.order_by("due_on").first().phase} if campaign else {}
    done = 0
    if "350703" in counties:
        approval = approvals.submit(None, counties["350703"], "conversion", source="demo", **phase)
        approvals.approve(None, approval, "数据核实无误，予以审核。", source="demo")
        done += 1
    if "350702" in counties:
        approvals.submit(None, counties["350702"], "conversion", source="demo", **phase)
        done += 1
    return done


def demo_reports():
    """报送: a weekly plan of 南平市 on its campaign, counties submitting, begun four weeks ago. The
    earlier weeks are all accepted; of the latest ended week, the counties in code order are accepted,
    returned (with a comment), missing and late, the rest accepted. Idempotent."""
    city = Unit.objects.open().get(code="3507")
    if ReportPlan.objects.filter(unit=city).exists():
        return False
    campaign = Campaign.objects.filter(unit=city).order_by("-starts_on").first()
    today = timezone.localdate()
    this_week, _sunday = reports.period_of(Cadence.WEEKLY, today)
    plan = reports.create_plan(
        None,
        city,
        campaign=campaign,
        name="会改联周报",
        cadence=Cadence.WEEKLY,
        starts_on=this_week - datetime.timedelta(weeks=4),
    )
    counties = list(Unit.objects.open().filter(parent=city, kind="county").order_by("code"))
    ended = reports.ended_periods(plan, today)
    texts = {
        "progress": "本周新完成会改联村（社区）3个，执委培训1场。",
        "problems": "个别村换届准备工作滞后。",
        "next_steps": "下周督导滞后村，确保按期完成。",
    }

    def moment(day, hour):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))

    roles = ["accepted", "returned", "missing", "late"]
    for number, (_first, last) in enumerate(ended):
        latest = number == len(ended) - 1
        for index, county in enumerate(counties):
            role = roles[index] if latest and index < len(roles) else "accepted"
            if role == "missing":
                continue
            report = reports.open_report(None, plan, county, last)
            report = reports.save_draft(None, report, **texts)
            day = last + datetime.timedelta(days=plan.due_days + 2 if role == "late" else 1)
            report = reports.submit(None, report, at=moment(min(day, today), 9))
            if role == "accepted":
                reports.decide(None, report, True, at=moment(min(day, today), 15))
            elif role == "returned":
                reports.decide(None, report, False, "请补充问题分析和具体措施。", at=moment(min(day, today), 15))
    return True
