"""What executives registers on the platform: its committee-page tabs, figures, panels, demo."""

from django.utils.translation import gettext_lazy as _

from executives.demo_activities import demo_activities
from federation import registry


def register():
    register_activities()


def register_activities():
    """Activities and points (积分考评): the committee tab and the demo."""
    registry.committee_tab(registry.Tab("activities", _("Activities and points"), "executives:activities", 50))
    registry.demo_loader(
        registry.DemoLoader("activities", 60, demo_activities, "activities: 南平市 points rules, {result} activities")
    )
