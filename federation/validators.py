"""The range a date users enter must fall in, shared by every model DateField they set.

Model field validators run in the services' full_clean() and are copied by DRF's ModelSerializers
and Django's ModelForms, so pages, the API and imports refuse the same dates, in Chinese. The
bounds are settings read when a value is checked (not when migrations are written):
BANYAN["EARLIEST_DATE"] (the founding of the People's Republic) and BANYAN["LATEST_DATE"].
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

BIRTH_EARLIEST = datetime.date(1900, 1, 1)


def _setting(name):
    return datetime.date.fromisoformat(settings.BANYAN[name])


def _a_year_ahead():
    today = timezone.localdate()
    return today.replace(year=today.year + 1, day=28 if (today.month, today.day) == (2, 29) else today.day)


def _check(value, first, last):
    if value is None:
        return
    if value < first:
        raise ValidationError(_("Enter a date on or after %(date)s.") % {"date": first.isoformat()}, code="too_early")
    if value > last:
        raise ValidationError(_("Enter a date on or before %(date)s.") % {"date": last.isoformat()}, code="too_late")


def validate_event_date(value):
    """Something that happened (founded, closed, held, started, found): at most a year ahead."""
    _check(value, _setting("EARLIEST_DATE"), min(_a_year_ahead(), _setting("LATEST_DATE")))


def validate_plan_date(value):
    """Something due or planned (a deadline, a renewal, a campaign)."""
    _check(value, _setting("EARLIEST_DATE"), _setting("LATEST_DATE"))


def validate_birth_date(value):
    _check(value, BIRTH_EARLIEST, timezone.localdate())
