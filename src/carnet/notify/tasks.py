"""Huey jobs: deliver the outbox every minute, and at once when something urgent is queued."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import outbox


@db_periodic_task(crontab(minute="*"))
def send_notifications() -> dict:
    return outbox.send_due()


@db_task()
def send_notifications_now() -> dict:
    return outbox.send_due()
