"""What executives registers on the platform: its committee-page tabs, figures, panels, demo."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from executives.api.contacts import ContactListSerializer, NamedContactSerializer
from executives.contacts_demo import demo_contacts
from executives.contacts_figures import FIGURES as CONTACT_FIGURES
from executives.contacts_figures import contacts_by_child
from executives.models import ContactList, NamedContact
from federation import api, figures, registry


def register():
    register_contacts()


# --- contact with women (联系妇女) ------------------------------------------------------------------

CONTACT_PANEL_KEYS = [
    "executives_serving",
    "executives_with_contacts_rate",
    "women_contacted",
    "contacts_per_executive",
    "contact_visits",
]


def contacts_panel(unit, children, unit_figures):
    """Contact with women by child, this year; None when no list or log entry is recorded below."""
    rows = contacts_by_child(unit, children=children)
    if not any(f["women_contacted"] or f["contact_visits"] for _c, f in rows):
        return None
    return {
        "contacts": {
            "year": timezone.localdate().year,
            "columns": [CONTACT_FIGURES[k] for k in CONTACT_PANEL_KEYS],
            "rows": [(c, [f[k] for k in CONTACT_PANEL_KEYS]) for c, f in rows],
        }
    }


def register_contacts():
    figures.register(CONTACT_FIGURES)
    api.show_conflicts_with(ContactList, ContactListSerializer)  # a 409 shows the list as it is now
    api.show_conflicts_with(NamedContact, NamedContactSerializer)
    registry.committee_tab(registry.Tab("contacts", _("Contact with women"), "executives:contacts", 30))
    registry.dashboard_panel(registry.Panel("contacts", 40, "executives/contacts_dashboard_panel.html", contacts_panel))
    registry.demo_loader(
        registry.DemoLoader(
            "contacts", 40, demo_contacts, "contacts: {result} contact lists of 延平区 executives, with log entries"
        )
    )
