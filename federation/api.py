"""API plumbing shared by every app: pagination and errors as JSON with Chinese messages.

DRF imports this module through its settings, so it imports no DRF view (see federation/viewsets.py)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from federation import audit, scope
from federation.conflicts import ConflictError

# model -> the serializer a 409 shows the current object with; apps register theirs in ready().
# Others answer with their id and version.
CONFLICT_SERIALIZERS = {}


def show_conflicts_with(model, serializer_class):
    CONFLICT_SERIALIZERS[model] = serializer_class


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """Domain errors from services become 400/403/409 instead of 500."""
    audit.after_rollback(exc)
    if isinstance(exc, ConflictError):
        current = exc.current
        serializer = CONFLICT_SERIALIZERS.get(type(current))
        shown = (
            serializer(current, context=context).data if serializer else {"id": current.pk, "version": current.version}
        )
        return Response({"detail": str(exc), "current": shown}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError({k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()})
        else:
            exc = exceptions.ValidationError({"detail": exc.messages})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("You do not have permission to do this."))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    return drf_exception_handler(exc, context)


def bilingual_definitions(intro, definitions):
    """API docs text listing each key with its English and Chinese definition (rendered lazily)."""
    from django.utils import translation
    from django.utils.functional import lazy

    def render():
        lines = [intro, ""]
        for key, text in definitions.items():
            with translation.override("en"):
                english = str(text)
            with translation.override("zh-hans"):
                chinese = str(text)
            lines.append(f"- `{key}`: {english} / {chinese}")
        return "\n".join(lines)

    return lazy(render, str)()


def unit_in_scope(request, pk):
    """The unit `pk` if the user may see it; otherwise 404, the same answer as for a unit that does
    not exist (no oracle)."""
    unit = scope.restrict(scope.unit_model().objects.all(), request.user).filter(pk=pk).first()
    if unit is None:
        raise exceptions.NotFound(_("No such unit in your scope."))
    return unit


def unit_figures(request, unit, total, by_child, **head):
    """The answer of every `/api/units/<id>/<figures>/` view: the unit's figures over its subtree
    (`total(unit)`), or with `?by=children` the same per child (`by_child(unit)`: [(child, figures)]);
    `head` goes first in either (e.g. the period counted)."""
    if request.query_params.get("by") == "children":
        children = [
            {"unit": child.pk, "name": child.name, "kind": child.kind, **figures} for child, figures in by_child(unit)
        ]
        return Response({"unit": unit.pk, **head, "children": children})
    return Response({"unit": unit.pk, **head, "name": unit.name, **total(unit)})
