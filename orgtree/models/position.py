from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from federation.models.bases import UnitOwned
from federation.validators import validate_event_date


class ServicePosition(UnitOwned):
    """阵地: a women's home, women's micro-home or children's home run by a unit. Closed, never deleted."""

    class Kind(models.TextChoices):
        WOMENS_HOME = "womens_home", _("Women's home")
        WOMENS_MICRO_HOME = "womens_micro_home", _("Women's micro-home")
        CHILDRENS_HOME = "childrens_home", _("Children's home")

    unit = models.ForeignKey("orgtree.Unit", on_delete=models.PROTECT, related_name="positions", verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    standardized = models.BooleanField(_("standardized"), default=False)
    opened_on = models.DateField(_("opened on"), null=True, blank=True, validators=[validate_event_date])
    closed_on = models.DateField(_("closed on"), null=True, blank=True, validators=[validate_event_date])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service position")
        verbose_name_plural = _("service positions")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind"], condition=Q(closed_on__isnull=True), name="position_one_open_per_unit_and_kind"
            )
        ]
        # The rows whose figures moved between two days (coverage as of another day: orgtree.coverage).
        indexes = [
            models.Index(fields=["opened_on"], condition=Q(opened_on__isnull=False), name="position_opened"),
            models.Index(fields=["closed_on"], condition=Q(closed_on__isnull=False), name="position_closed"),
        ]

    def __str__(self):
        return f"{self.unit} · {self.get_kind_display()}"
