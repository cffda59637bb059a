"""The person turns off the intake alerts of one treatment: no alert goes out, the schedule stays."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from carnet.access.models import AuditEntry
from carnet.access.services import Actor
from carnet.notify.models import Message
from carnet.reminders import notifications, services

from .bundles import Bundle, person


@pytest.fixture
def karim(client):
    today = timezone.localdate()
    b = Bundle(today - dt.timedelta(days=59 * 365), "male")
    b.medication(
        today - dt.timedelta(days=30), "Metformine 1000 mg",
        {"frequency": 2, "period": 1, "periodUnit": "d"}, supply_days=90,
    )  # fmt: skip
    b.medication(
        today - dt.timedelta(days=30), "Amlodipine 5 mg",
        {"frequency": 1, "period": 1, "periodUnit": "d"}, supply_days=90,
    )  # fmt: skip
    user, pid = person("karim.silence@example.org", b)
    client.force_login(user)
    return user, pid


def _at(hhmm: str) -> dt.datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return dt.datetime.combine(
        timezone.localdate(), dt.time(h, m), tzinfo=timezone.get_current_timezone()
    )


def _treatment(user, pid, name):
    ov = services.overview(Actor.of_user(user), pid)
    return ov, next(t for t in ov.treatments if t.name == name)


def test_no_intake_alert_goes_out_for_a_silenced_treatment(client, karim):
    user, pid = karim
    _ov, metformin = _treatment(user, pid, "Metformine 1000 mg")
    page = client.get(reverse("reminders:treatments")).content.decode()
    assert 'name="alerts" value="off"' in page  # the switch is there, alerts on by default
    done = client.post(
        reverse("reminders:intake_alerts"), {"request": metformin.id, "alerts": "off"}
    )
    assert done.status_code == 302
    page = client.get(reverse("reminders:treatments")).content.decode()
    assert 'name="alerts" value="on"' in page  # now it offers to turn them back on
    assert AuditEntry.objects.filter(patient_id=pid, action="update", decision="permit").exists()

    # 08:05: both treatments are due at 08:00; only amlodipine is told about.
    before = Message.objects.filter(user=user).count()
    assert notifications.notify_intakes(pid, _at("08:05")) == 1
    assert Message.objects.filter(user=user).count() > before
    # 20:05: only metformin is due, and it is silenced: nothing at all goes out.
    before = Message.objects.filter(user=user).count()
    assert notifications.notify_intakes(pid, _at("20:05")) == 0
    assert Message.objects.filter(user=user).count() == before


def test_the_schedule_and_adherence_still_count_a_silenced_treatment(client, karim):
    user, pid = karim
    _ov, metformin = _treatment(user, pid, "Metformine 1000 mg")
    services.silence_intakes(Actor.of_user(user), pid, metformin.id, True)
    ov, metformin = _treatment(user, pid, "Metformine 1000 mg")
    assert metformin.silenced
    day = services.day_schedule(ov, ov.on)
    assert [s["at"].strftime("%H:%M") for s in day if s["treatment"].id == metformin.id] == [
        "08:00",
        "20:00",
    ]
    assert metformin.id in {a.treatment.id for a in services.adherence(ov, 7)}


def test_alerts_come_back_when_turned_on_again(client, karim):
    user, pid = karim
    _ov, metformin = _treatment(user, pid, "Metformine 1000 mg")
    client.post(reverse("reminders:intake_alerts"), {"request": metformin.id, "alerts": "off"})
    client.post(reverse("reminders:intake_alerts"), {"request": metformin.id, "alerts": "on"})
    assert not _treatment(user, pid, "Metformine 1000 mg")[1].silenced
    assert notifications.notify_intakes(pid, _at("20:05")) == 1


def test_an_unknown_treatment_changes_nothing(client, karim):
    user, pid = karim
    done = client.post(
        reverse("reminders:intake_alerts"), {"request": "not-a-treatment", "alerts": "off"}
    )
    assert done.status_code == 302
    with pytest.raises(services.Invalid):
        services.silence_intakes(Actor.of_user(user), pid, "not-a-treatment", True)
    ov = services.overview(Actor.of_user(user), pid)
    assert not any(t.silenced for t in ov.treatments)
