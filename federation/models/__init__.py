from .audit import ChangeRecord
from .notification import Notification
from .scope import Role, UserScope

UserScope.scope_unit_path = "unit"

__all__ = ["ChangeRecord", "Notification", "Role", "UserScope"]
