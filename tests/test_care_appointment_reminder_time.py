"""An appointment reminder says the time, on each recipient's clock and in their language."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from carnet.access import proxies
from carnet.access.services import Actor
from carnet.care import appointments, reminders
from carnet.notify import events
from carnet.notify import services as notify
from carnet.notify.models import Message

from .care import open_every_day, slot_days_ahead
from .people import citizen, pid_of, pro


def _said(message, lang, channel="sms") -> str:
    return " ".join(events.render(message.event, channel, message.params, lang).values())


def test_the_reminders_say_the_local_time_in_each_recipients_zone_and_language():
    doctor = pro("Dr Claire Garonne", profession="psychiatre")
    kind = open_every_day(doctor)
    father, daughter = citizen("Henri Marty"), citizen("Sophie Esquirol")
    notify.update_preferences(daughter, timezone="America/Montreal", language="en")
    pid = pid_of(father)
    proxies.add_proxy(Actor.of_user(father), pid, daughter.pk, permissions=("read", "appointments"))
    start = slot_days_ahead(doctor, kind, days=3, n=3)
    appointments.book(Actor.of_user(daughter), pid, doctor.pk, kind.pk, start)
    paris = start.astimezone(ZoneInfo("Europe/Paris"))
    montreal = start.astimezone(ZoneInfo("America/Montreal"))
    assert paris.strftime("%H:%M") != montreal.strftime("%H:%M")

    reminders.send_due(now=start - dt.timedelta(hours=23))
    [his] = Message.objects.filter(user=father, event="appointment_tomorrow", channel="email")
    [hers] = Message.objects.filter(user=daughter, event="appointment_tomorrow", channel="email")
    assert his.params == {"time": paris.strftime("%H:%M")}
    assert hers.params == {"time": montreal.strftime("%H:%M")}
    assert f"demain à {paris.hour} h {paris.minute:02d}" in _said(his, "fr")
    assert f"tomorrow at {montreal.hour}:{montreal.minute:02d}" in _said(hers, "en")
    assert hers.language == "en"
    for message in (his, hers):
        for lang in events.LANGUAGES:
            body = _said(message, lang, "email")
            assert "psychiatre" not in body and "Garonne" not in body

    reminders.send_due(now=start - dt.timedelta(hours=1))
    [soon] = Message.objects.filter(user=father, event="appointment_soon", channel="email")
    assert f"bientôt, à {paris.hour} h {paris.minute:02d}" in _said(soon, "fr")


def test_a_time_zone_never_saved_is_the_servers():
    person = citizen()
    start = dt.datetime(2027, 3, 1, 13, 5, tzinfo=dt.UTC)
    assert reminders.local_time(person.pk, start) == "14:05"  # Paris, winter
