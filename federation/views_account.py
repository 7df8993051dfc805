"""Signing in (password, then the authenticator code where the account has one), turning on two-factor
sign-in, the account page (API token, password)."""

import base64
import time

import segno
from django import forms
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from federation import security
from federation.authentication import token_expires_at
from federation.models import SecurityEvent

PENDING = "banyan_pending_2fa"
PENDING_SECONDS = 300  # the code must follow the password within five minutes


class CodeForm(forms.Form):
    code = forms.RegexField(
        r"^\s*\d{6}\s*$",
        label=gettext_lazy("Verification code"),
        max_length=10,
        error_messages={"invalid": gettext_lazy("Enter the 6 digits shown in the app.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


def _next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(default)


class LoginView(auth_views.LoginView):
    """Password first (django-axes counts failures); an account with an authenticator continues to the
    code page before a session is opened."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if user_has_device(user):
            self.request.session[PENDING] = {"user": user.pk, "backend": user.backend, "at": time.time()}
            return redirect(f"{reverse('login_verify')}?next={self.get_success_url()}")
        return super().form_valid(form)


def login_verify(request):
    """The second step of signing in: the code from the authenticator app."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        messages.error(request, _("Sign in again: the verification step timed out."))
        return redirect("login")
    user = auth.get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() if user else None
    if user is None or device is None:
        request.session.pop(PENDING, None)
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            request.session.pop(PENDING, None)
            auth.login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(_next(request))
        security.log(SecurityEvent.Kind.TWO_FACTOR_FAILED, request, username=user.get_username())
        form.add_error("code", _("The verification code is wrong. Wait for the next code and try again."))
    return render(request, "registration/login_verify.html", {"form": form, "next": _next(request)})


def _qr_data_uri(url):
    svg = segno.make(url, error="m").svg_inline(scale=4)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _base32(device):
    return base64.b32encode(device.bin_key).decode()


@login_required
def two_factor(request):
    """Turn on two-factor sign-in (scan, confirm with a code), confirm a code for a session that owes one,
    or see that it is on."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    form = CodeForm(request.POST or None)
    if device is not None:
        if user.is_verified():
            return render(
                request,
                "registration/two_factor.html",
                {"enabled": True, "required": security.requires_two_factor(user)},
            )
        # Signed in some other way (e.g. before the device was confirmed): the code is still owed.
        if request.method == "POST" and form.is_valid():
            if device.verify_token(form.cleaned_data["code"].strip()):
                otp_login(request, device)
                return redirect(_next(request))
            security.log(SecurityEvent.Kind.TWO_FACTOR_FAILED, request)
            form.add_error("code", _("The verification code is wrong. Wait for the next code and try again."))
        return render(request, "registration/login_verify.html", {"form": form, "next": _next(request)})
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if pending is None:
        pending = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    if request.method == "POST" and form.is_valid():
        if pending.verify_token(form.cleaned_data["code"].strip()):
            pending.confirmed = True
            pending.save(update_fields=["confirmed"])
            otp_login(request, pending)
            request.session[security.NEEDS_2FA] = True
            security.log(SecurityEvent.Kind.TWO_FACTOR_ENABLED, request)
            messages.success(request, _("Two-factor sign-in is on. You will be asked for a code at each sign-in."))
            return redirect(_next(request))
        form.add_error("code", _("The verification code is wrong. Check the phone's clock and try the next code."))
    return render(
        request,
        "registration/two_factor.html",
        {
            "enabled": False,
            "required": security.requires_two_factor(user),
            "form": form,
            "next": _next(request),
            "qr": _qr_data_uri(pending.config_url),
            "secret": _base32(pending),
        },
    )


@login_required
@require_POST
def two_factor_disable(request):
    if security.requires_two_factor(request.user):
        messages.error(request, _("Your role requires two-factor sign-in; it cannot be turned off."))
    elif TOTPDevice.objects.filter(user=request.user).delete()[0]:
        request.session[security.NEEDS_2FA] = False
        security.log(SecurityEvent.Kind.TWO_FACTOR_DISABLED, request)
        messages.success(request, _("Two-factor sign-in is off."))
    return redirect("account")


@login_required
def account(request):
    token = Token.objects.filter(user=request.user).first()
    return render(
        request,
        "registration/account.html",
        {
            "two_factor": user_has_device(request.user),
            "required": security.requires_two_factor(request.user),
            "token": token,
            "token_expires_at": token_expires_at(token) if token else None,
        },
    )


@login_required
@require_POST
def revoke_token(request):
    if Token.objects.filter(user=request.user).delete()[0]:
        security.log(SecurityEvent.Kind.TOKEN_REVOKED, request)
        messages.success(request, _("Your API token is revoked."))
    return redirect("account")


@method_decorator(login_required, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        response = super().form_valid(form)
        security.log(SecurityEvent.Kind.PASSWORD_CHANGED, self.request)
        messages.success(self.request, _("Your password is changed."))
        return response
