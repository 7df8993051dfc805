"""Celery: eager in the embedded default; with REDIS_URL a real worker runs the task over Redis."""

import os

import pytest

from orgtree.tasks import check_tree_task


def test_check_tree_task_runs_eagerly(tree):
    assert check_tree_task.delay().get(timeout=5) == {"problems": 0, "first": []}


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_task_over_redis(settings):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL not set: no broker to talk to (CI sets it)")
    from celery.contrib.testing.worker import start_worker

    from federation.celery import app

    app.conf.update(task_always_eager=False, broker_url=os.environ["REDIS_URL"], result_backend=os.environ["REDIS_URL"])
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            result = check_tree_task.apply_async()
            assert result.get(timeout=20) == {"problems": 0, "first": []}
    finally:
        app.conf.update(task_always_eager=True)


@pytest.mark.django_db(transaction=True)
def test_an_import_is_checked_and_saved_by_the_worker_not_the_request(client, tree, users):
    """With Redis the upload and the confirmation only queue work: the worker checks and saves."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL not set: no broker to talk to (CI sets it)")
    import time

    from celery.contrib.testing.worker import start_worker
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from federation.celery import app
    from federation.models import Job
    from tests.orgtree.test_conversion_excel import good_file

    def settled(job, status):
        for _ in range(100):
            job.refresh_from_db()
            if job.status == status:
                return job
            time.sleep(0.2)
        raise AssertionError(f"{job.status} ≠ {status}")

    client.force_login(users.editor_a)
    data = good_file(users.editor_a, tree)
    app.conf.update(task_always_eager=False, broker_url=os.environ["REDIS_URL"], result_backend=os.environ["REDIS_URL"])
    try:
        client.post(
            reverse("orgtree:conversion_import", args=[tree.county_a.pk]),
            {"file": SimpleUploadedFile("会改联.xlsx", data)},
        )
        job = Job.objects.get()
        assert job.status == Job.Status.VALIDATING  # the request only stored the file and queued the check
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            settled(job, Job.Status.READY)
            client.post(job.get_absolute_url())
            assert Job.objects.get().status == Job.Status.COMMITTING
            settled(job, Job.Status.DONE)
    finally:
        app.conf.update(task_always_eager=True)
    assert tree.village_a1.terms.exists()
