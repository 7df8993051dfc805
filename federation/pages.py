"""Page plumbing shared by every app: units and objects loaded through the scope, forms that call one
service, pages of small forms; domain errors and conflicts land on the form in Chinese."""

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject
from django.views.generic import FormView, TemplateView

from federation import audit, scope
from federation.conflicts import ConflictError

if TYPE_CHECKING:
    from django.views.generic.base import ContextMixin, View
    from django_stubs_ext import StrOrPromise

    class _Page(ContextMixin, View):
        """What the mixins below are mixed into, for the type checker."""

else:
    _Page = object


def add_errors(form, exc):
    """Put a service's ValidationError on the form: on its field where it names one, else on top."""
    audit.after_rollback(exc)
    for field, errors in (exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error.messages)


class UnitMixin(LoginRequiredMixin, _Page):
    """Loads the unit named in the URL through the scope (404 when out of scope)."""

    action = scope.VIEW

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.unit = scope.get_or_404(
            scope.unit_model().objects.select_related("parent"), request.user, self.action, pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        # Pages that compute it pass their own; otherwise one query, only if a template asks.
        user, unit = self.request.user, self.unit
        kwargs.setdefault("can_change", SimpleLazyObject(lambda: scope.can(user, scope.CHANGE, unit)))
        return super().get_context_data(unit=self.unit, lineage=self.unit.lineage(), **kwargs)


class ObjectMixin(UnitMixin):
    """Loads an object hung off a unit (person, election) through the scope; 404 when out of scope."""

    queryset: QuerySet  # set by each page

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = scope.get_or_404(self.queryset.select_related("unit"), request.user, self.action, pk=kwargs["pk"])
        self.unit = self.object.unit
        return super(UnitMixin, self).dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, **kwargs)


class ServiceFormView(UnitMixin, FormView):
    """A form whose valid data goes to one service; domain errors land on the form in Chinese."""

    action = scope.CHANGE
    template_name = "service_form.html"
    title = ""
    success_message: "StrOrPromise"  # set by each page, formatted with %(name)s

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title, **kwargs)

    def perform(self, form):
        """Hand the valid form to the service; return the object saved."""
        raise NotImplementedError

    def form_valid(self, form):
        try:
            unit = self.perform(form)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        except ConflictError as exc:
            form.add_error(None, str(exc))
            return self.render_to_response(
                self.get_context_data(form=form, conflict=exc.current, current_form=self.current_form(exc.current))
            )
        messages.success(self.request, self.success_message % {"name": str(unit)})
        return redirect(self.get_success_url(unit))

    def get_success_url(self, obj):  # type: ignore[override]  # the saved object's page
        return obj.get_absolute_url()

    def current_form(self, current):
        """What is recorded now, shown beside a conflict (None: nothing more than the message)."""
        return None


class ActionPage(TemplateView):
    """A page with several small forms posted to it (`action` names one). A valid form goes to
    `do_<action>`; a domain error or a conflict re-renders the page with the typed values kept."""

    forms: dict[str, type[BaseForm]] = {}

    def post(self, request, *args, **kwargs):
        name = request.POST.get("action", "")
        if name not in self.forms:
            raise Http404
        form = self.make_form(name, data=request.POST, files=request.FILES)
        if form.is_valid():
            try:
                done = getattr(self, f"do_{name}")(form)
            except ValidationError as exc:
                add_errors(form, exc)
            except ConflictError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, done)
                return redirect(request.get_full_path())
        return self.render_to_response(self.get_context_data(**{f"{name}_form": form}))

    def make_form(self, name, **kwargs):
        return self.forms[name](**kwargs)
