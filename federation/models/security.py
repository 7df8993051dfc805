from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SecurityEvent(models.Model):
    """One entry of the security log: sign-ins, failures, lock-outs, sign-outs, tokens, two-factor
    and changes of who may do what. Only system administrators read it (等保 2.0 security audit)."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Sign-in failed")
        LOCKED_OUT = "locked_out", _("Locked out")
        LOCKOUT_LIFTED = "lockout_lifted", _("Lock-out lifted")
        LOGOUT = "logout", _("Signed out")
        TOKEN_ISSUED = "token_issued", _("API token issued")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        TWO_FACTOR_ENABLED = "2fa_enabled", _("Two-factor sign-in enabled")
        TWO_FACTOR_DISABLED = "2fa_disabled", _("Two-factor sign-in disabled")
        TWO_FACTOR_FAILED = "2fa_failed", _("Wrong verification code")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        SCOPE_ADDED = "scope_added", _("Scope granted")
        SCOPE_CHANGED = "scope_changed", _("Scope changed")
        SCOPE_REMOVED = "scope_removed", _("Scope removed")
        ACCOUNT_CHANGED = "account_changed", _("Account rights changed")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices, db_index=True)
    # Who did it (None: not signed in, or the system) and whose account it concerns.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    username = models.CharField(_("account"), max_length=150, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    path = models.CharField(_("way in"), max_length=200, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security log")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"
