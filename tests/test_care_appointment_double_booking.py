"""No double booking: people booking the same time at once, in parallel threads, get one booking.

Runs on SQLite and PostgreSQL alike (the suite runs on both).
"""

import threading

import pytest
from django.db import connections

from carnet.access.services import Actor
from carnet.care import appointments
from carnet.care.models import Appointment

from .care import first_free, open_every_day
from .people import citizen, pid_of, pro

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def book_at_once(people, doctor, kind, start):
    barrier = threading.Barrier(len(people))
    results: list[str] = []

    def attempt(person):
        try:
            barrier.wait(timeout=30)
            appointments.book(Actor.of_user(person), pid_of(person), doctor.pk, kind.pk, start)
            results.append("booked")
        except appointments.SlotTaken:
            results.append("taken")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_only_one_of_many_parallel_bookings_wins():
    doctor = pro("Dr Claire Martin")
    kind = open_every_day(doctor)
    people = [citizen(f"Personne {i}") for i in range(6)]
    start = first_free(doctor, kind)
    results = book_at_once(people, doctor, kind, start)
    assert sorted(results) == ["booked"] + ["taken"] * 5, results
    assert Appointment.objects.filter(start=start, status="booked").count() == 1


def test_an_overlapping_longer_booking_is_refused():
    import datetime as dt

    doctor = pro("Dr Claire Martin")
    short = open_every_day(doctor, types=(("Consultation", 20), ("Bilan", 40)))
    long = appointments.schedule_of(doctor.pk)[1][1]
    assert (short.minutes, long.minutes) == (20, 40)
    a, b = citizen("A"), citizen("B")
    long_start = first_free(doctor, long)
    # A 20-minute visit in the second half of that 40-minute time.
    appointments.book(
        Actor.of_user(a), pid_of(a), doctor.pk, short.pk, long_start + dt.timedelta(minutes=20)
    )
    with pytest.raises(appointments.SlotTaken):
        appointments.book(Actor.of_user(b), pid_of(b), doctor.pk, long.pk, long_start)
    assert Appointment.objects.filter(status="booked").count() == 1
