"""The Huey jobs: a periodic task every minute, and a task queued to send at once."""

import pytest
from huey.api import PeriodicTask
from huey.contrib.djhuey import HUEY

from carnet.notify import services, tasks
from carnet.notify.models import Message, Status

from .helpers import citizen
from .loopback import LoopbackSmtp

# Huey's db_task closes the database connection around each job, as a worker should: the
# tests commit for real (and are flushed after) rather than run in a rolled-back transaction.
pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def smtp(settings):
    settings.CARNET_NOTIFY_KICK = False
    server = LoopbackSmtp().start().use_in(settings)
    yield server
    server.stop()


def test_the_outbox_is_delivered_by_a_periodic_task_every_minute(smtp):
    task = tasks.send_notifications.task_class()
    assert isinstance(task, PeriodicTask)
    assert task.validate_datetime(__import__("datetime").datetime(2026, 1, 1, 3, 17))
    user = citizen()
    services.notify_user(user.pk, "new_message")
    assert tasks.send_notifications.call_local()["sent"] == 1
    assert len(smtp.received) == 1


def test_a_queued_job_goes_through_the_job_storage_and_sends(smtp):
    """Through the configured storage: SQLite by default, Redis when REDIS_URL is set."""
    user = citizen()
    services.notify_user(user.pk, "new_message")
    result = tasks.send_notifications_now()
    job = HUEY.dequeue()
    while job is not None and job.id != result.id:  # others' jobs in a shared queue
        HUEY.enqueue(job)
        job = HUEY.dequeue()
    assert job is not None
    HUEY.execute(job)
    assert result.get()["sent"] == 1
    assert Message.objects.get(channel="email").status == Status.SENT
    assert len(smtp.received) == 1
