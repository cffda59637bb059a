"""Assisted at a public help point: a time-boxed, scoped session of an advisor on a record.

The person, present at the desk, gives the advisor a one-time code (``carnet.helppoint``
checks it) and chooses what the advisor may do: read the record, import a file, set
reminders, share with a doctor. ``open`` starts the session (30 minutes at most); either
side ``end``s it at any moment, and it ends by itself when its time is up. What the advisor
may do is decided by ``policy.evaluate`` with purpose ``assistance`` on every request, like a
proxy's: no live session, an ended one or a scope not chosen is a deny. Every action of the
advisor lands in the person's history « with Claire D., France Services de Muret, in your
presence ».
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from .models import ASSIST_CHOSEN_ON, ASSIST_MAX_MINUTES, ASSIST_SCOPES, AssistanceSession
from .policy import Permit
from .services import Action, Actor, Purpose, person_side, record, require

SCOPES = ASSIST_SCOPES
MAX_MINUTES = ASSIST_MAX_MINUTES


class Invalid(ValueError):
    """A session that cannot be opened as asked (no scope, unknown scope, too long)."""


@dataclass(frozen=True)
class Session:
    id: int
    patient_id: int
    advisor_id: int
    helper: str
    place: str
    scopes: tuple[str, ...]
    chosen_on: str
    started_at: datetime
    expires_at: datetime

    def actor(self) -> Actor:
        """The advisor as the person's history names them (« Claire D. », the help point)."""
        return Actor(self.advisor_id, "advisor", self.helper, self.place)

    def may(self, scope: str) -> bool:
        return scope in self.scopes


def _session(row: AssistanceSession) -> Session:
    return Session(
        id=row.id,
        patient_id=row.patient_id,
        advisor_id=row.advisor_id,
        helper=row.helper,
        place=row.place,
        scopes=tuple(s for s in SCOPES if s in row.scopes.split(",")),
        chosen_on=row.chosen_on,
        started_at=row.started_at,
        expires_at=row.expires_at,
    )


def clean_scopes(scopes) -> tuple[str, ...]:
    chosen = {str(s) for s in scopes}
    if not chosen:
        raise Invalid("choose at least one thing the advisor may do")
    if not chosen <= set(SCOPES):
        raise Invalid("unknown permission")
    return tuple(s for s in SCOPES if s in chosen)


def open(  # noqa: A001 - the session is opened, as a door
    advisor: Actor,
    patient_id: int,
    scopes,
    *,
    place: str,
    chosen_on: str,
    minutes: int = MAX_MINUTES,
    now: datetime | None = None,
) -> Session:
    """Open a help session (the caller has checked the person's one-time code).

    Any live session of this advisor ends first: an advisor helps one person at a time.
    Written in the person's history as access given, by the person, at the help point.
    """
    if advisor.role != "advisor" or advisor.user_id is None:
        raise Invalid("only an advisor at a help point assists")
    if chosen_on not in ASSIST_CHOSEN_ON:
        raise Invalid("unknown way of choosing")
    chosen = clean_scopes(scopes)
    if not 1 <= int(minutes) <= MAX_MINUTES:
        raise Invalid("a help session lasts 30 minutes at most")
    now = now or timezone.now()
    with transaction.atomic():
        end_all_of(advisor.user_id, by="advisor", now=now)
        row = AssistanceSession.objects.create(
            patient_id=int(patient_id),
            advisor_id=advisor.user_id,
            helper=advisor.label,
            place=place,
            scopes=",".join(chosen),
            chosen_on=chosen_on,
            started_at=now,
            expires_at=now + timedelta(minutes=int(minutes)),
        )
        session = _session(row)
        # A paper or SMS code: the person chose on the advisor's screen, and the history says so.
        decision = Permit(
            True,
            "the person gave a one-time code at the help point"
            if chosen_on == "app"
            else "the person gave a code and chose at the desk",
        )
        record(
            session.actor(),
            patient_id,
            Action.GRANT,
            Purpose.ASSISTANCE,
            decision,
            what=f"help session: {','.join(chosen)}; chosen on: {chosen_on}",
        )
    return session


def live_for_advisor(advisor_id: int, now: datetime | None = None) -> Session | None:
    now = now or timezone.now()
    row = (
        AssistanceSession.objects.filter(
            advisor_id=advisor_id, ended_at__isnull=True, expires_at__gt=now
        )
        .order_by("-id")
        .first()
    )
    return _session(row) if row else None


def live_for_patient(patient_id: int, now: datetime | None = None) -> list[Session]:
    now = now or timezone.now()
    rows = AssistanceSession.objects.filter(
        patient_id=patient_id, ended_at__isnull=True, expires_at__gt=now
    ).order_by("id")
    return [_session(r) for r in rows]


def end_all_of(advisor_id: int, *, by: str = "advisor", now: datetime | None = None) -> int:
    """End the advisor's live sessions (their own « Terminer », or signing out)."""
    now = now or timezone.now()
    n = 0
    for s in AssistanceSession.objects.filter(
        advisor_id=advisor_id, ended_at__isnull=True, expires_at__gt=now
    ):
        _end(s, by, now)
        n += 1
    return n


def end_for_patient(actor: Actor, patient_id: int, *, now: datetime | None = None) -> int:
    """The person (or whoever manages their record) ends every help session on their record."""
    purpose = person_side(actor, patient_id, Action.REVOKE, what="help session")
    if purpose not in (Purpose.SELF, Purpose.PROXY):
        raise Invalid("only the person ends the help session from their side")
    require(actor, patient_id, Action.REVOKE, purpose, audit_now=False, what="help session")
    now = now or timezone.now()
    n = 0
    for s in AssistanceSession.objects.filter(
        patient_id=patient_id, ended_at__isnull=True, expires_at__gt=now
    ):
        _end(s, "person", now)
        n += 1
    return n


def _end(row: AssistanceSession, by: str, now: datetime) -> None:
    with transaction.atomic():
        updated = AssistanceSession.objects.filter(pk=row.pk, ended_at__isnull=True).update(
            ended_at=now, ended_by=by
        )
        if updated:
            record(
                _session(row).actor(),
                row.patient_id,
                Action.REVOKE,
                Purpose.ASSISTANCE,
                Permit(True, f"help session ended by the {by}"),
                what="help session",
            )


def live_for_owner(user_id: int, now: datetime | None = None) -> list[Session]:
    """Live help sessions on the record a citizen owns (one query: the banner on every page)."""
    from carnet.accounts.models import Patient

    now = now or timezone.now()
    rows = AssistanceSession.objects.filter(
        patient_id__in=Patient.objects.filter(owner_id=user_id).values("pk"),
        ended_at__isnull=True,
        expires_at__gt=now,
    ).order_by("id")
    return [_session(r) for r in rows]
