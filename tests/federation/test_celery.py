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

    app.conf.update(task_always_eager=False, broker_url=os.environ["REDIS_URL"],
                    result_backend=os.environ["REDIS_URL"])
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            result = check_tree_task.apply_async()
            assert result.get(timeout=20) == {"problems": 0, "first": []}
    finally:
        app.conf.update(task_always_eager=True)
