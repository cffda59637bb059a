"""Every refusal of every kind of actor lands in the person's access history, with its true reason.

Henri ended Sophie's proxy; one second later she tries to write to his doctor, to open his
messages, his reminders, or to book him an appointment. Each try is refused (answered as not
found) and Henri's history says so: « la procuration que vous lui aviez donnée a pris fin le … ».
Someone who never had any link to his record is refused in his history too, with their reason.
"""

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from carnet.access import grants, history, proxies
from carnet.access.labels import CATEGORIES
from carnet.access.models import AuditEntry
from carnet.access.services import Actor, NotFound
from carnet.accounts import services as accounts
from carnet.care import appointments, messaging
from carnet.care.models import AppointmentType
from carnet.chat import services as chat
from carnet.chat import triage
from carnet.reminders import services as reminders

from .helpers import citizen
from .people import practitioner_account

ENDED = "la procuration que vous lui aviez donnée a pris fin le {}"
NO_PROXY = "vous n’avez pas autorisé cette personne à agir pour vous"
NOT_THEIRS = "ce n'est pas son dossier"


def _day(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


@pytest.fixture
def henri():
    """Henri shares his record with his doctor; Sophie, his daughter, writes to the doctor for
    him and books his appointments; then he ends her proxy."""
    owner = citizen("henri@example.org")
    pid = accounts.patient_of(owner).pk
    doctor = practitioner_account(
        "dr.capitole@example.org", rpps="10000000071", display_name="Dr Capitole"
    )
    grants.share(Actor.of_user(owner), pid, doctor.pk, categories=CATEGORIES, duration="month")
    every_day = {d: [["08:00", "18:00"]] for d in range(7)}
    appointments.publish(Actor.of_user(doctor), every_day, [("Consultation", 20)])
    kind = AppointmentType.objects.get(practitioner_id=doctor.pk)
    sophie = citizen("sophie@example.org")
    proxy = proxies.add_proxy(
        Actor.of_user(owner),
        pid,
        sophie.pk,
        permissions=("read", "appointments", "messages"),
    )
    talk = messaging.start(Actor.of_user(sophie), pid, doctor.pk, "Sa tension", "Bonjour docteur")
    chat.join(Actor.of_user(doctor), "general")
    no_red_flag = {k: "no" for k in triage.KEYS}
    asked = chat.open_chat(Actor.of_user(sophie), pid, "general", no_red_flag)
    # While her proxy is live, what she opens is no refusal.
    messaging.for_person(Actor.of_user(sophie), pid)
    assert not AuditEntry.objects.filter(patient_id=pid, decision="deny").exists()
    proxies.revoke_proxy(Actor.of_user(owner), pid, proxy.pk)
    proxy.refresh_from_db()
    slots = appointments.free_slots(doctor.pk, kind.pk)
    slot = next(iter(slots.values()))[0]
    return {
        "owner": owner,
        "pid": pid,
        "doctor": doctor,
        "sophie": sophie,
        "ended": proxy.revoked_at,
        "talk": talk,
        "kind": kind,
        "slot": slot,
        "chat": asked,
    }


def _last_refusal(h) -> history.Entry:
    entry = history.page(Actor.of_user(h["owner"]), h["pid"], history.Filters()).entries[0]
    assert not entry.allowed
    return entry


def _sophie_refused(h) -> None:
    entry = _last_refusal(h)
    assert entry.actor_id == h["sophie"].pk
    assert entry.because == ENDED.format(_day(h["ended"]))


def test_her_message_to_his_doctor_after_the_proxy_ended_is_in_his_history(henri, client):
    with pytest.raises(NotFound):
        messaging.reply(Actor.of_user(henri["sophie"]), henri["talk"].pk, "Et ses résultats ?")
    _sophie_refused(henri)
    client.force_login(henri["owner"])
    page = client.get(reverse("coffre:history")).content.decode()
    assert ENDED.format(_day(henri["ended"])) in page


def test_her_new_conversation_after_the_proxy_ended_is_in_his_history(henri):
    with pytest.raises(NotFound):
        messaging.start(
            Actor.of_user(henri["sophie"]), henri["pid"], henri["doctor"].pk, "Encore", "Bonjour"
        )
    _sophie_refused(henri)


def test_her_opening_his_messages_after_the_proxy_ended_is_in_his_history(henri):
    with pytest.raises(NotFound):
        messaging.for_person(Actor.of_user(henri["sophie"]), henri["pid"])
    _sophie_refused(henri)
    with pytest.raises(NotFound):
        messaging.open_thread(Actor.of_user(henri["sophie"]), henri["talk"].pk)
    _sophie_refused(henri)
    # Opening was a read: the refused entry is « read messages », never « wrote messages ».
    last = AuditEntry.objects.filter(patient_id=henri["pid"]).order_by("-seq").first()
    assert (last.action, last.decision) == ("read_messages", "deny")


def test_her_opening_his_reminders_after_the_proxy_ended_is_in_his_history(henri):
    with pytest.raises(NotFound):
        reminders.overview(Actor.of_user(henri["sophie"]), henri["pid"])
    _sophie_refused(henri)


def test_her_booking_for_him_after_the_proxy_ended_is_in_his_history(henri):
    with pytest.raises(NotFound):
        appointments.book(
            Actor.of_user(henri["sophie"]),
            henri["pid"],
            henri["doctor"].pk,
            henri["kind"].pk,
            henri["slot"],
        )
    _sophie_refused(henri)
    assert not appointments.for_person(Actor.of_user(henri["owner"]), henri["pid"])


def test_a_citizen_who_never_had_a_proxy_is_refused_with_that_reason(henri):
    bob = citizen("bob@example.org")
    with pytest.raises(NotFound):
        messaging.reply(Actor.of_user(bob), henri["talk"].pk, "Bonjour")
    entry = _last_refusal(henri)
    assert entry.actor_id == bob.pk
    assert entry.because == NO_PROXY
    assert "pris fin" not in entry.because


def test_a_practitioner_acting_as_the_person_is_refused_with_that_reason(henri):
    other = practitioner_account(
        "dr.plain@example.org", rpps="10000000072", display_name="Dr Plain"
    )
    with pytest.raises(NotFound):
        appointments.book(
            Actor.of_user(other), henri["pid"], other.pk, henri["kind"].pk, henri["slot"]
        )
    entry = _last_refusal(henri)
    assert entry.actor_id == other.pk
    assert entry.because == NOT_THEIRS


def test_one_refusal_is_one_entry(henri):
    before = AuditEntry.objects.filter(patient_id=henri["pid"], decision="deny").count()
    with pytest.raises(NotFound):
        messaging.for_person(Actor.of_user(henri["sophie"]), henri["pid"])
    after = AuditEntry.objects.filter(patient_id=henri["pid"], decision="deny").count()
    assert after == before + 1


def test_her_emergency_chat_message_after_the_proxy_ended_is_in_his_history(henri):
    sophie = Actor.of_user(henri["sophie"])
    with pytest.raises(NotFound):
        chat.send(sophie, henri["chat"].pk, "Il a toujours mal")
    _sophie_refused(henri)
    # The chat's page polls every few seconds: that is not one new refusal each time.
    before = AuditEntry.objects.filter(patient_id=henri["pid"]).count()
    for _ in range(3):
        with pytest.raises(NotFound):
            chat.lines(sophie, henri["chat"].pk)
    assert AuditEntry.objects.filter(patient_id=henri["pid"]).count() == before
