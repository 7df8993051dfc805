"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, the last a check
character computed from the other 17."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The standard's character set: digits and capitals without I, O, Z, S, V (easily misread).
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalize_credit_code(value):
    return (value or "").strip().upper()


def check_character(first17):
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value):
    code = normalize_credit_code(value)
    if len(code) != 18:
        raise ValidationError(_("A unified social credit code has 18 characters."), code="length")
    if any(c not in CHARSET for c in code):
        raise ValidationError(
            _("A unified social credit code has digits and capital letters other than I, O, Z, S and V."),
            code="characters",
        )
    if check_character(code[:17]) != code[17]:
        raise ValidationError(
            _("The last character of this unified social credit code does not match: check it for a typo."),
            code="check",
        )
