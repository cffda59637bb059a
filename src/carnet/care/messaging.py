"""Secure messaging between a person (or their proxy) and their practitioners, and
between the practitioners of a person's care team about that person.

The person can start a conversation with a practitioner their sharing names; the
practitioner answers while access lets them read the record. Every text is encrypted with
the patient's key under the reader's permit (``vault.sealed``); attachments are references to items of
the record, opened by each reader through ``records`` (so access decides and audits what
each side may see). Reading a conversation is audited; ``read_at`` is the read receipt.
Practitioners say when they answer and how quickly, so that expectations are clear.

A ``team`` conversation is between two members of the person's care team
(``team.members``: a live grant, read permitted for care); each message and each
reading is written to the person's access history ("wrote messages … with Dr X"), never
what was said; the person does not read it, and a member whose access ends loses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from carnet.access import services as access
from carnet.access.services import Action, Actor, NotFound, Permit, Purpose
from carnet.accounts import services as accounts
from carnet.accounts.models import User
from carnet.notify import services as notify
from carnet.records import current as records_current
from carnet.records import services as records
from carnet.records import words
from carnet.vault import sealed

from . import team
from .models import AnswerHabit, Conversation, ConversationKind, ConversationMessage

MAX_TEXT = 5000
MAX_SUBJECT = 150
MAX_ATTACHMENTS = 5
ATTACHABLE = ("DocumentReference", "DiagnosticReport", "MedicationStatement", "MedicationRequest")


class MessageRefused(ValueError):
    """Empty text, unknown practitioner, an attachment not in the record."""


@dataclass(frozen=True)
class Habit:
    answers_when: str
    within_days: int
    accepts_messages: bool = True


@dataclass(frozen=True)
class Counterpart:
    user_id: int
    name: str
    profession: str
    habit: Habit


@dataclass
class Attachment:
    ref: str
    title: str
    visible: bool


@dataclass
class Line:
    id: int
    mine: bool
    author: str
    text: str
    created_at: datetime
    read_at: datetime | None
    attachments: list[Attachment] = field(default_factory=list)


@dataclass
class Thread:
    id: int
    patient_id: int
    practitioner_id: int
    practitioner: str
    subject: str
    last_message_at: datetime
    unread: int = 0
    lines: list[Line] = field(default_factory=list)
    habit: Habit | None = None
    kind: str = ConversationKind.PATIENT
    colleague: str = ""  # team: the other practitioner, as the reader sees it
    patient: str = ""  # team: whom the conversation is about


DEFAULT_HABIT = Habit(answers_when="", within_days=2)


def habit_of(practitioner_id: int) -> Habit:
    h = AnswerHabit.objects.filter(practitioner_id=practitioner_id).first()
    if h is None:
        return DEFAULT_HABIT
    return Habit(h.answers_when, h.within_days, h.accepts_messages)


def set_habit(actor: Actor, *, answers_when: str, within_days: int, accepts: bool = True) -> Habit:
    """A practitioner says when they answer messages and within how many days."""
    if actor.role != "practitioner" or actor.user_id is None:
        raise NotFound()
    answers_when = " ".join((answers_when or "").split())[:200]
    if not 0 <= int(within_days) <= 30:
        raise MessageRefused("within_days between 0 and 30")
    AnswerHabit.objects.update_or_create(
        practitioner_id=actor.user_id,
        defaults={
            "answers_when": answers_when,
            "within_days": int(within_days),
            "accepts_messages": bool(accepts),
            "updated_at": timezone.now(),
        },
    )
    return habit_of(actor.user_id)


# --- sides ------------------------------------------------------------------------------------


def _person_purpose(
    actor: Actor, patient_id: int, action: str = Action.MESSAGES, what: str = "messages"
) -> str:
    """Self or proxy; anyone else is refused, in the person's history (access.person_side)."""
    return access.person_side(actor, patient_id, action, what=what)


def counterparts(actor: Actor, patient_id: int) -> list[Counterpart]:
    """The practitioners the person may write to: those their sharing names, live."""
    purpose = _person_purpose(actor, patient_id)
    if not access.decide(actor, patient_id, Action.MESSAGES, purpose).permit:
        return []
    # The care team, whoever manages sharing: a proxy allowed to write messages writes
    # to the person's doctors without seeing the sharing settings.
    ids = {m.user_id for m in team.members(patient_id)}
    ids |= set(
        Conversation.objects.filter(
            patient_id=patient_id, kind=ConversationKind.PATIENT
        ).values_list("practitioner_id", flat=True)
    )
    users = User.objects.filter(pk__in=ids, role="practitioner", is_active=True).order_by(
        "display_name", "pk"
    )
    out = []
    for u in users:
        habit = habit_of(u.pk)
        if habit.accepts_messages:
            out.append(Counterpart(u.pk, str(u), u.profession, habit))
    return out


def attachable(actor: Actor, patient_id: int) -> list[records_current.Item]:
    """Items of the record the person may attach: documents and current treatments."""
    purpose = _person_purpose(actor, patient_id)
    out = []
    try:
        page = records.search(actor, patient_id, "DocumentReference", purpose, count=50)
        summary = records_current.summary(actor, patient_id, purpose)
    except NotFound:
        return []  # a proxy who may write messages but not read the record attaches nothing
    for r in page.resources:
        out.append(records_current.Item(r["resourceType"], r["id"], words.title(r)))
    out += [t for t in summary.treatments if t.resource_type in ATTACHABLE]
    return out


SUBJECT = "care.conversation.subject"


def _context(conv: Conversation) -> str:
    # The context names the conversation: a text cannot be moved to another thread.
    return f"care.message.{conv.pk}"


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise MessageRefused("empty message")
    return text[:MAX_TEXT]


def _check_attachments(patient_id: int, refs) -> list[str]:
    refs = list(dict.fromkeys(refs or []))
    if len(refs) > MAX_ATTACHMENTS:
        raise MessageRefused("too many attachments")
    for ref in refs:
        rtype, _, rid = str(ref).partition("/")
        if rtype not in ATTACHABLE or records.owner_patient_of(rtype, rid) != patient_id:
            raise MessageRefused("attachment not in this record")
    return refs


def start(
    actor: Actor,
    patient_id: int,
    practitioner_id: int,
    subject: str,
    text: str,
    attachments=(),
) -> Conversation:
    """The person (or a proxy allowed to write messages) starts a conversation."""
    purpose = _person_purpose(actor, patient_id)
    text = _clean_text(text)
    subject = " ".join((subject or "").split())[:MAX_SUBJECT]
    if not subject:
        raise MessageRefused("empty subject")
    if not any(c.user_id == practitioner_id for c in counterparts(actor, patient_id)):
        raise MessageRefused("not one of the person's practitioners")
    refs = _check_attachments(patient_id, attachments)
    for ref in refs:  # the person must be able to read what they attach
        records.read(actor, *ref.split("/", 1), purpose)
    decision = access.require(
        actor, patient_id, Action.MESSAGES, purpose, audit_now=False, what="conversation"
    )
    now = timezone.now()
    with transaction.atomic():
        conv = Conversation.objects.create(
            patient_id=patient_id,
            practitioner_id=practitioner_id,
            started_by_id=actor.user_id,
            subject=sealed.seal(decision, subject, SUBJECT),
            created_at=now,
            last_message_at=now,
        )
        _add_line(decision, conv, actor, text, refs, from_practitioner=False, now=now)
        access.record(
            actor, patient_id, Action.MESSAGES, purpose, decision, what="started a conversation"
        )
        notify.notify_user(practitioner_id, "new_message", key=f"conv-{conv.pk}-start")
    return conv


def _add_line(permit, conv, actor, text, refs, *, from_practitioner, now) -> ConversationMessage:
    line = ConversationMessage.objects.create(
        patient_id=conv.patient_id,
        conversation=conv,
        author_id=actor.user_id,
        from_practitioner=from_practitioner,
        body=b"",
        created_at=now,
    )
    line.body = sealed.seal(permit, {"text": text, "attachments": refs}, _context(conv))
    line.save(update_fields=["body"])
    Conversation.objects.filter(pk=conv.pk).update(last_message_at=now)
    return line


def _side(actor: Actor, conversation_id: int, *, reading: bool) -> tuple[Conversation, str, bool]:
    """(conversation, purpose, is practitioner) or NotFound for anyone else (a citizen who is
    no longer the person's proxy is refused in the person's history)."""
    conv = Conversation.objects.filter(pk=conversation_id).first()
    if conv is None or actor.user_id is None:
        raise NotFound()
    if conv.kind == ConversationKind.TEAM:
        # Only its two practitioners, and only while both… the reader is in the care team.
        if actor.role != "practitioner" or actor.user_id not in (
            conv.practitioner_id,
            conv.colleague_id,
        ):
            raise NotFound()
        return conv, Purpose.TREATMENT, True
    if actor.role == "practitioner":
        if conv.practitioner_id != actor.user_id:
            raise NotFound()
        return conv, access.purpose_for(actor, conv.patient_id), True
    action = _action(False, reading=reading)
    purpose = _person_purpose(actor, conv.patient_id, action, "conversation")
    return conv, purpose, False


def _action(is_pro: bool, *, reading: bool) -> str:
    # The policy lets practitioners read (with a live grant) and proxies write messages
    # only with that permission; reading and answering a thread are audited under those.
    if is_pro:
        return Action.READ
    return Action.READ_MESSAGES if reading else Action.MESSAGES


def _other_side(conv: Conversation, actor: Actor) -> int | None:
    """Team: the practitioner who is not ``actor``."""
    if conv.practitioner_id == actor.user_id:
        return conv.colleague_id
    return conv.practitioner_id


def _team_decision(actor: Actor, patient_id: int, what: str):
    """Permit a care-team member to read the record for care (a deny is audited, NotFound)."""
    if not team.is_member(actor.user_id, patient_id):
        access.require(actor, patient_id, Action.READ, Purpose.TREATMENT, what=what)
        raise NotFound()  # a live grant, but not read for care: not in the team either
    return access.require(
        actor, patient_id, Action.READ, Purpose.TREATMENT, audit_now=False, what=what
    )


def team_colleagues(actor: Actor, patient_id: int) -> list[team.Member]:
    """The other members of the person's care team, whom ``actor`` (a member) may write to."""
    if actor.role != "practitioner" or not team.is_member(actor.user_id, patient_id):
        raise NotFound()
    return [m for m in team.members(patient_id) if m.user_id != actor.user_id]


def start_team(
    actor: Actor, patient_id: int, colleague_id: int, subject: str, text: str
) -> Conversation:
    """A care-team member starts a conversation about the person with another member.

    The person's access history gets an entry naming both practitioners and when,
    without the subject or the text.
    """
    if actor.role != "practitioner" or actor.user_id is None:
        raise NotFound()
    text = _clean_text(text)
    subject = " ".join((subject or "").split())[:MAX_SUBJECT]
    if not subject:
        raise MessageRefused("empty subject")
    decision = _team_decision(actor, patient_id, "conversation with the care team")
    names = _names([colleague_id])
    if colleague_id == actor.user_id or not team.is_member(colleague_id, patient_id):
        raise MessageRefused("not a member of the person's care team")
    now = timezone.now()
    with transaction.atomic():
        conv = Conversation.objects.create(
            patient_id=patient_id,
            practitioner_id=actor.user_id,
            kind=ConversationKind.TEAM,
            colleague_id=colleague_id,
            started_by_id=actor.user_id,
            subject=sealed.seal(decision, subject, SUBJECT),
            created_at=now,
            last_message_at=now,
        )
        _add_line(decision, conv, actor, text, [], from_practitioner=True, now=now)
        access.record(
            actor,
            patient_id,
            Action.MESSAGES,
            Purpose.TREATMENT,
            decision,
            what=f"wrote to {names.get(colleague_id, '')} about you (care team)",
        )
        notify.notify_user(colleague_id, "new_message", key=f"conv-{conv.pk}-start")
    return conv


def reply(actor: Actor, conversation_id: int, text: str, attachments=()) -> ConversationMessage:
    """Add a message to a conversation (either side); access decides and audits it."""
    conv, purpose, is_pro = _side(actor, conversation_id, reading=False)
    text = _clean_text(text)
    if conv.kind == ConversationKind.TEAM:
        return _team_reply(actor, conv, text)
    refs = [] if is_pro else _check_attachments(conv.patient_id, attachments)
    for ref in refs:
        records.read(actor, *ref.split("/", 1), purpose)
    decision = access.require(
        actor,
        conv.patient_id,
        _action(is_pro, reading=False),
        purpose,
        audit_now=False,
        what="message",
    )
    now = timezone.now()
    with transaction.atomic():
        line = _add_line(decision, conv, actor, text, refs, from_practitioner=is_pro, now=now)
        access.record(
            actor,
            conv.patient_id,
            _action(is_pro, reading=False),
            purpose,
            decision,
            what="wrote a message",
        )
        if is_pro:
            notify.notify_patient(conv.patient_id, "new_message", key=f"conv-line-{line.pk}")
        else:
            notify.notify_user(conv.practitioner_id, "new_message", key=f"conv-line-{line.pk}")
    return line


def _team_reply(actor: Actor, conv: Conversation, text: str) -> ConversationMessage:
    decision = _team_decision(actor, conv.patient_id, "message to the care team")
    other = _other_side(conv, actor)
    now = timezone.now()
    with transaction.atomic():
        line = _add_line(decision, conv, actor, text, [], from_practitioner=True, now=now)
        access.record(
            actor,
            conv.patient_id,
            Action.MESSAGES,
            Purpose.TREATMENT,
            decision,
            what=f"wrote to {_names([other]).get(other, '')} about you (care team)",
        )
        notify.notify_user(other, "new_message", key=f"conv-line-{line.pk}")
    return line


def _names(ids) -> dict[int, str]:
    return {u.pk: str(u) for u in User.objects.filter(pk__in=set(ids))}


def open_thread(actor: Actor, conversation_id: int) -> Thread:
    """Read a conversation (audited); the other side's messages get their read receipt."""
    conv, purpose, is_pro = _side(actor, conversation_id, reading=True)
    is_team = conv.kind == ConversationKind.TEAM
    if is_team:
        decision = _team_decision(actor, conv.patient_id, "conversation with the care team")
        access.record(
            actor,
            conv.patient_id,
            Action.READ,
            purpose,
            decision,
            what="read a conversation of the care team about you",
        )
    else:
        decision = access.require(
            actor,
            conv.patient_id,
            _action(is_pro, reading=True),
            purpose,
            what="read a conversation",
        )
    now = timezone.now()
    _theirs(ConversationMessage.objects.filter(conversation=conv), conv, actor, is_pro).filter(
        read_at__isnull=True
    ).update(read_at=now)
    rows = list(conv.lines.order_by("created_at", "id"))
    other = _other_side(conv, actor) if is_team else None
    names = _names([r.author_id for r in rows] + [conv.practitioner_id, other or 0])
    thread = Thread(
        id=conv.pk,
        patient_id=conv.patient_id,
        practitioner_id=conv.practitioner_id,
        practitioner=names.get(conv.practitioner_id, ""),
        subject=sealed.unseal_text(decision, conv.subject, SUBJECT),
        last_message_at=conv.last_message_at,
        habit=habit_of(conv.practitioner_id),
        kind=conv.kind,
        colleague=names.get(other, "") if is_team else "",
        patient=accounts.account_names([conv.patient_id]).get(conv.patient_id, "")
        if is_team
        else "",
    )
    for r in rows:
        data = sealed.unseal_json(decision, r.body, _context(conv))
        thread.lines.append(
            Line(
                id=r.pk,
                mine=(r.author_id == actor.user_id) if is_team else r.from_practitioner == is_pro,
                author=names.get(r.author_id, ""),
                text=data.get("text", ""),
                created_at=r.created_at,
                read_at=r.read_at,
                attachments=[_attachment(actor, ref, purpose) for ref in data.get("attachments")],
            )
        )
    return thread


def _attachment(actor: Actor, ref: str, purpose: str) -> Attachment:
    rtype, _, rid = ref.partition("/")
    try:
        resource = records.read(actor, rtype, rid, purpose)
    except NotFound:
        return Attachment(ref, "", False)
    return Attachment(ref, words.title(resource), True)


def _theirs(lines, conv: Conversation, actor: Actor, is_pro: bool):
    """The messages of ``lines`` written by the other side of ``conv``."""
    if conv.kind == ConversationKind.TEAM:
        return lines.exclude(author_id=actor.user_id)
    return lines.filter(from_practitioner=not is_pro)


def unread_counts(rows, actor: Actor, is_pro: bool) -> dict[int, int]:
    """Unread messages from the other side, per conversation (no content is opened)."""
    team_rows = [r for r in rows if r.kind == ConversationKind.TEAM]
    others = [r for r in rows if r.kind != ConversationKind.TEAM]
    unread_lines = ConversationMessage.objects.filter(read_at__isnull=True)
    ids = list(
        unread_lines.filter(conversation__in=others, from_practitioner=not is_pro).values_list(
            "conversation_id", flat=True
        )
    )
    if team_rows:
        ids += (
            unread_lines.filter(conversation__in=team_rows)
            .exclude(author_id=actor.user_id)
            .values_list("conversation_id", flat=True)
        )
    unread: dict[int, int] = {}
    for conv_id in ids:
        unread[conv_id] = unread.get(conv_id, 0) + 1
    return unread


def _threads(rows, is_pro: bool, actor: Actor, permits: dict[int, Permit]) -> list[Thread]:
    """The conversations as listed, each subject opened with the permit of its record."""
    rows = list(rows)
    names = _names([r.practitioner_id for r in rows] + [r.colleague_id or 0 for r in rows])
    team_rows = [r for r in rows if r.kind == ConversationKind.TEAM]
    patients = accounts.account_names(r.patient_id for r in team_rows) if team_rows else {}
    unread = unread_counts(rows, actor, is_pro)
    out = []
    for r in rows:
        is_team = r.kind == ConversationKind.TEAM
        other = _other_side(r, actor) if is_team else None
        out.append(
            Thread(
                id=r.pk,
                patient_id=r.patient_id,
                practitioner_id=r.practitioner_id,
                practitioner=names.get(r.practitioner_id, ""),
                subject=sealed.unseal_text(permits[r.patient_id], r.subject, SUBJECT),
                last_message_at=r.last_message_at,
                unread=unread.get(r.pk, 0),
                kind=r.kind,
                colleague=names.get(other, "") if is_team else "",
                patient=patients.get(r.patient_id, "") if is_team else "",
            )
        )
    return out


def for_person(actor: Actor, patient_id: int) -> list[Thread]:
    purpose = _person_purpose(actor, patient_id, Action.READ_MESSAGES, "conversations")
    permit = access.require(actor, patient_id, Action.READ_MESSAGES, purpose, what="conversations")
    rows = Conversation.objects.filter(
        patient_id=patient_id, kind=ConversationKind.PATIENT
    ).order_by("-last_message_at")[:100]
    return _threads(rows, is_pro=False, actor=actor, permits={patient_id: permit})


def for_practitioner(actor: Actor) -> list[Thread]:
    """The practitioner's conversations whose record access still lets them read (audited)."""
    if actor.role != "practitioner" or actor.user_id is None:
        raise NotFound()
    rows = list(
        Conversation.objects.filter(
            Q(practitioner_id=actor.user_id) | Q(colleague_id=actor.user_id)
        ).order_by("-last_message_at")[:200]
    )
    allowed: dict[int, Permit | None] = {}
    for pid in {r.patient_id for r in rows}:
        try:
            allowed[pid] = access.require(
                actor, pid, Action.READ, access.purpose_for(actor, pid), what="conversations"
            )
        except NotFound:
            allowed[pid] = None
    # A team conversation is listed only to a member of the care team now, as it is read
    # (``_team_decision``): an emergency access lets one read the record, not the team's talk.
    team_ok = {
        pid: team.is_member(actor.user_id, pid)
        for pid in {r.patient_id for r in rows if r.kind == ConversationKind.TEAM}
    }
    shown = [
        r
        for r in rows
        if allowed[r.patient_id] is not None
        and (r.kind != ConversationKind.TEAM or team_ok.get(r.patient_id, False))
    ]
    return _threads(shown, is_pro=True, actor=actor, permits=allowed)


def unread_for_practitioner(actor: Actor) -> tuple[int, int]:
    """(unread messages, conversations holding them) for the practitioner's workspace.

    Counted without opening any text, and only in records access still lets them read
    (decided, not audited: nothing of a record is shown).
    """
    if actor.role != "practitioner" or actor.user_id is None:
        raise NotFound()
    rows = list(
        Conversation.objects.filter(
            Q(practitioner_id=actor.user_id) | Q(colleague_id=actor.user_id)
        ).order_by("-last_message_at")[:200]
    )
    allowed = {
        pid: access.decide(actor, pid, Action.READ, access.purpose_for(actor, pid)).permit
        for pid in {r.patient_id for r in rows}
    }
    unread = unread_counts([r for r in rows if allowed[r.patient_id]], actor, True)
    return sum(unread.values()), len(unread)
