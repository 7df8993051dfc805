"""Two writers at the same moment: the second one's insert meets a unique key the first one took
(attendance per session and person, contact list per office, evaluation per executive and year,
rotating chair per month, points rule per type and year). Each service checks first whether the row is
there; between that check and its insert another transaction may commit the same row. The insert then
runs in a savepoint: its IntegrityError rolls back only the savepoint, and the service answers what a
page or the API can show — a conflict with the row as it is now (409, the current values beside the
form) when one can be read, else a clear validation error — while the whole write is rolled back by
the error leaving the service's transaction: nothing half-saved."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from federation.conflicts import ConflictError


def taken_meanwhile_message():
    return _("Someone saved the same record at the same time. Reload the page, check it and save again.")


@contextmanager
def first_writer_wins(current=None, message=None):
    """Run the insert(s) of the block in a savepoint. A unique key taken meanwhile becomes a
    ConflictError with `current()` (the row now stored; None: not readable) or a ValidationError with
    `message` (default: someone saved the same record at the same time)."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        found = current() if current is not None else None
        if found is not None:
            raise ConflictError(found) from None
        raise ValidationError(message or taken_meanwhile_message()) from None
