"""The import machinery: limits before parsing, at most N problems kept, jobs that run once, in the
worker, and are given up (and can be run again) when their worker dies."""

import datetime
import io
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from federation import tasks, views_imports
from federation.models import Job
from orgtree.conversion_excel import MEMBER_COLUMNS, MEMBER_SHEET, VILLAGE_COLUMNS, VILLAGE_SHEET
from orgtree.conversion_excel import ConversionImporter as Reader
from orgtree.models import Term
from tests.orgtree.test_conversion_excel import good_file


def big_file(rows, village_row=("999999999999", "某村", "2021-03-15")):
    """A 会改联 workbook with `rows` short village rows, written in streaming mode."""
    book = Workbook(write_only=True)
    villages = book.create_sheet(VILLAGE_SHEET)
    villages.append(list(VILLAGE_COLUMNS.values()))
    for _i in range(rows):
        villages.append(list(village_row))
    book.create_sheet(MEMBER_SHEET).append(list(MEMBER_COLUMNS.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def limits(settings):
    def set_limits(**values):
        settings.BANYAN = {**settings.BANYAN, **values}

    return set_limits


def test_a_sheet_over_its_row_limit_is_refused_after_reading_only_the_limit(tree, users, limits):
    limits(IMPORT_MIN_ROWS=100, IMPORT_ROWS_PER_UNIT=5)  # county A has 3 villages: the minimum applies
    [problem] = Reader(users.editor_a, tree.county_a).read(big_file(150)).problems
    assert (problem.sheet, problem.row) == (VILLAGE_SHEET, 102)  # stopped at the first row over the limit
    assert "100" in problem.message and "拆分" in problem.message


def test_a_file_far_over_the_limits_is_refused_unopened_and_quickly(tree, users, limits, monkeypatch):
    import openpyxl

    limits(IMPORT_MIN_ROWS=100, IMPORT_ROWS_PER_UNIT=5)
    data = big_file(50_000)
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("opened the workbook"))
    started = time.monotonic()
    [problem] = Reader(users.editor_a, tree.county_a).read(data).problems
    assert time.monotonic() - started < 1
    assert "行数上限" in problem.message


def test_the_row_limit_grows_with_the_scope(tree, users, limits):
    limits(IMPORT_MIN_ROWS=2, IMPORT_ROWS_PER_UNIT=5)
    reader = Reader(users.editor_a, tree.county_a)
    reader._units = reader.units_in_scope()
    assert reader._units == 3
    assert reader.max_rows(VILLAGE_SHEET) == 15 and reader.max_rows(MEMBER_SHEET) == 60


def test_a_file_over_the_cell_limit_is_refused(tree, users, limits):
    limits(IMPORT_MAX_CELLS=14 * 30)  # 30 rows of the village sheet's 14 columns
    problems = Reader(users.editor_a, tree.county_a).read(big_file(40)).problems
    assert len(problems) == 1 and "单元格" in problems[0].message


def test_at_most_the_limit_of_problems_is_listed_and_the_rest_counted(client, tree, users, limits):
    limits(IMPORT_MAX_PROBLEMS=5)
    reader = Reader(users.editor_a, tree.county_a).read(big_file(40))
    assert len(reader.problems) == 5 and reader.problem_count == 40 and reader.unlisted == 35
    client.force_login(users.editor_a)
    client.post(
        reverse("orgtree:conversion_import", args=[tree.county_a.pk]),
        {"file": SimpleUploadedFile("x.xlsx", big_file(40))},
    )
    job = Job.objects.get()
    assert job.status == Job.Status.INVALID and len(job.problems) == 5 and job.problem_count == 40
    assert "还有 35 个问题未列出" in client.get(job.get_absolute_url()).content.decode()


def test_the_upload_request_only_stores_the_file_and_queues_the_check(client, tree, users, monkeypatch):
    queued = []
    monkeypatch.setattr(views_imports.validate_import, "delay", queued.append)
    monkeypatch.setattr(Reader, "read", lambda self, data: pytest.fail("the request parsed the file"))
    client.force_login(users.editor_a)
    response = client.post(
        reverse("orgtree:conversion_import", args=[tree.county_a.pk]),
        {"file": SimpleUploadedFile("x.xlsx", b"anything")},
    )
    job = Job.objects.get()
    assert response.status_code == 302 and queued == [job.pk] and job.status == Job.Status.VALIDATING
    assert client.get(job.get_absolute_url()).status_code == 200  # the page does not parse either


def ready_job(client, tree, users):
    client.force_login(users.editor_a)
    client.post(
        reverse("orgtree:conversion_import", args=[tree.county_a.pk]),
        {"file": SimpleUploadedFile("x.xlsx", good_file(users.editor_a, tree))},
    )
    job = Job.objects.get()
    assert job.status == Job.Status.READY
    return job


def test_confirming_twice_starts_one_import(client, tree, users, monkeypatch):
    job = ready_job(client, tree, users)
    queued = []
    monkeypatch.setattr(views_imports.commit_import, "delay", queued.append)
    # Two requests that both loaded the job while it was ready, then confirm.
    views = []
    for _i in range(2):
        view = views_imports.ImportJobView()
        view.job = Job.objects.get(pk=job.pk)
        views.append(view)
    request = type("Request", (), {"POST": {}})()
    for view in views:
        view.post(request, job.pk)
    client.post(job.get_absolute_url())
    assert queued == [job.pk] and Job.objects.get().status == Job.Status.COMMITTING


def test_the_commit_task_runs_once(client, tree, users):
    job = ready_job(client, tree, users)
    client.post(job.get_absolute_url())
    client.post(job.get_absolute_url())
    assert tasks.commit_import(job.pk) is None  # a late duplicate task finds the job done
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.summary["changed"] == 1 and Term.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_move_the_job_once(tree, users):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serializes the test database)")
    job = Job.objects.create(
        user=users.editor_a, unit=tree.county_a, kind="conversion_import", data=b"x", status=Job.Status.READY
    )
    barrier, moved = threading.Barrier(4), []

    def confirm():
        barrier.wait()
        moved.append(Job.objects.get(pk=job.pk).move(Job.Status.READY, Job.Status.COMMITTING))
        connection.close()

    threads = [threading.Thread(target=confirm) for _i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(moved) == [False, False, False, True]


def stale(job, status, minutes):
    Job.objects.filter(pk=job.pk).update(status=status, updated_at=timezone.now() - datetime.timedelta(minutes=minutes))


def test_a_job_whose_worker_died_is_failed_and_can_be_checked_again(client, tree, users):
    job = ready_job(client, tree, users)
    stale(job, Job.Status.COMMITTING, 59)
    assert tasks.expire_stale_jobs() == {"expired": 0}  # still within the timeout
    stale(job, Job.Status.COMMITTING, 61)
    assert tasks.expire_stale_jobs() == {"expired": 1}
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "60 分钟" in job.problems[0]["message"]
    assert not Term.objects.exists()
    assert tasks.commit_import(job.pk) is None  # the dead run's task, delivered late, does nothing
    page = client.get(job.get_absolute_url()).content.decode()
    assert ">重新检查</button>" in page and ">确认导入</button>" not in page
    client.post(job.get_absolute_url(), {"action": "recheck"})
    job.refresh_from_db()
    assert job.status == Job.Status.READY and job.problems == []
    client.post(job.get_absolute_url())
    assert Job.objects.get().status == Job.Status.DONE and Term.objects.count() == 1


def test_opening_the_page_of_a_stuck_check_gives_it_up(client, tree, users):
    job = ready_job(client, tree, users)
    stale(job, Job.Status.VALIDATING, 16)
    page = client.get(job.get_absolute_url()).content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "15 分钟" in page and "重新检查" in page


def test_stale_jobs_are_given_up_by_the_beat(settings):
    assert settings.CELERY_BEAT_SCHEDULE["expire-stale-imports"]["task"] == "federation.expire_stale_jobs"
