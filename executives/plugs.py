"""What executives registers on the platform: its committee-page tabs, figures, panels, demo."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from executives import person, rotation
from executives.api.contacts import ContactListSerializer, NamedContactSerializer
from executives.contacts_demo import demo_contacts
from executives.contacts_figures import FIGURES as CONTACT_FIGURES
from executives.contacts_figures import contacts_by_child
from executives.demo_activities import demo_activities
from executives.demo_training import demo_training
from executives.models import ContactList, NamedContact
from executives.training_figures import FIGURES as TRAINING_FIGURES
from executives.training_figures import training_by_child
from federation import api, figures, imports, registry


def register():
    register_rotation()
    register_contacts()
    register_training()
    register_activities()
    register_person_page()


def register_person_page():
    """What she does as an executive, on a person's page (executives/person.py): each panel one or two
    queries, each row inside the viewer's scope."""
    for name, weight, build in (
        ("training", 10, person.training_panel),
        ("contacts", 20, person.contacts_panel),
        ("activities", 30, person.activities_panel),
        ("evaluations", 40, person.evaluations_panel),
        ("rotation", 50, person.rotation_panel),
    ):
        registry.person_panel(registry.Panel(name, weight, f"executives/person_{name}_panel.html", build))


def rotation_panel(unit, context):
    """This month's rotating chair on the committee page (units that keep one): one or two queries."""
    if not rotation.applies(unit):
        return None
    return {"rotation_current": rotation.current_chair(unit)}


def register_rotation():
    """轮值主席: the committee tab, the panel on the committee page, the demo."""
    registry.committee_tab(registry.Tab("rotation", _("Rotating chair"), "executives:rotation", 20))
    registry.committee_panel(registry.Panel("rotation", 10, "executives/rotation_panel.html", rotation_panel))
    registry.demo_loader(
        registry.DemoLoader(
            "rotation", 40, rotation.demo_rotation, "轮值主席 schedules for {result} townships of 延平区"
        )
    )


def register_activities():
    """Activities and points (积分考评): the committee tab and the demo."""
    registry.committee_tab(registry.Tab("activities", _("Activities and points"), "executives:activities", 50))
    registry.demo_loader(
        registry.DemoLoader("activities", 60, demo_activities, "activities: 南平市 points rules, {result} activities")
    )


# --- training -------------------------------------------------------------------------------------------

TRAINING_PANEL_KEYS = ["executives_in_office", "executives_trained", "executives_trained_rate", "training_sessions"]


def training_panel(unit, children, unit_figures):
    """Trained executives by child (today's); None when the subtree has no session and no executive."""
    rows = training_by_child(unit, children=children, keys=TRAINING_PANEL_KEYS)
    if not any(f["executives_in_office"] or f["training_sessions"] for _c, f in rows):
        return None
    return {
        "training": {
            "columns": [TRAINING_FIGURES.label(k) for k in TRAINING_PANEL_KEYS],
            "rows": [(c, [f[k] for k in TRAINING_PANEL_KEYS]) for c, f in rows],
        }
    }


def register_training():
    figures.register(TRAINING_FIGURES)
    registry.committee_tab(registry.Tab("training", _("Training"), "executives:training", 40))
    registry.dashboard_panel(registry.Panel("training", 30, "executives/training_dashboard_panel.html", training_panel))
    imports.register("training_attendance", "executives.training_excel.AttendanceImporter")
    registry.demo_loader(
        registry.DemoLoader("training", 40, demo_training, "training: {result} sessions with attendance in 延平区")
    )


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
