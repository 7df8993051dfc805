from celery import shared_task
from django.core.cache import cache

from orgtree.tree import check_tree


@shared_task(name="orgtree.check_tree")
def check_tree_task():
    """Nightly: report (not repair) tree problems; the number lands in the worker log and the result."""
    problems = check_tree()
    return {"problems": len(problems), "first": [f"{pk}: {what}" for pk, what in problems[:10]]}



@shared_task(name="orgtree.flag_overdue_terms")
def flag_overdue_terms():
    """Daily: tell each editor and admin how many renewals are overdue in her scope (once a day)."""
    from orgtree.elections import notify_overdue

    return notify_overdue()


def _job_reader(job):
    from orgtree.conversion_excel import Reader

    return Reader(job.user, job.unit).read(bytes(job.data))


@shared_task(name="orgtree.validate_conversion_import")
def validate_conversion_import(job_id):
    """Read an uploaded workbook and store every problem, or what it would change."""
    from federation.models import Job

    job = Job.objects.select_related("user", "unit").get(pk=job_id)
    reader = _job_reader(job)
    job.problems = [p.as_dict() for p in reader.problems]
    job.summary = {"villages": len(reader.conversions),
                   "members": sum(len(c.members) for c in reader.conversions.values())}
    job.status = Job.Status.INVALID if reader.problems else Job.Status.READY
    job.progress = 100
    job.save(update_fields=["problems", "summary", "status", "progress", "updated_at"])
    return job.status


@shared_task(name="orgtree.commit_conversion_import")
def commit_conversion_import(job_id):
    """Save a checked workbook in one transaction (read again: the scope or data may have changed)."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from federation.models import Job
    from orgtree.conversion_excel import commit

    job = Job.objects.select_related("user", "unit").get(pk=job_id)
    reader = _job_reader(job)
    if reader.problems:
        Job.objects.filter(pk=job.pk).update(status=Job.Status.INVALID, problems=[p.as_dict() for p in reader.problems])
        return Job.Status.INVALID

    def progress(done, total):
        # The import is one transaction, so a progress row written inside it would stay invisible
        # until the end: progress goes through the cache (Redis in production), which the page reads.
        cache.set(job.progress_key, int(done * 100 / total), 3600)

    try:
        changed = commit(job.user, reader, progress)
    except (ValidationError, PermissionDenied) as exc:
        messages = getattr(exc, "messages", [str(exc)])
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, problems=[
            {"sheet": "", "row": 0, "column": "", "message": m} for m in messages])
        return Job.Status.FAILED
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, progress=100,
                                         summary={**job.summary, "changed": changed})
    return Job.Status.DONE


@shared_task(name="orgtree.snapshot_coverage")
def snapshot_coverage():
    """Every Monday (beat): the week's coverage figures for every unit down to townships."""
    from orgtree.coverage import snapshot_week

    return {"stored": snapshot_week()}


@shared_task(name="orgtree.refresh_figures")
def refresh_figures_task():
    """Nightly: every unit's stored figures, so date-driven changes (an office starting) catch up."""
    from orgtree.coverage import refresh_all

    return {"changed": refresh_all()}
