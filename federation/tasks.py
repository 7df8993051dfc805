"""The import job: check an upload (every problem at once), then, once confirmed, save it in one
transaction. Both steps read the file again, so a scope or data change in between is caught.

A task works on its job only while the job is in the task's status (checking, importing): a job
given up as stale, or confirmed twice, is not run by a late or second task. Time limits stop a task
before the job is given up (IMPORT_TIMEOUT_MINUTES), so a run is never taken for dead while alive."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.audit import after_rollback
from federation.imports import ImportRefusedError, importer_for
from federation.models import Job
from federation.security import prune

logger = logging.getLogger(__name__)
TIMEOUTS = settings.BANYAN["IMPORT_TIMEOUT_MINUTES"]


def _read(job):
    return importer_for(job.kind)(job.user, job.unit).read(bytes(job.data))


def _finish(job, source, status, problems=(), count=None, **fields):
    """Record the outcome if the job is still where this task took it from."""
    problems = [p if isinstance(p, dict) else p.as_dict() for p in problems]
    Job.objects.filter(pk=job.pk, status=source).update(
        status=status,
        problems=problems,
        problem_count=len(problems) if count is None else count,
        updated_at=timezone.now(),
        **fields,
    )
    return status


def _failed(job, source, message):
    logger.exception("import job %s failed", job.pk)
    return _finish(job, source, Job.Status.FAILED, [{"sheet": "", "row": 0, "column": "", "message": message}])


@shared_task(name="federation.validate_import", time_limit=TIMEOUTS["validating"] * 60 - 30)
def validate_import(job_id):
    job = Job.objects.select_related("user", "unit").filter(pk=job_id, status=Job.Status.VALIDATING).first()
    if job is None:
        return None
    try:
        importer = _read(job)
        summary = importer.summary()
    except Exception:
        return _failed(
            job,
            Job.Status.VALIDATING,
            _(
                "The check failed unexpectedly. Check the file again; if "
                "it fails again, report it to the administrator."
            ),
        )
    return _finish(
        job,
        Job.Status.VALIDATING,
        Job.Status.INVALID if importer.problems else Job.Status.READY,
        importer.problems,
        importer.problem_count,
        summary=summary,
        progress=100,
    )


@shared_task(name="federation.commit_import", time_limit=TIMEOUTS["committing"] * 60 - 30)
def commit_import(job_id):
    committing = Job.Status.COMMITTING
    job = Job.objects.select_related("user", "unit").filter(pk=job_id, status=committing).first()
    if job is None:  # already run, or given up
        return None

    def progress(done, total):
        # The import is one transaction, so a progress row written inside it would stay invisible
        # until the end: progress goes through the cache (Redis in production), which the page reads.
        cache.set(job.progress_key, int(done * 100 / total), 3600)

    try:
        importer = _read(job)
        if importer.problems:
            return _finish(job, committing, Job.Status.INVALID, importer.problems, importer.problem_count)
        changed = importer.commit(progress)
    except ImportRefusedError as refused:
        for cause in refused.causes:  # e.g. an ID number clash, kept for the admins above
            after_rollback(cause)
        return _finish(job, committing, Job.Status.INVALID, refused.problems, importer.problem_count)
    except Exception:
        return _failed(
            job,
            committing,
            _(
                "The import failed unexpectedly; nothing was saved. Check the file "
                "again; if it fails again, report it to the administrator."
            ),
        )
    return _finish(job, committing, Job.Status.DONE, progress=100, summary={**job.summary, "changed": changed})


@shared_task(name="federation.expire_stale_jobs")
def expire_stale_jobs():
    return {"expired": Job.expire_stale()}


@shared_task(name="federation.prune_security_log")
def prune_security_log():
    return prune()
