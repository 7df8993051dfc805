"""What executives registers on the platform: its committee-page tabs, figures, panels, demo."""

from django.utils.translation import gettext_lazy as _

from executives import rotation
from executives.demo_activities import demo_activities
from federation import registry


def register():
    register_rotation()
    register_activities()


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
