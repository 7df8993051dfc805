"""One module per concept; each is imported here so Django finds its models."""

from .activities import RULE_KINDS, Activity, ActivityType, Evaluation, Grade, PointsRule  # noqa: F401
from .contacts import ContactList, ContactVisit, NamedContact  # noqa: F401 (联系妇女)
from .rotation import RotationMonth, RotationSetting  # noqa: F401  (轮值主席)
from .training import Attendance, TrainingSession  # noqa: F401 - training
