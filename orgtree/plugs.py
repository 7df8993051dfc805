"""What the domain core registers on the platform's unit pages and demo (see federation.registry)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from federation import figures, locks, registry
from orgtree.choices import GRASSROOTS_KINDS, Kind
from orgtree.coverage import CONVERSION_KEYS, FIGURES, coverage
from orgtree.management.commands.load_demo import (
    demo_changes,
    demo_conversions,
    demo_duties,
    demo_regionalizations,
)


def conversion_url(unit, context):
    """A village's 会改联 record: its form for those who may change it, else its row in the grid."""
    if unit.kind not in GRASSROOTS_KINDS:
        return reverse("orgtree:conversion_grid", args=[unit.pk])
    if context.get("can_change"):
        return reverse("orgtree:conversion_edit", args=[unit.pk])
    return reverse("orgtree:conversion_grid", args=[unit.parent_id]) + f"#u{unit.pk}"


def conversion_figures(unit):
    """The 会改联 figures of `unit`'s subtree today: what an approval of its 会改联结果 keeps."""
    values = coverage(unit)
    return {key: values[key] for key in CONVERSION_KEYS if key in values}


def register():
    figures.register(FIGURES)
    # 会改联结果: approved by the level above, then locked (orgtree.conversion, services, elections guard it).
    locks.approvable(
        "conversion",
        _("congress-to-federation results"),
        conversion_figures,
        kinds=(Kind.PROVINCE, Kind.CITY, Kind.COUNTY, Kind.TOWNSHIP, Kind.STREET),
    )
    register_tabs()
    registry.demo_loader(
        registry.DemoLoader("conversions", 10, demo_conversions, "recorded 会改联 for {result} villages of 延平区")
    )
    registry.demo_loader(registry.DemoLoader("duties", 12, demo_duties, "执委分工 for {result} committees of 延平区"))
    registry.demo_loader(
        registry.DemoLoader(
            "regionalizations", 13, demo_regionalizations, "recorded 区域化 for {result} townships of 延平区"
        )
    )
    registry.demo_loader(
        registry.DemoLoader("committee_changes", 11, demo_changes, "recorded {result} changes mid-term in 延平区")
    )


def register_tabs():
    for tab in [
        registry.Tab("unit", _("Overview"), "orgtree:unit_detail", 10),
        registry.Tab("dashboard", _("Dashboard"), "orgtree:dashboard", 20, hidden_for_kinds=tuple(GRASSROOTS_KINDS)),
        registry.Tab("committee", _("Committee"), "orgtree:committee", 30),
        registry.Tab("conversion", _("Conversion"), "orgtree:conversion_grid", 40, url=conversion_url),
        registry.Tab("renewals", _("Renewals"), "orgtree:renewals", 50),
    ]:
        registry.unit_tab(tab)
    registry.committee_tab(registry.Tab("members", _("Members and duties"), "orgtree:committee", 10))
