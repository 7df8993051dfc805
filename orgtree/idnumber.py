"""Resident ID numbers (公民身份号码, GB 11643-1999): validation and masking."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
PATTERN = re.compile(r"^\d{17}[\dX]$")


def check_char(first17):
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def birth_date_of(number):
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def is_female(number):
    """The 17th digit is odd for men and even for women."""
    return int(number[16]) % 2 == 0


def normalize(value):
    return (value or "").strip().upper().replace(" ", "")


def validate_id_number(value):
    """Raise ValidationError (in Chinese) unless `value` is a well-formed 18-character ID number."""
    number = normalize(value)
    if not PATTERN.match(number):
        raise ValidationError(_("An ID number has 17 digits followed by a digit or X."), code="format")
    born = birth_date_of(number)
    if born is None or born > timezone.localdate() or born.year < 1900:
        raise ValidationError(
            _("The birth date in this ID number (%(date)s) is not a real date.") % {"date": number[6:14]},
            code="birth_date",
        )
    if check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("The last character of this ID number does not match its checksum; check for a typing error."),
            code="checksum",
        )


def mask(value):
    """Shown to everyone but the admins of the person's scope: 350702********123X."""
    number = normalize(value)
    return f"{number[:6]}{'*' * 8}{number[14:]}" if len(number) == 18 else ""
