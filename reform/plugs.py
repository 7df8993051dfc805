"""What reform registers on the platform: its unit-page tabs, its dashboard panel, its demo."""

from django.utils.translation import gettext_lazy as _

from federation import api, figures, locks, registry
from reform import added, approvals, reports, visits, weekly
from reform.api.serializers import ApprovalSerializer
from reform.demo import demo_approvals, demo_reform, demo_reports
from reform.figures import FIGURES, reform_by_child
from reform.models import Approval

PANEL_KEYS = ["completion_rate", "met_rate", "problems_open", "problems_overdue", "tasks_overdue"]
PRESENCE_KEYS = ["items", "problems", "tasks"]  # the panel shows when any child has any


def dashboard_panel(unit, children, figures):
    """破难行动 progress by child (checklists, problems, key tasks), today's; None when there is none."""
    rows = reform_by_child(unit, children=children, keys=[*PANEL_KEYS, *PRESENCE_KEYS])
    if not any(f["items"] or f["problems"] or f["tasks"] for _c, f in rows):
        return None
    return {
        "reform": {
            "columns": [FIGURES.label(k) for k in PANEL_KEYS],
            "rows": [(c, [f[k] for k in PANEL_KEYS]) for c, f in rows],
        }
    }


def added_panel(unit, children, figures):
    """新增执委 by child since the campaign's start (the unit's: its children share it); None when none."""
    since = added.default_since([unit])[unit.pk]
    rows = added.added_by_child(children, since)
    keys = list(added.FIGURES)
    # The children hold the whole subtree but the unit itself: its own seats count where it is a
    # township or a village (one more statement), never above.
    own = added.added_figures(unit, since) if unit.kind in added.COUNTED_KINDS else None
    total = {k: sum(f[k] for _c, f in rows) for k in keys} if own is None else own
    if not any(total.values()):
        return None
    return {
        "added": {
            "since": since,
            "columns": [added.FIGURES.label(k) for k in keys],
            "rows": [(c, [f[k] for k in keys]) for c, f in rows],
            "total": [total[k] for k in keys],
        }
    }


def weekly_report_panel(unit, children, figures):
    """Links to the 周报 of the last full week (Word and print), for any unit with children; no query."""
    if not children:
        return None
    start, end = weekly.last_week()
    return {"weekly_report": {"start": start, "end": end}}


def register():
    figures.register(FIGURES)
    figures.register(added.FIGURES)
    figures.register(visits.FIGURES)
    registry.dashboard_panel(registry.Panel("executives_added", 15, "reform/added_panel.html", added_panel))
    registry.unit_tab(registry.Tab("reform", _("Reform"), "reform:overview", 60))
    registry.unit_tab(registry.Tab("checklist", _("Checklist"), "reform:checklist", 70))
    registry.unit_tab(registry.Tab("visits", _("Visits"), "reform:visits", 75))
    registry.dashboard_panel(registry.Panel("weekly_report", 5, "reform/weekly/panel.html", weekly_report_panel))
    registry.unit_tab(registry.Tab("approvals", _("Approval"), "reform:approvals", 78))
    locks.provide(approvals.covered)
    registry.demo_loader(
        registry.DemoLoader(
            "approvals", 95, demo_approvals, "审核: 建阳区 approved by 南平市, 延平区 awaiting ({result})"
        )
    )
    api.show_conflicts_with(Approval, ApprovalSerializer)
    registry.unit_tab(registry.Tab("reports", _("Periodic reports"), "reform:reports", 78))
    registry.dashboard_panel(
        registry.Panel("reports", 12, "reform/reports/dashboard_panel.html", reports.dashboard_panel)
    )
    registry.dashboard_panel(registry.Panel("reform", 10, "reform/dashboard_panel.html", dashboard_panel))
    registry.demo_loader(
        registry.DemoLoader(
            "reform", 20, demo_reform, "reform: 百日攻坚 campaign, checklist for 延平区, problems and key tasks"
        )
    )
    registry.demo_loader(
        registry.DemoLoader("reports", 21, demo_reports, "reform: 会改联周报 weekly reports of the counties")
    )
