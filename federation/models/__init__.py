from .audit import ChangeRecord
from .job import Job
from .notification import Notification
from .scope import Role, UserScope
from .security import SecurityEvent

UserScope.scope_unit_path = "unit"

__all__ = ["ChangeRecord", "Job", "Notification", "Role", "SecurityEvent", "UserScope"]
