"""执委分工: the duty areas an executive's seat can carry, a list the system administrator keeps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DutyArea(models.Model):
    """A duty area (组织联络, 宣传教育, …). Never deleted: one no longer offered is set out of use, and
    the seats that carry it keep it."""

    name = models.CharField(_("name"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("duty area")
        verbose_name_plural = _("duty areas")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name
