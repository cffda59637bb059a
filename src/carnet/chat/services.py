"""The emergency chat: on-call desks, opening, taking, messages, closing with a transcript.

Deny by default: a chat is read and written only by its two participants, the person
who opened it (still allowed to act for the record) and the practitioner who took it
(until ``PRACTITIONER_AFTER_CLOSE`` after it closed); anyone else gets ``NotFound``.
One person asks for at most ``MAX_OPENED_PER_HOUR`` chats an hour (each one rings the
practitioners on call). A practitioner sees waiting chats only for the services
they are on call for, and nothing of them but the service and the waiting time.

Texts are encrypted with the person's data key, bound to the chat. The practitioner
sees the person's emergency information only when the person agreed: taking the chat
then opens an emergency access (``access.emergency``), so every read goes through the
policy with purpose ``emergency``, is flagged and shows in the person's access history;
closing the chat ends it. Closing keeps the transcript in the record as a
DocumentReference (``records.services.create``), so it shows in the timeline.

A new waiting chat is announced once to the practitioners on call for its service
(``call_on_call``: event ``chat_waiting``, in-app, Web Push or SMS as each chose, urgent,
with no detail), linking to the on-call desk.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carnet.access import emergency
from carnet.access import services as access
from carnet.access.services import Action, Actor, NotFound, Permit, Purpose
from carnet.accounts.models import Patient, User
from carnet.notify import services as notify
from carnet.records import services as records
from carnet.vault import sealed

from . import live, triage
from .models import Chat, ChatMessage, ChatStatus, OnCall

log = logging.getLogger("carnet.chat")

MAX_TEXT = 2000
# Each new chat rings every practitioner on call (urgent SMS, push): one person may ask
# for this many chats per hour, whatever records they act for. Beyond, the page gives the
# numbers to call (15, 112), which never wait.
MAX_OPENED_PER_HOUR = 3
# The practitioner who answered still sees a closed chat for a little while (its last
# lines, that it is closed), and no more: later reads would go unseen by the person.
PRACTITIONER_AFTER_CLOSE = timedelta(minutes=15)
SERVICES = {
    "general": gettext_lazy("General practice"),
    "paediatrics": gettext_lazy("Children's health (paediatrics)"),
    "mental_health": gettext_lazy("Mental health"),
}
TRANSCRIPT_TYPE = "https://carnet.sante.fr/fhir/CodeSystem/document-type"


class ChatRefused(ValueError):
    """A red flag, an unanswered question, an unknown service, an empty message."""


class TooManyChats(ChatRefused):
    """The person asked for ``MAX_OPENED_PER_HOUR`` chats in the last hour already."""


@dataclass
class Line:
    id: int
    mine: bool
    from_practitioner: bool
    author: str
    text: str
    created_at: datetime

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "mine": self.mine,
            "from_practitioner": self.from_practitioner,
            "author": self.author,
            "text": self.text,
            "time": timezone.localtime(self.created_at).strftime("%H:%M"),
        }


@dataclass
class Waiting:
    id: int
    service: str
    service_label: str
    created_at: datetime
    shares_dataset: bool


# --- on call ----------------------------------------------------------------------------------


def _practitioner(actor: Actor) -> None:
    if actor.role != "practitioner" or actor.user_id is None:
        raise NotFound()


def _service(key: str) -> str:
    if key not in SERVICES:
        raise ChatRefused("unknown service")
    return key


def on_call(actor: Actor) -> set[str]:
    """The services the practitioner is on call for now."""
    _practitioner(actor)
    return set(
        OnCall.objects.filter(practitioner_id=actor.user_id, ended_at__isnull=True).values_list(
            "service", flat=True
        )
    )


def join(actor: Actor, service: str) -> None:
    """The practitioner goes on call for a service (nothing changes if already on call)."""
    _practitioner(actor)
    service = _service(service)
    with transaction.atomic():
        if not OnCall.objects.filter(
            practitioner_id=actor.user_id, service=service, ended_at__isnull=True
        ).exists():
            OnCall.objects.create(
                practitioner_id=actor.user_id, service=service, started_at=timezone.now()
            )


def leave(actor: Actor, service: str) -> None:
    _practitioner(actor)
    OnCall.objects.filter(
        practitioner_id=actor.user_id, service=_service(service), ended_at__isnull=True
    ).update(ended_at=timezone.now())


def staffed() -> dict[str, int]:
    """How many practitioners are on call for each service now."""
    out = dict.fromkeys(SERVICES, 0)
    for service in OnCall.objects.filter(ended_at__isnull=True).values_list("service", flat=True):
        if service in out:
            out[service] += 1
    return out


def waiting(actor: Actor) -> list[Waiting]:
    """Chats waiting for the services the practitioner is on call for, oldest first."""
    services = on_call(actor)
    rows = Chat.objects.filter(status=ChatStatus.WAITING, service__in=services).order_by(
        "created_at"
    )
    return [
        Waiting(c.pk, c.service, str(SERVICES[c.service]), c.created_at, c.shares_dataset)
        for c in rows
    ]


def taken_by(actor: Actor) -> list[Chat]:
    """The practitioner's chats still open."""
    _practitioner(actor)
    return list(
        Chat.objects.filter(practitioner_id=actor.user_id, status=ChatStatus.OPEN).order_by(
            "taken_at"
        )
    )


# --- the person's side ------------------------------------------------------------------------


def _person_purpose(
    actor: Actor, patient_id: int, action: str = Action.MESSAGES, *, quiet: bool = False
) -> str:
    """Self or proxy; anyone else is refused, in the person's history (access.person_side)."""
    if actor.user_id is None:
        raise NotFound()
    return access.person_side(actor, patient_id, action, what="emergency chat", quiet=quiet)


def current_of(actor: Actor, patient_id: int) -> Chat | None:
    """The chat the person opened and is not closed yet, if any."""
    _person_purpose(actor, patient_id, Action.READ_MESSAGES)
    return (
        Chat.objects.filter(patient_id=patient_id, started_by_id=actor.user_id)
        .exclude(status=ChatStatus.CLOSED)
        .order_by("-created_at")
        .first()
    )


def past_of(actor: Actor, patient_id: int, limit: int = 10) -> list[Chat]:
    """The closed chats this person opened for this record, newest first (their own only)."""
    _person_purpose(actor, patient_id, Action.READ_MESSAGES)
    return list(
        Chat.objects.filter(
            patient_id=patient_id, started_by_id=actor.user_id, status=ChatStatus.CLOSED
        ).order_by("-created_at")[:limit]
    )


def open_chat(
    actor: Actor, patient_id: int, service: str, answers, *, shares_dataset: bool = False
) -> Chat:
    """The person (or a proxy allowed to write messages) asks for an on-call practitioner.

    The triage answers are checked again here: a red flag or an unanswered question
    refuses the chat (the page shows the numbers to call instead). A chat already
    waiting or open is returned rather than doubled.
    """
    outcome = triage.evaluate(answers)
    if not outcome.chat_allowed:
        raise ChatRefused("red flag or unanswered triage question")
    service = _service(service)
    purpose = _person_purpose(actor, patient_id)
    decision = access.require(
        actor, patient_id, Action.MESSAGES, purpose, audit_now=False, what="emergency chat"
    )
    with transaction.atomic():
        # Counted under a lock on the person's account row: two tabs cannot both pass.
        User.objects.select_for_update().filter(pk=actor.user_id).first()
        existing = current_of(actor, patient_id)
        if existing is not None:
            return existing
        now = timezone.now()
        recent = Chat.objects.filter(
            started_by_id=actor.user_id, created_at__gte=now - timedelta(hours=1)
        ).count()
        if recent >= MAX_OPENED_PER_HOUR:
            raise TooManyChats("too many chats asked for in the last hour")
        chat = Chat.objects.create(
            patient_id=patient_id,
            started_by_id=actor.user_id,
            service=service,
            shares_dataset=bool(shares_dataset),
            created_at=now,
        )
        what = "asked for the emergency chat"
        if shares_dataset:
            what += " and agreed to show the emergency information"
        access.record(actor, patient_id, Action.MESSAGES, purpose, decision, what=what)
    call_on_call(chat)
    return chat


WAITING_EVENT = "chat_waiting"
# Someone waits now: only the channels that reach a practitioner at once (an email would
# be read after the chat is over). Each practitioner's own choice among them applies.
WAITING_CHANNELS = ("in_app", "push", "sms")


def on_call_for(service: str) -> list[int]:
    """The practitioners on call for ``service`` now."""
    return sorted(
        set(
            OnCall.objects.filter(service=service, ended_at__isnull=True).values_list(
                "practitioner_id", flat=True
            )
        )
    )


def call_on_call(chat: Chat) -> int:
    """Tell the practitioners on call for the chat's service that someone waits.

    Once per chat (the key names it: opening again, polling or a second worker add
    nothing), urgent (no quiet hours, no digest), and with nothing but "someone waits":
    neither the service, which can say too much (mental health), nor who. A failure to
    tell is logged and never stops the chat: the desk lists the chat anyway.
    """
    sent = 0
    for practitioner_id in on_call_for(chat.service):
        try:
            sent += bool(
                notify.notify_user(
                    practitioner_id,
                    WAITING_EVENT,
                    urgent=True,
                    key=f"chat-waiting:{chat.pk}",
                    channels=WAITING_CHANNELS,
                )
            )
        except Exception:
            log.exception("telling practitioner %s of chat %s failed", practitioner_id, chat.pk)
    return sent


# --- both sides -------------------------------------------------------------------------------


ASKED_FOR_HELP = "the person asked for help in the emergency chat"


def side(actor: Actor, chat_id: int) -> tuple[Chat, bool]:
    """(chat, is the practitioner) for one of its two participants; NotFound for anyone else."""
    chat, is_pro, _permit = _side(actor, chat_id, quiet=True)
    return chat, is_pro


def _side(actor: Actor, chat_id: int, *, quiet: bool = False) -> tuple[Chat, bool, Permit]:
    """``side``, with the permit that opens the chat's messages for the participant. A
    refused act (send, close) is in the person's history; ``quiet``: the chat's page and
    its polling (every few seconds) are refused without an entry each time."""
    chat = Chat.objects.filter(pk=chat_id).first()
    if chat is None or actor.user_id is None:
        raise NotFound()
    if actor.role == "practitioner" and chat.practitioner_id == actor.user_id:
        if (
            chat.status == ChatStatus.CLOSED
            and chat.closed_at is not None
            and timezone.now() - chat.closed_at > PRACTITIONER_AFTER_CLOSE
        ):
            # Reading the chat was the person asking for help; the transcript is theirs now.
            raise NotFound()
        return chat, True, access.participant(actor, chat.patient_id, ASKED_FOR_HELP)
    if chat.started_by_id == actor.user_id and actor.role != "practitioner":
        # Still the person, or still their proxy allowed to write messages: a revoked
        # proxy, or one no longer allowed to write for the person, loses the chat at once.
        purpose = _person_purpose(actor, chat.patient_id, quiet=quiet)
        permit = access.decide(actor, chat.patient_id, Action.MESSAGES, purpose)
        if not permit.permit:
            raise NotFound()
        return chat, False, permit
    raise NotFound()


def _aad(chat: Chat) -> str:
    return f"chat.message.{chat.pk}"


def send(actor: Actor, chat_id: int, text: str) -> ChatMessage:
    """Add a message (either participant) while the chat is not closed."""
    chat, is_pro, permit = _side(actor, chat_id)
    text = (text or "").strip()[:MAX_TEXT]
    if not text:
        raise ChatRefused("empty message")
    if chat.status == ChatStatus.CLOSED:
        raise ChatRefused("the chat is closed")
    if is_pro and chat.status != ChatStatus.OPEN:
        raise NotFound()
    with transaction.atomic():
        line = ChatMessage.objects.create(
            patient_id=chat.patient_id,
            chat=chat,
            author_id=actor.user_id,
            from_practitioner=is_pro,
            body=b"",
            created_at=timezone.now(),
        )
        line.body = sealed.seal(permit, {"text": text}, _aad(chat))
        line.save(update_fields=["body"])
    live.changed(chat.pk)
    return line


def _names(chat: Chat) -> dict[int, str]:
    ids = {chat.started_by_id, chat.practitioner_id} - {None}
    return {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}


def _lines(permit: Permit, chat: Chat, viewer_id: int | None, after: int = 0) -> list[Line]:
    names = _names(chat)
    rows = ChatMessage.objects.filter(chat=chat, id__gt=max(0, int(after))).order_by("id")
    return [
        Line(
            id=r.pk,
            mine=r.author_id == viewer_id,
            from_practitioner=r.from_practitioner,
            author=names.get(r.author_id, ""),
            text=sealed.unseal_json(permit, r.body, _aad(chat))["text"],
            created_at=r.created_at,
        )
        for r in rows
    ]


def lines(actor: Actor, chat_id: int, after: int = 0) -> tuple[Chat, list[Line]]:
    """The chat and its messages after the id ``after``, for one of its participants."""
    chat, _is_pro, permit = _side(actor, chat_id, quiet=True)  # polled every few seconds
    return chat, _lines(permit, chat, actor.user_id, after)


def practitioner_name(chat: Chat) -> str:
    return _names(chat).get(chat.practitioner_id, "") if chat.practitioner_id else ""


# --- the practitioner takes, either side closes ----------------------------------------------


def take(actor: Actor, chat_id: int) -> Chat:
    """A practitioner on call for the chat's service takes a waiting chat (first come).

    When the person agreed, an emergency access opens for the practitioner (flagged and
    shown in the person's history; refused if the person refused emergency access in
    advance, and the chat goes on without it).
    """
    services = on_call(actor)
    now = timezone.now()
    with transaction.atomic():
        taken = Chat.objects.filter(
            pk=chat_id, status=ChatStatus.WAITING, service__in=services
        ).update(status=ChatStatus.OPEN, practitioner_id=actor.user_id, taken_at=now)
        if not taken:
            raise NotFound()
        chat = Chat.objects.get(pk=chat_id)
        # The person asked for this practitioner's help: the answer is in their history.
        access.record(
            actor,
            chat.patient_id,
            Action.MESSAGES,
            Purpose.EMERGENCY,
            access.participant(actor, chat.patient_id, ASKED_FOR_HELP),
            what=f"answered the emergency chat ({chat.service})",
        )
    if chat.shares_dataset:
        try:
            emergency.break_glass(
                actor,
                chat.patient_id,
                "Emergency chat: the person agreed to show their emergency information",
            )
        except NotFound:
            log.info("emergency chat %s: emergency access refused in advance", chat.pk)
    live.changed(chat.pk)
    return chat


def dataset(actor: Actor, chat_id: int) -> list[dict]:
    """The person's record as the emergency policy shows it, for the chat's practitioner.

    NotFound unless the chat is open, the person agreed, and the emergency access runs.
    """
    chat, is_pro = side(actor, chat_id)
    if not is_pro or chat.status != ChatStatus.OPEN or not chat.shares_dataset:
        raise NotFound()
    return records.everything(actor, chat.patient_id, Purpose.EMERGENCY)


def close(actor: Actor, chat_id: int) -> Chat:
    """Either participant closes the chat; the transcript goes into the person's record."""
    chat, is_pro, permit = _side(actor, chat_id)
    now = timezone.now()
    closed = (
        Chat.objects.filter(pk=chat.pk)
        .exclude(status=ChatStatus.CLOSED)
        .update(status=ChatStatus.CLOSED, closed_at=now, closed_by_id=actor.user_id)
    )
    chat.refresh_from_db()
    if not closed:
        return chat
    if chat.practitioner_id and chat.shares_dataset:
        emergency.end(
            Actor(user_id=chat.practitioner_id, role="practitioner", label=""), chat.patient_id
        )
    lines_ = _lines(permit, chat, None)
    if lines_:
        chat.transcript_id = keep_transcript(chat, lines_)
        chat.save(update_fields=["transcript_id"])
    live.changed(chat.pk)
    return chat


def _owner_actor(patient_id: int) -> tuple[Actor, str] | None:
    """The person's own chat service, writing into their record for them, as themself."""
    p = Patient.objects.filter(pk=patient_id).select_related("owner").first()
    if p is None or p.owner is None:
        return None
    actor = Actor(user_id=p.owner.pk, role=p.owner.role, label="Carnet emergency chat")
    return actor, getattr(p.owner, "language", "") or "fr"


def transcript_text(chat: Chat, lines_: list[Line]) -> str:
    out = []
    for line in lines_:
        when = timezone.localtime(line.created_at).strftime("%Y-%m-%d %H:%M")
        out.append(f"[{when}] {line.author}: {line.text}")
    return "\n".join(out) + "\n"


def keep_transcript(chat: Chat, lines_: list[Line]) -> str:
    """Write the transcript as a DocumentReference in the person's record; returns its id."""
    found = _owner_actor(chat.patient_id)
    if found is None:
        return ""
    owner, language = found
    with translation.override(language):
        title = _("Emergency chat transcript")
        service = str(SERVICES.get(chat.service, chat.service))
        who = practitioner_name(chat)
        description = f"{title} — {service}" + (f" — {who}" if who else "")
    resource = {
        "resourceType": "DocumentReference",
        "status": "current",
        # No display text on the type: the timeline then titles the item with the
        # description, which says which service and who answered.
        "type": {"coding": [{"system": TRANSCRIPT_TYPE, "code": "emergency-chat"}]},
        "description": description,
        "date": (chat.closed_at or timezone.now()).isoformat(),
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "title": title,
                    "data": base64.b64encode(transcript_text(chat, lines_).encode()).decode(),
                    "creation": chat.created_at.isoformat(),
                }
            }
        ],
    }
    if who:
        resource["author"] = [{"display": who}]
    created = records.create(owner, chat.patient_id, resource, Purpose.SELF)
    return created["id"]
