"""Each patient's append-only, hash-chained access history."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from carnet.vault import sealed
from carnet.vault import services as vault

from .models import AuditEntry, AuditHead
from .policy import Permit

GENESIS = "0" * 64


def own_permit(patient_id: int, reason: str = "the access history") -> Permit:
    """The permit ``access`` gives itself for its own records about a person: the details
    of each history entry (a deny is written too), a practitioner's request to the person.
    It opens none of the record (no view)."""
    return Permit(True, reason, patient_id=int(patient_id), purpose="operations", action="create")


def _entry_hash(e: AuditEntry) -> str:
    payload = [
        e.patient_id,
        e.seq,
        e.at.astimezone(UTC).isoformat(timespec="microseconds"),
        e.actor_id,
        e.actor_role,
        e.action,
        e.purpose,
        e.decision,
        e.resource_type,
        e.count,
        hashlib.sha256(bytes(e.details)).hexdigest(),
        e.prev_hash,
    ]
    # ``flagged`` joined the chain later: it is hashed only when set, so that entries
    # written before it existed keep their hashes, and flipping it either way is detected.
    if e.flagged:
        payload.append("flagged")
    return hashlib.sha256(json.dumps(payload, separators=(",", ":")).encode()).hexdigest()


def append(
    *,
    patient_id: int,
    actor_id: int | None,
    actor_role: str,
    action: str,
    purpose: str,
    decision: str,
    resource_type: str = "",
    count: int = 0,
    details: dict | None = None,
    flagged: bool = False,
) -> AuditEntry:
    """Append one entry to the patient's chain, in the caller's transaction if there is one."""
    try:
        blob = sealed.seal(
            own_permit(patient_id), json.dumps(details or {}, ensure_ascii=False), "audit"
        )
    except vault.KeyDestroyed:
        blob = b""  # the record is erased: nothing personal can be written any more
    for _attempt in range(5):
        try:
            with transaction.atomic():
                heads = AuditHead.objects.filter(patient_id=patient_id)
                if connection.vendor == "postgresql":
                    heads = heads.select_for_update()
                head = heads.first()
                entry = AuditEntry(
                    patient_id=patient_id,
                    seq=(head.seq + 1) if head else 1,
                    at=timezone.now(),
                    actor_id=actor_id,
                    actor_role=actor_role,
                    action=action,
                    purpose=purpose,
                    decision=decision,
                    resource_type=resource_type,
                    count=count,
                    details=blob,
                    flagged=flagged,
                    prev_hash=head.entry_hash if head else GENESIS,
                )
                entry.entry_hash = _entry_hash(entry)
                entry.save()
                if head:
                    AuditHead.objects.filter(patient_id=patient_id).update(
                        seq=entry.seq, entry_hash=entry.entry_hash
                    )
                else:
                    AuditHead.objects.create(
                        patient_id=patient_id, seq=entry.seq, entry_hash=entry.entry_hash
                    )
                return entry
        except IntegrityError:
            continue  # another writer took this sequence number first: read the head again
    raise RuntimeError(f"could not append to the access history of patient {patient_id}")


@dataclass
class ChainProblem:
    patient_id: int
    seq: int
    problem: str

    def __str__(self):
        return f"patient {self.patient_id}, entry {self.seq}: {self.problem}"


def verify_chain(patient_id: int) -> tuple[int, ChainProblem | None]:
    """Check one chain; returns (entries checked, first problem or None)."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    for e in (
        AuditEntry.objects.filter(patient_id=patient_id).order_by("seq").iterator(chunk_size=2000)
    ):
        if e.seq != expected_seq:
            return checked, ChainProblem(
                patient_id, expected_seq, f"entry missing (sequence jumps to {e.seq})"
            )
        if e.prev_hash != prev:
            return checked, ChainProblem(
                patient_id, e.seq, "does not follow the previous entry (removed or reordered)"
            )
        if _entry_hash(e) != e.entry_hash:
            return checked, ChainProblem(patient_id, e.seq, "content was changed")
        prev = e.entry_hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(patient_id=patient_id).first()
    if head and (head.seq != expected_seq - 1 or head.entry_hash != prev):
        return checked, ChainProblem(
            patient_id, head.seq, "entries were cut off the end of the history"
        )
    if head is None and checked:
        return checked, ChainProblem(patient_id, checked, "the chain head is missing")
    return checked, None


def verify_all(progress=None) -> tuple[int, list[ChainProblem]]:
    """Verify every chain; returns (entries checked, problems: the first of each broken chain)."""
    ids = set(AuditEntry.objects.values_list("patient_id", flat=True).distinct())
    ids |= set(AuditHead.objects.values_list("patient_id", flat=True))
    total, problems = 0, []
    for pid in sorted(ids):
        n, problem = verify_chain(pid)
        total += n
        if problem:
            problems.append(problem)
        if progress:
            progress(total)
    return total, problems


def history(patient_id: int, limit: int = 200) -> list[dict]:
    """Readable entries, newest first (details decrypted when the record still exists)."""
    try:
        c = sealed.cipher(own_permit(patient_id))
    except vault.KeyDestroyed:
        c = None
    out = []
    for e in AuditEntry.objects.filter(patient_id=patient_id).order_by("-seq")[:limit]:
        details = {}
        if c is not None and e.details:
            details = json.loads(c.decrypt(bytes(e.details), "audit"))
        out.append(
            {
                "seq": e.seq,
                "at": e.at,
                "actor_id": e.actor_id,
                "actor_role": e.actor_role,
                "action": e.action,
                "purpose": e.purpose,
                "decision": e.decision,
                "resource_type": e.resource_type,
                "count": e.count,
                "flagged": e.flagged,
                "details": details,
            }
        )
    return out
