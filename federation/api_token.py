"""POST /api/token/ issues a token only after the same checks as the sign-in page (lock-out, and the
second factor where the account has or needs one); DELETE revokes it."""

from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from federation import security
from federation.authentication import ExpiringTokenAuthentication, token_expires_at
from federation.models import SecurityEvent


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=gettext_lazy("Username"), max_length=150)
    password = serializers.CharField(
        label=gettext_lazy("Password"), max_length=128, style={"input_type": "password"}, trim_whitespace=False
    )
    otp_token = serializers.RegexField(
        r"^\d{6}$",
        label=gettext_lazy("Verification code"),
        required=False,
        help_text=gettext_lazy(
            "6-digit code from the authenticator app; required when the account signs in with two factors"
        ),
    )


TokenResponse = inline_serializer(
    "TokenResponse", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
)


class TokenView(APIView):
    """POST: a token for username + password (+ the verification code); DELETE: revoke your token."""

    authentication_classes = [ExpiringTokenAuthentication]
    throttle_classes = []

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenResponse},
        auth=[],
        summary=gettext_lazy("Issue an API token"),
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username, password = data.validated_data["username"], data.validated_data["password"]
        user = authenticate(request=request, username=username, password=password)
        if getattr(request, "axes_locked_out", False):
            raise LockedOut(security.lockout_message())
        if user is None or not user.is_active:
            raise exceptions.ValidationError({"detail": [_("Wrong username or password.")]})
        if security.requires_two_factor(user) or user_has_device(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                raise exceptions.PermissionDenied(
                    _("This account must sign in with two factors: turn on two-factor sign-in on the web page first.")
                )
            code = data.validated_data.get("otp_token")
            if not code or not device.verify_token(code):
                security.log(SecurityEvent.Kind.TWO_FACTOR_FAILED, request, username=username)
                raise exceptions.ValidationError({"otp_token": [_("The verification code is wrong or missing.")]})
        token = Token.objects.filter(user=user).first()
        if token is not None and token_expires_at(token) <= timezone.now():
            token.delete()
            token = None
        if token is None:
            token = Token.objects.create(user=user)
            security.log(SecurityEvent.Kind.TOKEN_ISSUED, request, actor=user)
        return Response({"token": token.key, "expires_at": token_expires_at(token)})

    @extend_schema(request=None, responses={204: None}, summary=gettext_lazy("Revoke your API token"))
    def delete(self, request):
        if Token.objects.filter(user=request.user).delete()[0]:
            security.log(SecurityEvent.Kind.TOKEN_REVOKED, request, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
