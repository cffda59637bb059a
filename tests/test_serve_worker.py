"""`carnet serve` starts its job worker with every periodic task registered (reminders,
notifications, appointment reminders), as `run_huey` would: in a fresh interpreter, where
nothing else has imported the tasks modules."""

import subprocess
import sys

SCRIPT = """
import django
django.setup()
from carnet.web.management.commands.serve import job_worker
consumer = job_worker(1)
names = sorted(t.__module__ + "." + t.__name__ for t in consumer.huey._registry._periodic_tasks)
print("\\n".join(names))
"""


def test_the_worker_of_carnet_serve_knows_every_periodic_task(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={
            "DJANGO_SETTINGS_MODULE": "carnet.settings",
            "CARNET_DATA_DIR": str(tmp_path),
            "PATH": "/usr/bin:/bin",
        },
    )
    names = set(done.stdout.split())
    modules = {name.rpartition(".")[0] for name in names}
    assert {"carnet.notify.tasks", "carnet.reminders.tasks", "carnet.care.tasks"} <= modules
