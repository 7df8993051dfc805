"""The pages every Excel import shares: upload (refused early when too large), then the job page
that refreshes itself while the file is checked, lists the problems, and asks to confirm.

The request only stores the file and queues the work: checking and saving run in the Celery worker
(inline only when there is no Redis, the embedded default). A confirmation starts the import once,
however often it is posted; a job whose worker died is given up after a timeout and can be checked
again from its page."""

from django import forms
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from federation import scope
from federation.imports import importer_for
from federation.models import Job
from federation.pages import UnitMixin
from federation.tasks import commit_import, validate_import


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Filled-in template (.xlsx)"))


class ImportUploadView(UnitMixin, FormView):
    """Subclasses set `kind` (registered in federation.imports by its app) and `template_name`."""

    action = scope.CHANGE
    form_class = ImportForm
    kind = ""

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        limit = settings.BANYAN["IMPORT_MAX_BYTES"]
        if upload.size > limit:  # refused before reading it into the database
            form.add_error(
                "file",
                _("The file is %(size)d MB; the limit is %(limit)d MB. Split it by township.")
                % {"size": upload.size // 2**20, "limit": limit // 2**20},
            )
            return self.form_invalid(form)
        user = self.request.user
        assert user.is_authenticated  # UnitMixin lets no one else in
        job = Job.objects.create(
            user=user, unit=self.unit, kind=self.kind, filename=upload.name[:200], data=upload.read()
        )
        validate_import.delay(job.pk)
        return redirect(job)


class ImportJobView(LoginRequiredMixin, TemplateView):
    """A job's progress (the page refreshes itself while it runs), its problems, and the confirm button."""

    template_name = "import_job.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        # Only the user who uploaded sees the job (and only while the unit is in her scope).
        jobs = scope.restrict(Job.objects.filter(user=request.user), request.user, scope.CHANGE)
        self.job = jobs.select_related("unit").filter(pk=kwargs["pk"]).first()
        if self.job is None:
            raise Http404
        if self.job.running and Job.expire_stale(Job.objects.filter(pk=self.job.pk)):
            self.job.refresh_from_db()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        importer = importer_for(self.job.kind)
        back, upload = importer.urls(self.job.unit)
        described = (
            importer.describe(self.job.summary, done=self.job.status == Job.Status.DONE)
            if self.job.status in (Job.Status.READY, Job.Status.DONE)
            else ""
        )
        return super().get_context_data(
            job=self.job,
            progress=self.job.live_progress(),
            unit=self.job.unit,
            lineage=self.job.unit.lineage(),
            described=described,
            back_url=back,
            upload_url=upload,
            **kwargs,
        )

    def post(self, request, pk):
        if request.POST.get("action") == "recheck":
            # A failed or refused job: read the stored file again (the user confirms once more after).
            if any(
                self.job.move(status, Job.Status.VALIDATING, progress=0, problems=[], problem_count=0)
                for status in (Job.Status.FAILED, Job.Status.INVALID)
            ):
                validate_import.delay(self.job.pk)
        elif self.job.move(Job.Status.READY, Job.Status.COMMITTING, progress=0):
            # Only the request whose conditional update moved the job queues the import.
            commit_import.delay(self.job.pk)
        return redirect(self.job)
