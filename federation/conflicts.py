"""Optimistic locking: a write based on an older version of an object is refused, never lost."""

from django.utils.translation import gettext as _


class ConflictError(Exception):
    """The object changed since the writer loaded it; `current` is the object as it is now.
    Pages show the current values, the API answers 409 with them."""

    def __init__(self, current):
        self.current = current
        super().__init__(
            _("Someone else changed %(name)s while you were editing. Review the current values and save again.")
            % {"name": str(current)}
        )
