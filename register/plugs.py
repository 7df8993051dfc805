"""What the register plugs into the platform: its figures, the unit tab, the dashboard panel, the demo."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from federation import api, figures, imports, locks, registry
from register.api import OrganizationSerializer
from register.demo import demo_register
from register.figures import FIGURES, KINDS, register_figures, unit_and_children
from register.models import Organization
from register.models.organization import AREA_KINDS, Status

NOT_AREA = ("village", "community", "agency", "enterprise", "social_org", "new_domain", "area", "women_group")
PANEL_GROUPS = [(kind.value, f"{kind}_coverage_rate", f"{kind}_should_build", f"{kind}_built") for kind in KINDS]
PANEL_GROUPS.append(("own", "own_agencies_rate", "own_agencies_should_build", "own_agencies_built"))
PANEL_KEYS = [key for group in PANEL_GROUPS for key in group[1:]]


def drill_down(unit, kind):
    """The register tab of `unit` listing the organizations of `kind` not yet covered (own: its own agencies)."""
    filters = {"kind": "agency", "unit": unit.pk} if kind == "own" else {"kind": kind}
    query = urlencode({**filters, "status": Status.SHOULD_BUILD.value})
    return reverse("register:organizations", args=[unit.pk]) + "?" + query


def _cells(unit, values):
    return [
        (values[rate], values[should] - values[built], drill_down(unit, kind))
        for kind, rate, should, built in PANEL_GROUPS
    ]


def dashboard_panel(unit, children, coverage_figures):
    """Coverage % and gap (should build − built) per kind and own agencies, by area child and for the
    unit (its subtree; its own agencies), each gap opening the list of those not yet covered. Four
    statements; None when nothing of the subtree should build."""
    if unit.kind not in AREA_KINDS:
        return None
    areas = [child for child in children if child.kind in AREA_KINDS]
    whole, rows = unit_and_children(unit, areas, keys=PANEL_KEYS)
    if not any(whole[should] or whole[built] for _k, _r, should, built in PANEL_GROUPS):
        return None
    return {
        "register": {
            "groups": [*[KIND_NAMES[kind] for kind in KINDS], _("Own agencies")],
            "rows": [
                *[{"unit": c, "label": c.name, "link": True, "cells": _cells(c, f)} for c, f in rows],
                {
                    "unit": unit,
                    "label": _("Total (own agencies: this unit's)"),
                    "link": False,
                    "cells": _cells(unit, whole),
                },
            ],
        }
    }


KIND_NAMES = {
    "agency": _("Agencies"),
    "enterprise": _("Non-public enterprises"),
    "social_org": _("Social organizations"),
    "new_domain": _("New domains"),
}


def register():
    figures.register(FIGURES)
    # 应建尽建台账: approved by the level above, then locked (register.services guards its writes).
    locks.approvable("register", _("should-build ledger"), register_figures, kinds=AREA_KINDS)
    api.show_conflicts_with(Organization, OrganizationSerializer)
    registry.unit_tab(
        registry.Tab("register", _("Organization register"), "register:organizations", 65, hidden_for_kinds=NOT_AREA)
    )
    registry.dashboard_panel(registry.Panel("register", 40, "register/dashboard_panel.html", dashboard_panel))
    registry.demo_loader(
        registry.DemoLoader(
            "register", 70, demo_register, "register: {result} organizations of 南平市 (its own agencies, new domains)"
        )
    )
    imports.register("register_import", "register.excel.RegisterImporter")
