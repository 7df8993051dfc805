"""What executives registers on the platform: its committee-page tabs, figures, panels, demo."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from executives import person, rotation
from executives.api.contacts import ContactListSerializer, NamedContactSerializer
from executives.contacts_demo import demo_contacts
from executives.demo_activities import demo_activities
from executives.demo_training import demo_training
from executives.figures import FIGURES, executives_by_child
from executives.models import ContactList, NamedContact
from federation import api, figures, imports, registry


def register():
    # One set for training and contacts: their rates share the denominator executives_in_office.
    figures.register(FIGURES)
    registry.dashboard_panel(registry.Panel("executives", 30, "executives/dashboard_panel.html", executives_panel))
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


# --- the dashboard panel: training and contact with women ------------------------------------------------

TRAINING_PANEL_KEYS = ["executives_in_office", "executives_trained", "executives_trained_rate", "training_sessions"]
CONTACT_PANEL_KEYS = [
    "executives_in_office",
    "executives_with_contacts_rate",
    "women_contacted",
    "contacts_per_executive",
    "contact_visits",
]


def executives_panel(unit, children, unit_figures):
    """Trained executives (today's) and contact with women (the log this year) by child, from one
    count of the figure set: the executives in office counted once for both tables. Each table only
    when its subtree has something to show; None when neither has."""
    keys = list(dict.fromkeys([*TRAINING_PANEL_KEYS, *CONTACT_PANEL_KEYS]))
    rows = executives_by_child(unit, children=children, keys=keys)
    context = {}
    if any(f["executives_in_office"] or f["training_sessions"] for _c, f in rows):
        context["training"] = {
            "columns": [FIGURES.label(k) for k in TRAINING_PANEL_KEYS],
            "rows": [(c, [f[k] for k in TRAINING_PANEL_KEYS]) for c, f in rows],
        }
    if any(f["women_contacted"] or f["contact_visits"] for _c, f in rows):
        context["contacts"] = {
            "year": timezone.localdate().year,
            "columns": [FIGURES[k] for k in CONTACT_PANEL_KEYS],
            "rows": [(c, [f[k] for k in CONTACT_PANEL_KEYS]) for c, f in rows],
        }
    return context or None


def register_training():
    registry.committee_tab(registry.Tab("training", _("Training"), "executives:training", 40))
    imports.register("training_attendance", "executives.training_excel.AttendanceImporter")
    registry.demo_loader(
        registry.DemoLoader("training", 40, demo_training, "training: {result} sessions with attendance in 延平区")
    )


# --- contact with women (联系妇女) ------------------------------------------------------------------


def register_contacts():
    api.show_conflicts_with(ContactList, ContactListSerializer)  # a 409 shows the list as it is now
    api.show_conflicts_with(NamedContact, NamedContactSerializer)
    registry.committee_tab(registry.Tab("contacts", _("Contact with women"), "executives:contacts", 30))
    registry.demo_loader(
        registry.DemoLoader(
            "contacts", 40, demo_contacts, "contacts: {result} contact lists of 延平区 executives, with log entries"
        )
    )
