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
    unit = models.ForeignKey("orgtree.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)
    filename = models.CharField(max_length=200, blank=True)
    data = models.BinaryField(editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.VALIDATING)
    progress = models.PositiveSmallIntegerField(default=0)
    problems = models.JSONField(default=list)
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
