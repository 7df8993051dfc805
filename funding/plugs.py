"""What funding registers on the platform: its unit-page tab, its dashboard panel, its importer, its demo."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from federation import figures, imports, registry
from funding.compliance import FIGURES
from funding.demo import demo_funding
from funding.results import Report

# The panel is shown for subtrees up to this size (a province; the funding page has the rest): counted
# from the stored results, but measured in the request while a subtree is being recomputed.
DASHBOARD_MAX_VILLAGES = 50_000


def dashboard_panel(unit, children, figures):
    """Funding compliance by child this year (met / missed / unknown of all standards)."""
    if figures["villages_total"] > DASHBOARD_MAX_VILLAGES:
        return None
    overall, by_child = Report(unit, timezone.localdate().year).summary(children)
    if not any(n for counts in overall.values() for n in counts.values()):
        return None
    return {
        "funding": [
            (
                child,
                sum(c["met"] for c in by_child[child.pk].values()),
                sum(c["missed"] for c in by_child[child.pk].values()),
                sum(c["unknown"] for c in by_child[child.pk].values()),
            )
            for child in children
        ]
    }


def register():
    figures.register(FIGURES)
    registry.unit_tab(registry.Tab("funding", _("Funding"), "funding:funding", 80))
    registry.dashboard_panel(registry.Panel("funding", 20, "funding/dashboard_panel.html", dashboard_panel))
    registry.demo_loader(
        registry.DemoLoader(
            "funding", 30, demo_funding, "funding: 南平市 standards, 延平区 population, township and village lines"
        )
    )
    imports.register("funding_import", "funding.excel.FundingImporter")
