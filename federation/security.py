"""Who may sign in and how: two-factor sign-in, lock-out answers, client addresses, the security log.

Lock-out counting itself is django-axes' (settings.AXES_*); this module gives it a Chinese answer and
records every sign-in, failure, lock-out, sign-out and change of rights in `SecurityEvent`.
"""

import contextvars
import datetime
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import user_has_device

from federation.models import Role, SecurityEvent, UserScope
from federation.scope import scopes_of

# The request being served, so that signal receivers (scope changes in the admin, lock-outs) know
# who acted and from where without every caller passing it down.
current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar("current_request", default=None)

# Pages a signed-in user who still owes a second factor may open.
OPEN_PATHS = ("/account/two-factor/", "/logout/", "/i18n/", "/static/", "/healthz")


def client_ip(request):
    """The client's address: REMOTE_ADDR, or the entry our own proxies added to X-Forwarded-For.

    Only the last PROXY_COUNT entries were written by proxies we trust; anything left of them came
    from the client and may be forged, so it is never used (lock-outs by address depend on it)."""
    count = settings.PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def requires_two_factor(user):
    """System administrators, staff and unit admins must sign in with a second factor (等保 level 3);
    everyone must when TWO_FACTOR_FOR_ALL is set."""
    if settings.BANYAN["TWO_FACTOR_FOR_ALL"] or user.is_superuser or user.is_staff:
        return True
    return any(s.role == Role.ADMIN for s in scopes_of(user))


NEEDS_2FA = "banyan_needs_2fa"
SEEN = "banyan_seen"
# The idle timeout slides with use, but the session row is rewritten at most once a minute, not on
# every request (SESSION_COOKIE_AGE is the idle limit; Django expires the row server-side).
TOUCH_EVERY_SECONDS = 60


def owes_second_factor(request):
    """A signed-in session that has not shown a code although the account needs or has a second factor.

    Whether the account needs one is decided at sign-in and kept in the session, so pages do not pay a
    query for it; a role granted later applies from the next sign-in (sessions idle out in 30 minutes)."""
    user = request.user
    if not user.is_authenticated:
        return False
    needs = request.session.get(NEEDS_2FA)
    if needs is None:
        needs = request.session[NEEDS_2FA] = requires_two_factor(user) or user_has_device(user)
    return needs and not user.is_verified()


def log(kind, request=None, username="", actor=None, detail=""):
    request = request if request is not None else current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    meta = getattr(request, "META", {}) if request is not None else {}
    return SecurityEvent.objects.create(
        kind=kind,
        actor=actor,
        username=(username or (actor.get_username() if actor else ""))[:150],
        ip_address=client_ip(request) if request is not None else None,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:200],
        path=(getattr(request, "path", "") or "")[:200],
        detail=str(detail)[:300],
    )


def prune(now=None):
    """Delete security events older than the kept period (never less than 180 days)."""
    keep = max(180, settings.BANYAN["SECURITY_LOG_DAYS"])
    cutoff = (now or timezone.now()) - datetime.timedelta(days=keep)
    return SecurityEvent.objects.filter(at__lt=cutoff).delete()[0]


def lockout_message():
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed sign-ins: this account or address is locked for %(minutes)d minutes. "
        "Try again later or ask a system administrator to lift the lock-out."
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in: JSON for the API, the sign-in page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=429)
    return render(request, "registration/locked_out.html", {"message": lockout_message()}, status=429)


class SecurityMiddleware:
    """Keeps the request in `current_request`, and holds a session that owes a second factor at the
    two-factor page (pages) or answers 403 (API) until the code is given."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            self.touch(request)
            if owes_second_factor(request) and not request.path.startswith(OPEN_PATHS):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("Sign in with two-factor verification first.")}, status=403)
                return redirect(f"{reverse('two_factor')}?next={request.get_full_path()}")
            return self.get_response(request)
        finally:
            current_request.reset(token)

    @staticmethod
    def touch(request):
        if request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(SEEN, 0) > TOUCH_EVERY_SECONDS:
                request.session[SEEN] = now  # marks the session modified: saved with a new expiry


# --- the log ----------------------------------------------------------------------------------


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if hasattr(request, "session"):
        request.session[NEEDS_2FA] = requires_two_factor(user) or user_has_device(user)
        request.session[SEEN] = int(time.time())
    verified = hasattr(user, "otp_device") and user.otp_device is not None
    log(SecurityEvent.Kind.LOGIN, request, actor=user, detail=_("with two-factor verification") if verified else "")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        log(SecurityEvent.Kind.LOGOUT, request, actor=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    log(SecurityEvent.Kind.LOGIN_FAILED, request, username=credentials.get("username", ""))


def _locked_out(sender, request, username, ip_address, **kwargs):
    log(
        SecurityEvent.Kind.LOCKED_OUT,
        request,
        username=username or "",
        detail=_("address %(ip)s") % {"ip": ip_address} if ip_address else "",
    )


def _lockout_lifted(sender, instance, **kwargs):
    # django-axes also deletes attempts below the limit at a successful sign-in, and expired ones during
    # anyone's sign-in: only a lock-out removed by an administrator (or a command) is a lift.
    request = current_request.get()
    if instance.failures_since_start < settings.AXES_FAILURE_LIMIT or (
        request is not None and not request.user.is_authenticated
    ):
        return
    log(
        SecurityEvent.Kind.LOCKOUT_LIFTED,
        username=instance.username or "",
        detail=_("address %(ip)s") % {"ip": instance.ip_address} if instance.ip_address else "",
    )


def _scope_text(scope):
    return f"{scope.user.get_username()} · {scope.unit} · {scope.get_role_display()}"


@receiver(pre_save, sender=UserScope)
def _scope_before(sender, instance, **kwargs):
    instance._banyan_before = (
        UserScope.objects.select_related("unit").filter(pk=instance.pk).first() if instance.pk else None
    )


@receiver(post_save, sender=UserScope)
def _scope_saved(sender, instance, created, **kwargs):
    before = getattr(instance, "_banyan_before", None)
    if created or before is None:
        log(SecurityEvent.Kind.SCOPE_ADDED, username=instance.user.get_username(), detail=_scope_text(instance))
    elif (before.unit_id, before.role) != (instance.unit_id, instance.role):
        log(
            SecurityEvent.Kind.SCOPE_CHANGED,
            username=instance.user.get_username(),
            detail=f"{_scope_text(before)} → {_scope_text(instance)}",
        )


@receiver(post_delete, sender=UserScope)
def _scope_removed(sender, instance, **kwargs):
    log(SecurityEvent.Kind.SCOPE_REMOVED, username=instance.user.get_username(), detail=_scope_text(instance))


ACCOUNT_FLAGS = ("is_active", "is_staff", "is_superuser")


def _account_before(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and not set(update_fields) & set(ACCOUNT_FLAGS):
        return  # e.g. last_login at each sign-in
    instance._banyan_flags = (
        sender.objects.filter(pk=instance.pk).values(*ACCOUNT_FLAGS).first() if instance.pk else None
    )


def _yes_no(value):
    return _("yes") if value else _("no")


def _account_saved(sender, instance, created, update_fields=None, **kwargs):
    if not hasattr(instance, "_banyan_flags"):
        return
    before = instance.__dict__.pop("_banyan_flags")
    if created and not any(getattr(instance, f) for f in ("is_staff", "is_superuser")):
        return
    changed = [
        f"{sender._meta.get_field(f).verbose_name}: {_yes_no(before[f]) if before else '—'} → "
        f"{_yes_no(getattr(instance, f))}"
        for f in ACCOUNT_FLAGS
        if before is None or before[f] != getattr(instance, f)
    ]
    if changed:
        log(SecurityEvent.Kind.ACCOUNT_CHANGED, username=instance.get_username(), detail="; ".join(changed))


def connect():
    """Receivers on other apps' models (called from FederationConfig.ready)."""
    from axes.models import AccessAttempt
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="banyan_locked_out")
    post_delete.connect(_lockout_lifted, sender=AccessAttempt, dispatch_uid="banyan_lockout_lifted")
    user_model = get_user_model()
    pre_save.connect(_account_before, sender=user_model, dispatch_uid="banyan_account_before")
    post_save.connect(_account_saved, sender=user_model, dispatch_uid="banyan_account_saved")
