from .audit import ChangeRecord
from .scope import Role, UserScope

UserScope.scope_unit_path = "unit"

__all__ = ["ChangeRecord", "Role", "UserScope"]
