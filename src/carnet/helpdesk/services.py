"""Asking a human advisor: help requests, answers, replies, closing.

Citizens and health professionals ask; advisors (role "advisor") answer. Nobody else can
open a request: a stranger gets ``NotFound``, exactly as if it did not exist. Advisors see
help requests only, never a record: they hold no grant and no access basis, and nothing
here reads the record.

Texts are sealed with the asker's record key when the asker has a record (see models.py).
An answer tells the asker through the notify outbox with the ``help_answer`` event, which
carries no parameter: the email or SMS says only that there is an answer, with a link.

A new question tells the advisors (``help_question``, no parameter, a link to their inbox)
at most once per advisor per clock hour: the notification's key names the hour, so the
outbox queues nothing more for that advisor until the next hour, however many questions
come. The inbox lists every waiting question; the message only says to look at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from carnet.access import services as access
from carnet.access.services import Action, Actor, Permit, Purpose
from carnet.accounts import services as accounts
from carnet.notify import services as notify
from carnet.vault import sealed
from carnet.vault.services import VaultError

from . import articles
from .models import HelpMessage, HelpRequest, Status

MAX_SUBJECT = 150
MAX_TEXT = 3000
# How many questions one person may have waiting or answered but not closed at once…
MAX_OPEN = 3
# …and how many they may start in a day, so that closing and asking again has a limit too.
MAX_PER_DAY = 6
# How many messages the asker may add in a row before an advisor answers.
MAX_UNANSWERED_LINES = 5

ASKER_ROLES = ("citizen", "practitioner")
ADVISOR_ROLE = "advisor"


class NotFound(Exception):
    """No such request for this person (or they may not see it)."""


class Refused(ValueError):
    """Empty text, or a limit reached; ``reason`` says which, for the message shown."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Line:
    id: int
    from_advisor: bool
    mine: bool
    author: str
    text: str
    created_at: datetime


@dataclass
class Thread:
    id: int
    subject: str
    status: str
    about: str
    asker_name: str
    asker_role: str
    created_at: datetime
    last_message_at: datetime
    waiting_since: datetime | None
    lines: list[Line] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return self.status == Status.CLOSED


def is_advisor(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == ADVISOR_ROLE)


def may_ask(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in ASKER_ROLES)


# --- sealing ----------------------------------------------------------------------------------


ASKED = "the person asked the help desk"


def _permit(req: HelpRequest, user) -> Permit | None:
    """What opens a request's texts for ``user``: none for an asker without a record (kept
    as they are); the asker's own permit on their record; an advisor's, as the one the
    person asked."""
    if req.patient_id is None:
        return None
    actor = Actor.of_user(user)
    if is_advisor(user):
        return access.participant(actor, req.patient_id, ASKED, Purpose.ASSISTANCE)
    return access.decide(actor, req.patient_id, Action.MESSAGES, Purpose.SELF)


def _seal(permit: Permit | None, text: str, context: str) -> bytes:
    return text.encode() if permit is None else sealed.seal(permit, text, context)


def _unseal(permit: Permit | None, blob, context: str) -> str:
    if permit is None:
        return bytes(blob).decode()
    try:
        return sealed.unseal_text(permit, blob, context)
    except (VaultError, PermissionError):
        return ""  # the asker's key is gone: the account is being closed


def _subject_context(req: HelpRequest) -> str:
    return f"helpdesk.request.{req.pk}.subject"


def _line_context(req: HelpRequest) -> str:
    return f"helpdesk.request.{req.pk}.message"


# --- asking -----------------------------------------------------------------------------------


def _clean(text: str, limit: int) -> str:
    return (text or "").strip()[:limit]


def check_may_open(user, now: datetime | None = None) -> None:
    """Refused("open") or Refused("daily") when the person has asked enough for now."""
    now = now or timezone.now()
    mine = HelpRequest.objects.filter(asker=user)
    if mine.exclude(status=Status.CLOSED).count() >= MAX_OPEN:
        raise Refused("open")
    if mine.filter(created_at__gte=now - timedelta(days=1)).count() >= MAX_PER_DAY:
        raise Refused("daily")


def ask(user, subject: str, text: str, about: str = "") -> HelpRequest:
    """A citizen or health professional asks an advisor a question."""
    if not may_ask(user):
        raise NotFound()
    subject = " ".join((subject or "").split())[:MAX_SUBJECT]
    text = _clean(text, MAX_TEXT)
    if not subject or not text:
        raise Refused("empty")
    about = about if articles.get(about) else ""
    patient = accounts.patient_of(user) if user.role == "citizen" else None
    now = timezone.now()
    with transaction.atomic():
        # One person's requests are counted under a lock on their account row, so two
        # tabs sending at once cannot both pass the limit.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        check_may_open(user, now)
        req = HelpRequest.objects.create(
            asker=user,
            patient_id=patient.pk if patient else None,
            subject=b"",
            about=about,
            status=Status.WAITING,
            created_at=now,
            last_message_at=now,
            waiting_since=now,
        )
        req.subject = _seal(_permit(req, user), subject, _subject_context(req))
        req.save(update_fields=["subject"])
        _add_line(req, user, text, from_advisor=False, now=now)
        tell_advisors(now)
    return req


def tell_advisors(now: datetime) -> int:
    """Tell every active advisor there is a new question: once per advisor per clock hour."""
    hour = now.astimezone(UTC).strftime("%Y-%m-%dT%H")
    advisors = get_user_model().objects.filter(role=ADVISOR_ROLE, is_active=True)
    told = 0
    for advisor_id in advisors.values_list("pk", flat=True):
        told += bool(notify.notify_user(advisor_id, "help_question", key=f"help-question:{hour}"))
    return told


def _add_line(req: HelpRequest, user, text: str, *, from_advisor: bool, now) -> HelpMessage:
    line = HelpMessage.objects.create(
        request=req, author=user, from_advisor=from_advisor, body=b"", created_at=now
    )
    # Bound to its request; the line id is inside the text so lines cannot be swapped.
    line.body = _seal(_permit(req, user), f"{line.pk}\n{text}", _line_context(req))
    line.save(update_fields=["body"])
    return line


def _line_text(permit: Permit | None, req: HelpRequest, line: HelpMessage) -> str:
    plain = _unseal(permit, line.body, _line_context(req))
    head, _, text = plain.partition("\n")
    return text if head == str(line.pk) else ""


# --- reading ----------------------------------------------------------------------------------


def _visible(user, request_id: int) -> HelpRequest:
    req = HelpRequest.objects.select_related("asker").filter(pk=request_id).first()
    if req is None or not user.is_authenticated:
        raise NotFound()
    if req.asker_id == user.pk or is_advisor(user):
        return req
    raise NotFound()


def _thread(req: HelpRequest, user, with_lines: bool) -> Thread:
    permit = _permit(req, user)
    t = Thread(
        id=req.pk,
        subject=_unseal(permit, req.subject, _subject_context(req)),
        status=req.status,
        about=req.about,
        asker_name=str(req.asker),
        asker_role=req.asker.role,
        created_at=req.created_at,
        last_message_at=req.last_message_at,
        waiting_since=req.waiting_since,
    )
    if with_lines:
        for line in req.lines.select_related("author").order_by("created_at", "pk"):
            t.lines.append(
                Line(
                    id=line.pk,
                    from_advisor=line.from_advisor,
                    mine=line.author_id == user.pk,
                    # The asker sees the advisor's name, so they know who answers them.
                    author=str(line.author) if line.author else "",
                    text=_line_text(permit, req, line),
                    created_at=line.created_at,
                )
            )
    return t


def open_thread(user, request_id: int) -> Thread:
    """The request with every message, for its asker or an advisor; NotFound otherwise."""
    return _thread(_visible(user, request_id), user, with_lines=True)


def for_asker(user) -> list[Thread]:
    """The person's own requests, open ones first, latest first."""
    if not user.is_authenticated:
        return []
    qs = (
        HelpRequest.objects.filter(asker=user)
        .select_related("asker")
        .annotate(
            closed=Case(
                When(status=Status.CLOSED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("closed", "-last_message_at")
    )
    return [_thread(r, user, with_lines=False) for r in qs]


def inbox(user, limit: int = 200) -> list[Thread]:
    """Open requests for advisors: waiting for an answer first, the longest waiting first."""
    if not is_advisor(user):
        raise NotFound()
    qs = (
        HelpRequest.objects.exclude(status=Status.CLOSED)
        .select_related("asker")
        .annotate(
            answered=Case(
                When(status=Status.ANSWERED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("answered", "waiting_since", "last_message_at", "pk")[:limit]
    )
    return [_thread(r, user, with_lines=False) for r in qs]


def waiting_count() -> int:
    return HelpRequest.objects.filter(status=Status.WAITING).count()


# --- answering, replying, closing --------------------------------------------------------------


def answer(user, request_id: int, text: str) -> HelpMessage:
    """An advisor answers; the asker is told, without any content, through the outbox."""
    if not is_advisor(user):
        raise NotFound()
    text = _clean(text, MAX_TEXT)
    if not text:
        raise Refused("empty")
    now = timezone.now()
    with transaction.atomic():
        req = HelpRequest.objects.select_for_update().filter(pk=request_id).first()
        if req is None:
            raise NotFound()
        if req.status == Status.CLOSED:
            raise Refused("closed")
        line = _add_line(req, user, text, from_advisor=True, now=now)
        req.status = Status.ANSWERED
        req.waiting_since = None
        req.last_message_at = now
        req.save(update_fields=["status", "waiting_since", "last_message_at"])
        notify.notify_user(req.asker_id, "help_answer", key=f"help-{req.pk}-{line.pk}")
    return line


def reply(user, request_id: int, text: str) -> HelpMessage:
    """The asker adds a message; the request waits for an advisor again."""
    text = _clean(text, MAX_TEXT)
    if not text:
        raise Refused("empty")
    now = timezone.now()
    with transaction.atomic():
        req = HelpRequest.objects.select_for_update().filter(pk=request_id).first()
        if req is None or req.asker_id != user.pk:
            raise NotFound()
        if req.status == Status.CLOSED:
            raise Refused("closed")
        since_answer = req.lines.filter(from_advisor=False)
        last_answer = req.lines.filter(from_advisor=True).order_by("-created_at", "-pk").first()
        if last_answer is not None:
            since_answer = since_answer.filter(pk__gt=last_answer.pk)
        if since_answer.count() >= MAX_UNANSWERED_LINES:
            raise Refused("unanswered")
        line = _add_line(req, user, text, from_advisor=False, now=now)
        req.status = Status.WAITING
        req.waiting_since = req.waiting_since or now
        req.last_message_at = now
        req.save(update_fields=["status", "waiting_since", "last_message_at"])
    return line


def close(user, request_id: int) -> None:
    """The asker says their question is answered. Every message stays readable."""
    with transaction.atomic():
        req = HelpRequest.objects.select_for_update().filter(pk=request_id).first()
        if req is None or req.asker_id != user.pk:
            raise NotFound()
        if req.status != Status.CLOSED:
            req.status = Status.CLOSED
            req.closed_at = timezone.now()
            req.waiting_since = None
            req.save(update_fields=["status", "closed_at", "waiting_since"])
