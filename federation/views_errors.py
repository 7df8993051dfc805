"""Error pages in Chinese with the site's header; the API keeps JSON errors.

Django's own 500 view renders without the request (no header, no user), and its 404 shows the
exception's English class name: these handlers render the site's templates with the request, and
the 500 falls back to a context-free render (then plain text) if the request context itself fails.
"""

import logging

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


def _is_api(request):
    return request.path.startswith("/api/")


def _message(exception):
    """The message a view gave the exception (ours are translated), not its class name."""
    args = getattr(exception, "args", ())
    return args[0] if args and isinstance(args[0], str) else ""


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    message = _message(exception)
    if _is_api(request):
        return JsonResponse({"detail": message or _("You do not have permission to do this.")}, status=403)
    return render(request, "403.html", {"message": message}, status=403)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": _("The server hit an error. Please try again later.")}, status=500)
    try:
        return render(request, "500.html", status=500)
    except Exception:  # the request context (the database?) is what failed: render without it
        log.exception("500 page with the request context failed")
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:
        log.exception("500 page failed")
        return HttpResponseServerError(
            _("The server hit an error. Please try again later."), content_type="text/plain; charset=utf-8"
        )
