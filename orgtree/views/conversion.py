"""会改联 pages for county cadres: the grid of a county's villages and the per-village form."""

from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from federation import scope
from federation.models import Job
from orgtree.choices import GRASSROOTS_KINDS, Form
from orgtree.conversion import record_conversion
from orgtree.forms import ConversionForm
from orgtree.models import Election, Office, Role, Unit
from orgtree.models.position import ServicePosition
from orgtree.tasks import commit_conversion_import, validate_conversion_import
from orgtree.views.base import ServiceFormView, UnitMixin

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def open_offices():
    return Office.objects.filter(ended_on__isnull=True)


def count_of(qs):
    return Subquery(qs.order_by().values("unit").annotate(n=Count("pk")).values("n")[:1])


class ConversionGridView(UnitMixin, TemplateView):
    """Every village/community of the unit's subtree with its conversion record (a fixed number of queries)."""

    template_name = "orgtree/conversion_grid.html"

    def get_context_data(self, **kwargs):
        villages = Unit.objects.open().within(self.unit).filter(kind__in=GRASSROOTS_KINDS)
        total = villages.count()
        converted = villages.filter(form=Form.FEDERATION).count()
        show = self.request.GET.get("show", "")
        if show == "todo":
            villages = villages.exclude(form=Form.FEDERATION)
        in_unit = open_offices().filter(unit=OuterRef("pk"))
        rows = villages.select_related("parent").annotate(
            converted_on=Subquery(Election.objects.filter(unit=OuterRef("pk"), kind=Election.Kind.CONVERSION,
                                                          status=Election.Status.CERTIFIED)
                                  .order_by("-held_on").values("held_on")[:1]),
            executives=count_of(in_unit),
            vice_chairs=count_of(in_unit.filter(role=Role.VICE_CHAIR)),
        ).order_by("code", "pk")
        page = Paginator(rows, 200).get_page(self.request.GET.get("page"))
        ids = [v.pk for v in page]
        chairs = {o.unit_id: o for o in open_offices().filter(unit__in=ids, role=Role.CHAIR).select_related("person")}
        positions = {}
        for p in ServicePosition.objects.filter(unit__in=ids, closed_on__isnull=True):
            positions.setdefault(p.unit_id, {})[p.kind] = p
        for v in page:
            v.chair = chairs.get(v.pk)
            v.homes = positions.get(v.pk, {})
        return super().get_context_data(
            page=page, total=total, converted=converted, show=show,
            percent=round(converted * 100 / total) if total else 0,
            can_change=scope.can(self.request.user, scope.CHANGE, self.unit), **kwargs)


class ConversionEditView(ServiceFormView):
    form_class = ConversionForm
    template_name = "orgtree/conversion_form.html"
    success_message = gettext_lazy("Saved the conversion of %(name)s.")

    @property
    def title(self):
        return _("Conversion of %(name)s") % {"name": self.unit.name}

    def get_initial(self):
        return ConversionForm.initial_for(self.unit)

    def perform(self, form):
        record_conversion(self.request.user, self.unit, form.to_conversion(),
                          expected_version=form.cleaned_data["version"])
        return self.unit

    def get_success_url(self, obj):
        return reverse("orgtree:conversion_grid", args=[obj.parent_id]) + f"#u{obj.pk}"

    def current_form(self, current):
        # What is recorded now, so the second editor can compare before saving again.
        return ConversionForm(initial=ConversionForm.initial_for(self.unit))





class ConversionTemplateView(UnitMixin, View):
    """The spreadsheet for exactly the villages of this unit the user may change."""

    action = scope.CHANGE

    def get(self, request, pk):
        from orgtree.conversion_excel import build_template

        response = HttpResponse(build_template(request.user, self.unit), content_type=XLSX)
        filename = quote(f"{self.unit.name}-会改联-{timezone.localdate():%Y%m%d}.xlsx")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
        return response


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Filled-in template (.xlsx)"))


class ConversionImportView(UnitMixin, FormView):
    action = scope.CHANGE
    form_class = ImportForm
    template_name = "orgtree/conversion_import.html"

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        limit = settings.BANYAN["IMPORT_MAX_BYTES"]
        if upload.size > limit:  # refused before reading it into the database
            form.add_error("file", _("The file is %(size)d MB; the limit is %(limit)d MB. Split it by township.")
                           % {"size": upload.size // 2**20, "limit": limit // 2**20})
            return self.form_invalid(form)
        job = Job.objects.create(user=self.request.user, unit=self.unit, kind="conversion_import",
                                 filename=upload.name[:200], data=upload.read())
        validate_conversion_import.delay(job.pk)
        return redirect(job)


class ImportJobView(LoginRequiredMixin, TemplateView):
    """A job's progress (the page refreshes itself while it runs), its problems, and the confirm button."""

    template_name = "orgtree/import_job.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        # Only the user who uploaded sees the job (and only while the unit is in her scope).
        jobs = scope.restrict(Job.objects.filter(user=request.user), request.user, scope.CHANGE)
        self.job = jobs.select_related("unit").filter(pk=kwargs["pk"]).first()
        if self.job is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(job=self.job, progress=self.job.live_progress(), unit=self.job.unit,
                                        lineage=self.job.unit.lineage(), **kwargs)

    def post(self, request, pk):
        if self.job.status == Job.Status.READY:
            Job.objects.filter(pk=self.job.pk).update(status=Job.Status.COMMITTING, progress=0)
            commit_conversion_import.delay(self.job.pk)
        return redirect(self.job)
