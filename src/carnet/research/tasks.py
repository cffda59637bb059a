"""Huey schedules: the analytics copy catches up every hour; the epidemic watch on Mondays."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import copy, watch


@db_periodic_task(crontab(minute="20"))
def refresh_copy() -> int:
    return copy.refresh_stale(limit=2000)


@db_periodic_task(crontab(day_of_week="1", hour="3", minute="0"))
def publish_watch() -> int:
    return watch.publish()
