from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """A background job a user started (an import): its status and progress drive the page."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Checking")
        INVALID = "invalid", _("Has problems")
        READY = "ready", _("Ready to import")
        COMMITTING = "committing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    unit = models.ForeignKey(settings.UNIT_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)
    filename = models.CharField(max_length=200, blank=True)
    data = models.BinaryField(editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.VALIDATING)
    progress = models.PositiveSmallIntegerField(default=0)
    problems = models.JSONField(default=list)  # at most IMPORT_MAX_PROBLEMS, as {sheet, row, column, message}
    problem_count = models.PositiveIntegerField(default=0)  # all problems found, listed or not
    summary = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} #{self.pk} {self.status}"

    def get_absolute_url(self):
        return reverse("import_job", args=[self.pk])

    @property
    def progress_key(self):
        return f"job:{self.pk}:progress"

    def live_progress(self):
        """While a job runs, its worker reports progress in the cache; after, the row has it."""
        from django.core.cache import cache

        return cache.get(self.progress_key, self.progress) if self.running else self.progress

    @property
    def running(self):
        return self.status in (self.Status.VALIDATING, self.Status.COMMITTING)

    @property
    def total_problems(self):
        return max(self.problem_count, len(self.problems))

    @property
    def unlisted(self):
        return self.total_problems - len(self.problems)

    def move(self, source, target, **fields):
        """Change the status from `source` to `target` if it still is `source`: True for the one caller
        that did it (a conditional UPDATE, so two confirmations at once start one import)."""
        from django.utils import timezone

        moved = Job.objects.filter(pk=self.pk, status=source).update(status=target, updated_at=timezone.now(), **fields)
        if moved:
            self.refresh_from_db()
        return bool(moved)

    @classmethod
    def expire_stale(cls, jobs=None):
        """Jobs checking or importing for longer than the timeout have lost their worker: mark them failed
        (an import is one transaction, so a killed one saved nothing) so they can be run again."""
        import datetime

        from django.conf import settings
        from django.utils import timezone
        from django.utils.translation import gettext

        jobs = cls.objects.all() if jobs is None else jobs
        now = timezone.now()
        expired = 0
        for status, minutes in settings.BANYAN["IMPORT_TIMEOUT_MINUTES"].items():
            message = (
                gettext("The check did not finish within %(minutes)d minutes. Check the file again.")
                if status == cls.Status.VALIDATING
                else gettext(
                    "The import did not finish within %(minutes)d minutes; nothing was saved. Check the "
                    "file again and confirm it once more."
                )
            ) % {"minutes": minutes}
            expired += jobs.filter(status=status, updated_at__lt=now - datetime.timedelta(minutes=minutes)).update(
                status=cls.Status.FAILED,
                updated_at=now,
                problem_count=1,
                problems=[{"sheet": "", "row": 0, "column": "", "message": message}],
            )
        return expired
