from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect

from federation.scope import scope_units


@login_required
def home(request):
    """Start where the user works: her first scope's unit, or settings.HOME_URL_NAME (the units)."""
    units = scope_units(request.user)
    if units and not request.user.is_superuser:
        return redirect(units[0])
    return redirect(settings.HOME_URL_NAME)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
