"""The quarter-hourly intake job reads only the records that hold a prescription: a person
without any treatment is not read (nothing decrypted, no entry in their access history)."""

import datetime as dt

from django.utils import timezone

from carnet.access.models import AuditEntry
from carnet.reminders import notifications

from .bundles import Bundle, person


def test_only_records_with_a_prescription_are_read_by_the_intake_job():
    today = timezone.localdate()
    treated = Bundle(today - dt.timedelta(days=60 * 365), "male")
    treated.medication(
        today - dt.timedelta(days=10), "Metformine 1000 mg",
        {"frequency": 2, "period": 1, "periodUnit": "d"}, supply_days=90,
    )  # fmt: skip
    karim_on_metformin, karim_pid = person("karim.treated@example.org", treated)
    _lea, lea_pid = person(
        "lea.untreated@example.org", Bundle(today - dt.timedelta(days=9000), "female")
    )
    before = {
        pid: AuditEntry.objects.filter(patient_id=pid).count() for pid in (karim_pid, lea_pid)
    }

    at = dt.datetime.combine(today, dt.time(8, 5), tzinfo=timezone.get_current_timezone())
    counts = notifications.intakes_now(at)

    assert counts["errors"] == 0 and counts["messages"] == 1  # Karim's 08:00 intake
    assert AuditEntry.objects.filter(patient_id=karim_pid).count() > before[karim_pid]
    assert AuditEntry.objects.filter(patient_id=lea_pid).count() == before[lea_pid]
