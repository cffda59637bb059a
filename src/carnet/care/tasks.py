"""Huey schedule of the Plateforme: appointment reminders every five minutes."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import reminders


@db_periodic_task(crontab(minute="*/5"))
def appointment_reminders() -> dict:
    return reminders.send_due()
