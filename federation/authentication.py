"""API tokens that expire (TOKEN_TTL_HOURS); `federation.api_token` issues and revokes them."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def token_expires_at(token):
    return token.created + datetime.timedelta(hours=settings.BANYAN["TOKEN_TTL_HOURS"])


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token …`, refused once the token is older than TOKEN_TTL_HOURS."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expires_at(token) <= timezone.now():
            raise exceptions.AuthenticationFailed(_("The token has expired. Request a new one at /api/token/."))
        return user, token
