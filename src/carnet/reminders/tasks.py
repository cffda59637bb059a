"""Huey schedules: the daily reminders (and weekly digest) at 7:00, intake times every 15 minutes."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import notifications


@db_periodic_task(crontab(hour="7", minute="0"))
def daily_reminders() -> dict:
    return notifications.daily()


@db_periodic_task(crontab(minute="*/15"))
def intake_reminders() -> dict:
    return notifications.intakes_now()
