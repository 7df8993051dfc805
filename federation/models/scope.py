from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Editor")
    ADMIN = "admin", _("Administrator")


class UserScope(models.Model):
    """A user's subtree: what she may see (any role) and change (editor, admin)."""

    scope_unit_path = "unit"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scopes", verbose_name=_("user")
    )
    unit = models.ForeignKey(
        settings.UNIT_MODEL, on_delete=models.PROTECT, related_name="user_scopes", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)
    # The day the daily notices (federation.notices) were last produced for this scope.
    notices_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("user scope")
        verbose_name_plural = _("user scopes")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="userscope_user_unit")]

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"
