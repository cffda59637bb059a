"""The demo's stories: what the demo people have already done, so that a visitor can play them.

Accounts and records alone leave every page empty: nobody has named a médecin traitant,
Sophie cannot act for her father, practitioners have no patients, no hours, no messages.
Here each person does, once, what the workshop's personas would have done, through the
same services the pages use and with the person as actor, so that the access history,
its hash chain and the notifications are exactly those of a real use:

- every citizen names Dr Claire Garonne as médecin traitant, and shares part of their
  record for a year with the specialist who follows them;
- Henri Marty gives his daughter Sophie a proxy (read, appointments, messages);
- the practitioners publish their opening hours; Sophie books her father's next
  appointment with Dr Garonne for next week, Karim books his own;
- Sophie writes to Dr Garonne about her father; the doctor answers; Sophie's thank-you
  waits unread in the doctor's workspace;
- Karim asks Dr Garonne to renew his metformin (waiting in her renewals);
- Karim's diabetes follow-up and Léa's pregnancy follow-up are started (the pregnancy
  from the first day of her last period), so their steps show in the reminders;
- Dr Garonne is on call for general practice, so the urgent chat can be tried.

Idempotent, step by step: a step already done once is never done again, even if a visitor
has undone it since (revoked the proxy, cancelled the appointment, answered the renewal):
running ``carnet demo`` again changes nothing. A step whose people are missing (an account
that is not a demo citizen with a record) is skipped.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from carnet.access import grants, proxies
from carnet.access import services as access
from carnet.access.services import Action, Actor, Purpose
from carnet.accounts.models import User
from carnet.accounts.services import patient_of
from carnet.care import appointments, messaging, renewals
from carnet.care.models import AnswerHabit, Appointment, Conversation, Renewal, Schedule
from carnet.chat import services as chat
from carnet.chat.models import OnCall
from carnet.reminders import services as reminders

from . import dossiers, personas

YEAR = "year"
WEEKDAYS = (0, 1, 2, 3, 4)

# What each citizen shares with the specialist who follows them (for a year, read only,
# nothing sensitive): the médecin traitant sees everything anyway.
SHARES = {
    "father": [("cardiologist", ["problems", "treatments", "results", "measurements"])],
    "pregnant": [
        ("midwife", ["problems", "consultations", "results", "treatments", "vaccines"]),
    ],
    "runner": [("physio", ["problems", "consultations", "measurements", "documents"])],
    "diabetic": [
        ("endocrinologist", ["problems", "treatments", "results", "measurements"]),
        ("ophthalmologist", ["problems", "results", "consultations"]),
    ],
}

# Opening hours (weekday → ranges) and appointment types (label, minutes) of each
# practitioner: their own words, shown as they wrote them.
HOURS = {
    "gp": (
        {
            **{d: [["08:30", "12:00"], ["14:00", "18:30"]] for d in WEEKDAYS},
            5: [["09:00", "12:00"]],
        },
        [("Consultation", 20), ("Consultation longue (bilan, personne âgée)", 40)],
    ),
    "cardiologist": (
        {d: [["09:00", "12:30"], ["14:00", "17:00"]] for d in (0, 2, 3)},
        [("Consultation de cardiologie", 30), ("Consultation avec électrocardiogramme", 45)],
    ),
    "midwife": (
        {d: [["09:00", "13:00"], ["14:00", "18:00"]] for d in WEEKDAYS},
        [("Consultation prénatale", 30), ("Entretien prénatal précoce", 60)],
    ),
    "physio": (
        {d: [["08:00", "12:00"], ["15:00", "19:30"]] for d in WEEKDAYS},
        [("Séance de rééducation", 30)],
    ),
    "endocrinologist": (
        {d: [["09:00", "12:00"], ["13:30", "17:30"]] for d in (1, 3, 4)},
        [("Consultation de diabétologie", 30), ("Première consultation", 45)],
    ),
    "ophthalmologist": (
        {d: [["09:00", "12:30"], ["14:00", "18:00"]] for d in (0, 1, 3, 4)},
        [("Fond d'œil", 20), ("Consultation d'ophtalmologie", 30)],
    ),
}

CONVERSATION = (
    "Vertiges de mon père le matin",
    "Bonjour Docteur, mon père a des vertiges en se levant depuis quelques matins. Hier "
    "soir, son tensiomètre indiquait 10/6. Faut-il faire quelque chose avant son "
    "rendez-vous de la semaine prochaine ? Sophie Esquirol, sa fille",
    "Bonjour Madame, merci de me prévenir. Qu'il se lève doucement, en restant assis "
    "une minute au bord du lit, et qu'il boive suffisamment. Notez sa tension le matin "
    "et le soir jusqu'au rendez-vous et apportez les chiffres. S'il fait un malaise ou "
    "s'il tombe, appelez le 15.",
    "Merci Docteur, c'est noté. Je vous apporterai le relevé de ses tensions au rendez-vous.",
)


class _Cast:
    """The demo people as they are in the database (None for a missing one)."""

    def __init__(self):
        emails = {a.email: a.key for a in personas.ACCOUNTS}
        self.users = {
            emails[u.email]: u for u in User.objects.filter(email__in=emails, is_active=True)
        }
        self._patients: dict[str, int | None] = {}

    def user(self, key: str, role: str) -> User | None:
        u = self.users.get(key)
        return u if u is not None and u.role == role else None

    def citizen(self, key: str) -> tuple[User, int] | None:
        """(account, record id) of a demo citizen who has their record, else None."""
        u = self.user(key, "citizen")
        if u is None:
            return None
        if key not in self._patients:
            p = patient_of(u)
            self._patients[key] = p.pk if p is not None else None
        pid = self._patients[key]
        return (u, pid) if pid is not None else None

    def pro(self, key: str) -> User | None:
        return self.user(key, "practitioner")


def load() -> list[str]:
    """Play every story step not played yet; returns the steps played, in order."""
    cast = _Cast()
    done: list[str] = []
    with transaction.atomic():
        _referents(cast, done)
        _shares(cast, done)
        _proxy(cast, done)
        _hours(cast, done)
        _appointments(cast, done)
        _conversation(cast, done)
        _renewal(cast, done)
        _programmes(cast, done)
        _on_call(cast, done)
    return done


def _referents(cast: _Cast, done: list[str]) -> None:
    gp = cast.pro("gp")
    if gp is None:
        return
    for account in personas.CITIZENS:
        person = cast.citizen(account.key)
        if person is None:
            continue
        user, pid = person
        if grants.ever_granted(pid, kind="referent"):
            continue  # named once (perhaps changed since by the person): left as it is
        grants.set_referent(Actor.of_user(user), pid, gp.pk)
        done.append(f"{account.display_name} names {gp.display_name} médecin traitant")


def _shares(cast: _Cast, done: list[str]) -> None:
    for key, shares in SHARES.items():
        person = cast.citizen(key)
        if person is None:
            continue
        user, pid = person
        for pro_key, categories in shares:
            pro = cast.pro(pro_key)
            if pro is None or grants.ever_granted(pid, grantee_id=pro.pk):
                continue
            grants.share(Actor.of_user(user), pid, pro.pk, categories=categories, duration=YEAR)
            done.append(f"{user.display_name} shares with {pro.display_name} for a year")


def _proxy(cast: _Cast, done: list[str]) -> None:
    father, daughter = cast.citizen("father"), cast.user("daughter", "citizen")
    if father is None or daughter is None:
        return
    user, pid = father
    if proxies.ever_held(pid, daughter.pk):
        return
    proxies.add_proxy(
        Actor.of_user(user),
        pid,
        daughter.pk,
        permissions=("read", "appointments", "messages"),
        basis="choice",
    )
    done.append(f"{user.display_name} gives {daughter.display_name} a proxy")


def _hours(cast: _Cast, done: list[str]) -> None:
    for key, (hours, types) in HOURS.items():
        pro = cast.pro(key)
        if pro is None or Schedule.objects.filter(practitioner_id=pro.pk).exists():
            continue
        appointments.publish(Actor.of_user(pro), hours, types)
        done.append(f"{pro.display_name} publishes opening hours")
    gp = cast.pro("gp")
    if gp is not None and not AnswerHabit.objects.filter(practitioner_id=gp.pk).exists():
        messaging.set_habit(
            Actor.of_user(gp),
            answers_when="Le soir en semaine, après les consultations",
            within_days=2,
        )
        done.append(f"{gp.display_name} says when she answers messages")


def _slot(pro: User, on_or_after: dt.date, at: str) -> tuple[int, dt.datetime] | None:
    """(type id, start) of the first free slot from ``on_or_after``, preferably at ``at``."""
    _schedule, types = appointments.schedule_of(pro.pk)
    if not types:
        return None
    kind = types[0]
    free = appointments.free_slots(pro.pk, kind.pk, days=appointments.HORIZON_DAYS)
    for day in sorted(d for d in free if d >= on_or_after):
        slots = free[day]
        wanted = [s for s in slots if timezone.localtime(s).strftime("%H:%M") >= at]
        return kind.pk, (wanted or slots)[0]
    return None


def _book(cast, done, booker_key: str, patient_key: str, on_or_after: dt.date, at: str):
    gp, person = cast.pro("gp"), cast.citizen(patient_key)
    booker = cast.user(booker_key, "citizen")
    if gp is None or person is None or booker is None:
        return
    _user, pid = person
    if Appointment.objects.filter(patient_id=pid, practitioner_id=gp.pk).exists():
        return
    slot = _slot(gp, on_or_after, at)
    if slot is None:
        return
    appointments.book(Actor.of_user(booker), pid, gp.pk, *slot)
    done.append(f"{booker.display_name} books an appointment with {gp.display_name}")


def _appointments(cast: _Cast, done: list[str]) -> None:
    today = timezone.localdate()
    next_monday = today + dt.timedelta(days=7 - today.weekday())
    # Sophie books for her father (as his proxy) next Tuesday morning.
    _book(cast, done, "daughter", "father", next_monday + dt.timedelta(days=1), "10:00")
    # Karim books for himself, in two days, after work.
    _book(cast, done, "diabetic", "diabetic", today + dt.timedelta(days=2), "17:00")


def _conversation(cast: _Cast, done: list[str]) -> None:
    gp, father = cast.pro("gp"), cast.citizen("father")
    daughter = cast.user("daughter", "citizen")
    if gp is None or father is None or daughter is None:
        return
    _user, pid = father
    if Conversation.objects.filter(patient_id=pid, practitioner_id=gp.pk).exists():
        return
    subject, question, answer, thanks = CONVERSATION
    sophie, doctor = Actor.of_user(daughter), Actor.of_user(gp)
    conv = messaging.start(sophie, pid, gp.pk, subject, question)
    messaging.open_thread(doctor, conv.pk)  # the doctor reads the question…
    messaging.reply(doctor, conv.pk, answer)  # …and answers
    messaging.open_thread(sophie, conv.pk)
    messaging.reply(sophie, conv.pk, thanks)  # left unread: it waits in the workspace
    done.append(f"{daughter.display_name} writes to {gp.display_name} about her father")


def _renewal(cast: _Cast, done: list[str]) -> None:
    gp, karim = cast.pro("gp"), cast.citizen("diabetic")
    if gp is None or karim is None:
        return
    user, pid = karim
    if Renewal.objects.filter(patient_id=pid).exists():
        return
    me = Actor.of_user(user)
    metformin = next(
        (t for t in renewals.current_treatments(me, pid) if "metformine" in t.title.lower()),
        None,
    )
    if metformin is None:
        return
    renewals.ask(me, pid, metformin.resource_type, metformin.id, gp.pk)
    done.append(f"{user.display_name} asks {gp.display_name} to renew his metformin")


def _programmes(cast: _Cast, done: list[str]) -> None:
    today = timezone.localdate()
    starts = {
        # Karim joined his diabetes follow-up six months ago; Léa's pregnancy counts from
        # the first day of her last period, as her record gives it.
        "diabetic": ("diabetes-t2", today - dt.timedelta(days=182)),
        "pregnant": ("pregnancy", today - dt.timedelta(days=dossiers.PREGNANCY_DAYS)),
    }
    for key, (programme, start) in starts.items():
        person = cast.citizen(key)
        if person is None:
            continue
        user, pid = person
        own = access.decide(Actor.of_user(user), pid, Action.READ, Purpose.SELF)
        if programme in reminders.enrolments(own):
            continue
        reminders.start_programme(Actor.of_user(user), pid, programme, start)
        done.append(f"{user.display_name} starts the {programme} follow-up")


def _on_call(cast: _Cast, done: list[str]) -> None:
    gp = cast.pro("gp")
    if gp is None or OnCall.objects.filter(practitioner_id=gp.pk).exists():
        return
    chat.join(Actor.of_user(gp), "general")
    done.append(f"{gp.display_name} is on call for general practice")
