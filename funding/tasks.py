"""Celery tasks of funding (found by autodiscovery): the stored compliance's nightly refresh and the
background recompute of a stale subtree, both defined beside the code they run (funding.results)."""

from funding.results import refresh_all_task, refresh_stale

__all__ = ["refresh_all_task", "refresh_stale"]
