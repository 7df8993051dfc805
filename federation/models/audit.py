from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChangeRecord(models.Model):
    """Who changed what, when: one row per write, with the before/after of each changed field."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        MOVE = "move", _("Moved")
        CLOSE = "close", _("Closed")
        REOPEN = "reopen", _("Reopened")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    source = models.CharField(_("source"), max_length=40, help_text=_("web, api, admin or a command"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=200)
    # The unit the object belonged to when written: history is scoped by it like every other list.
    # Null for objects of no unit (checklist templates); only superusers see those.
    unit = models.ForeignKey(
        settings.UNIT_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    # {"field": [before, after], ...}; values as JSON-able strings/numbers.
    changes = models.JSONField(default=dict)
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("change record")
        verbose_name_plural = _("change records")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"], name="change_object_at")]

    def __str__(self):
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.get_action_display()} {self.object_repr}"
