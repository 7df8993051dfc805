"""The import job: check an upload (every problem at once), then, once confirmed, save it in one
transaction. Both steps read the file again, so a scope or data change in between is caught."""

from celery import shared_task
from django.core.cache import cache


def _read(job):
    from federation.imports import importer_for

    return importer_for(job.kind)(job.user, job.unit).read(bytes(job.data))


@shared_task(name="federation.validate_import")
def validate_import(job_id):
    from federation.models import Job

    job = Job.objects.select_related("user", "unit").get(pk=job_id)
    importer = _read(job)
    job.problems = [p.as_dict() for p in importer.problems]
    job.summary = importer.summary()
    job.status = Job.Status.INVALID if importer.problems else Job.Status.READY
    job.progress = 100
    job.save(update_fields=["problems", "summary", "status", "progress", "updated_at"])
    return job.status


@shared_task(name="federation.commit_import")
def commit_import(job_id):
    from django.core.exceptions import PermissionDenied, ValidationError

    from federation.audit import after_rollback
    from federation.models import Job

    job = Job.objects.select_related("user", "unit").get(pk=job_id)
    importer = _read(job)
    if importer.problems:
        Job.objects.filter(pk=job.pk).update(status=Job.Status.INVALID,
                                             problems=[p.as_dict() for p in importer.problems])
        return Job.Status.INVALID

    def progress(done, total):
        # The import is one transaction, so a progress row written inside it would stay invisible
        # until the end: progress goes through the cache (Redis in production), which the page reads.
        cache.set(job.progress_key, int(done * 100 / total), 3600)

    try:
        changed = importer.commit(progress)
    except (ValidationError, PermissionDenied) as exc:
        after_rollback(exc)
        messages = getattr(exc, "messages", [str(exc)])
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, problems=[
            {"sheet": "", "row": 0, "column": "", "message": m} for m in messages])
        return Job.Status.FAILED
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, progress=100,
                                         summary={**job.summary, "changed": changed})
    return Job.Status.DONE


@shared_task(name="federation.prune_security_log")
def prune_security_log():
    from federation.security import prune

    return prune()
