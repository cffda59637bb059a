"""Background jobs of the record: importing an uploaded file.

The uploaded file is never written in clear anywhere: the web process encrypts it with the
patient's data key before handing it to the job queue (whose storage may be a file on
disk), and the job decrypts it in memory. The job's progress lives in Django's cache.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from carnet.access import services as access
from carnet.access.services import Action, Actor, NotFound, Permit, Purpose
from carnet.accounts.models import User
from carnet.vault import sealed as vault
from carnet.vault.services import VaultError

from . import fhir, identity, import_staging, importers, imports

log = logging.getLogger("carnet.records.tasks")

STATUS_TTL = 24 * 3600

QUEUED, CHECKING, WRITING, DONE, REFUSED, FAILED = (
    "queued",
    "checking",
    "writing",
    "done",
    "refused",
    "failed",
)
# The file is about someone else than the record's person: the job waits for the person
# to say whose it is (ASK); CANCELLED when they say it is a mistake.
ASK, CANCELLED = "ask", "cancelled"
FINISHED = {DONE, REFUSED, FAILED, CANCELLED}
MAX_LISTED = 100  # warnings and left-out parts listed on the result page


def _key(job_id: str) -> str:
    return f"carnet:import:{job_id}"


def get_status(job_id: str) -> dict | None:
    return cache.get(_key(job_id))


def set_status(job_id: str, **fields) -> dict:
    status = cache.get(_key(job_id)) or {}
    status.update(fields, updated=timezone.now().isoformat())
    cache.set(_key(job_id), status, STATUS_TTL)
    return status


def _upload_key(job_id: str) -> str:
    return f"carnet:import:{job_id}:upload"


def keep_upload(job_id: str, sealed: bytes, sealed_name: bytes) -> None:
    """Keep an upload (still encrypted) while the person says whose file it is."""
    cache.set(_upload_key(job_id), (sealed, sealed_name), STATUS_TTL)


def take_upload(job_id: str) -> tuple[bytes, bytes] | None:
    """The kept upload, forgotten as it is taken (None when gone or expired)."""
    found = cache.get(_upload_key(job_id))
    cache.delete(_upload_key(job_id))
    return found


def upload_permit(actor: Actor, patient_id: int) -> Permit:
    """The person's permit on their own record, under whose key their upload waits (not
    audited: the import itself is)."""
    return access.decide(actor, patient_id, Action.IMPORT, Purpose.SELF)


def question(status: dict, permit: Permit, job_id: str) -> dict:
    """Whom the file and the record are about, for the question the job page asks."""
    sealed = status.get("question")
    if not sealed:
        return {}
    return vault.unseal_json(permit, sealed, f"ask:{job_id}")


def seal(permit: Permit, job_id: str, data: bytes, filename: str) -> tuple[bytes, bytes]:
    """Encrypt an upload and its name under the permit's patient's key, bound to this job."""
    return (
        vault.seal(permit, data, f"upload:{job_id}"),
        vault.seal(permit, filename, f"upload-name:{job_id}"),
    )


def _records_to_write(bundle) -> int | None:
    if not isinstance(bundle, dict) or not isinstance(bundle.get("entry"), list):
        return None
    n = 0
    for entry in bundle["entry"]:
        res = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(res, dict) and res.get("resourceType") not in fhir.SHARED_TYPES:
            n += 1
    return n


def run_import(
    job_id: str,
    user_id: int,
    patient_id: int,
    sealed: bytes,
    sealed_name: bytes,
    *,
    target_id: int | None = None,
    person: str = imports.CHECK,
):
    """Import one uploaded file into the person's record, updating the job's status.

    ``patient_id`` is the record whose key sealed the upload (the person's own);
    ``target_id`` the record to import into when the person said the file is a relative's
    (their purpose is then "proxy"); ``person`` what they said (see ``imports``).
    """
    set_status(job_id, state=CHECKING)
    target = target_id or patient_id
    purpose = Purpose.SELF if target == patient_id else Purpose.PROXY
    try:
        user = User.objects.get(pk=user_id, is_active=True)
        permit = upload_permit(Actor.of_user(user), patient_id)
        data = vault.unseal(permit, sealed, f"upload:{job_id}")
        filename = vault.unseal_text(permit, sealed_name, f"upload-name:{job_id}")
        if importers.detect(data, filename) != "fhir-json":
            # A CDA document, a wearable file…: converted to FHIR, the original kept.
            result = importers.import_file(
                Actor.of_user(user), target, data, filename, purpose, person=person
            )
        else:
            bundle = imports.parse(data)
            del data
            if person == imports.MINE and isinstance(bundle, dict):
                identity.keep_account_name(bundle, target)
            set_status(job_id, total=_records_to_write(bundle))

            def progress(written: int) -> None:
                set_status(job_id, state=WRITING, done=written)

            result = imports.import_bundle(
                Actor.of_user(user),
                bundle,
                patient_id=target,
                filename=filename,
                purpose=purpose,
                progress=progress,
                person=person,
            )
    except imports.ImportRefused as exc:
        if exc.reason == "other_person" and exc.mismatch is not None:
            keep_upload(job_id, sealed, sealed_name)
            # Names and birth dates stay encrypted in the job's status, like the upload.
            question = {
                "file_person": exc.mismatch.file,
                "record_person": exc.mismatch.record,
                "differs": exc.mismatch.fields,
            }
            asked = vault.seal(permit, question, f"ask:{job_id}")
            set_status(job_id, state=ASK, target=target, question=asked)
            return
        set_status(
            job_id,
            state=REFUSED,
            error=str(exc),
            reason=exc.reason,
            entry=exc.entry,
            other_entry=exc.other_entry,
            retry_after=getattr(exc, "retry_after", None),
        )
    except (NotFound, User.DoesNotExist, VaultError, PermissionError):
        # The record is gone (closed meanwhile) or no longer the person's: say nothing more.
        set_status(job_id, state=FAILED)
    except Exception:
        log.exception("import job %s failed", job_id)
        set_status(job_id, state=FAILED)
    else:
        set_status(
            job_id,
            state=DONE,
            done=result.created,
            total=result.created,
            created=result.created,
            by_type=result.by_type,
            # What the person must know: items kept with a warning, and what of a document
            # stays readable in the original only.
            warnings=result.warnings[:MAX_LISTED],
            warning_count=len(result.warnings),
            left_out=getattr(result, "left_out", [])[:MAX_LISTED],
            document_id=getattr(result, "document_id", None),
            # Vaccinations the record already held: not added twice, but listed.
            already=getattr(result, "already_in_record", [])[:MAX_LISTED],
            already_count=len(getattr(result, "already_in_record", [])),
            # The very same file was imported before: say so, not « 0 items were added ».
            duplicate=bool(getattr(result, "duplicate", False)),
        )


@db_task()
def import_upload(
    job_id: str,
    user_id: int,
    patient_id: int,
    sealed: bytes,
    sealed_name: bytes,
    target_id: int | None = None,
    person: str = imports.CHECK,
):
    run_import(job_id, user_id, patient_id, sealed, sealed_name, target_id=target_id, person=person)


@db_periodic_task(crontab(minute="*/5"))
def discard_abandoned_imports():
    """Rows of imports whose process died are deleted (they were never visible)."""
    import_staging.cleanup_stale()
