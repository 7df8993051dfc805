from .audit import ChangeRecord
from .job import Job
from .notification import Notification
from .scope import Role, UserScope
from .security import SecurityEvent

__all__ = ["ChangeRecord", "Job", "Notification", "Role", "SecurityEvent", "UserScope"]
