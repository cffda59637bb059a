"""The permit is the only key to plaintext: every decryption takes a permit from access and
the patient comes from it. A permit of one person opens none of another's data, a deny opens
nothing, the helpers that used to decrypt with a bare patient id refuse without a permit, and
an export holds only the documents the permit's view shows."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.utils import timezone
from PIL import Image

from carnet.access import masks
from carnet.access import services as access
from carnet.access.services import Action, Actor, Permit, Purpose
from carnet.care.models import ConversationMessage
from carnet.chat.models import Chat
from carnet.helpdesk.models import HelpRequest
from carnet.records import document_files, documents, exports, identity, imports, store, tasks
from carnet.records import services as records
from carnet.records.models import ResourceVersion
from carnet.reminders import services as reminders
from carnet.reminders.models import Intake
from carnet.vault import sealed
from carnet.vault.services import VaultError

from .people import SMALL_RECORD, make_people


@pytest.fixture
def people():
    people = make_people()
    imports.import_bundle(  # Bob, the stranger, has a record of his own
        Actor.of_user(people.stranger),
        SMALL_RECORD,
        patient_id=people.stranger_patient_id,
        purpose=Purpose.SELF,
        person=imports.MINE_TAKE_DETAILS,
    )
    return people


def _own(user, patient_id: int) -> Permit:
    return access.require(Actor.of_user(user), patient_id, Action.READ, Purpose.SELF)


def _deny(people) -> Permit:
    deny = access.decide(
        Actor.of_user(people.stranger), people.patient_id, Action.READ, Purpose.TREATMENT
    )
    assert not deny.permit and deny.patient_id == people.patient_id
    return deny


def test_the_permit_names_who_for_whom_what_and_why(people):
    permit = _own(people.alice, people.patient_id)
    assert permit.actor.user_id == people.alice.pk
    assert permit.patient_id == people.patient_id
    assert (permit.action, permit.purpose) == (Action.READ, Purpose.SELF)
    assert permit.view.all


def test_a_permit_of_one_person_opens_none_of_anothers_rows(people):
    permit = _own(people.alice, people.patient_id)
    bobs = store.current_rows(people.stranger_patient_id)
    assert bobs.exists()
    with pytest.raises(PermissionError):
        store.open_rows(permit, bobs)  # a query
    with pytest.raises(PermissionError):
        store.open_rows(permit, list(bobs))  # model rows
    with pytest.raises(PermissionError):
        store.open_provenance(permit, bobs.first())
    # Mixed in with her own rows, one row of his is enough to refuse the lot.
    mixed = ResourceVersion.objects.filter(
        patient_id__in=[people.patient_id, people.stranger_patient_id], is_current=True
    )
    with pytest.raises(PermissionError):
        store.open_rows(permit, mixed)
    # Her own open; his open with his own permit only.
    assert store.open_rows(permit, store.current_rows(people.patient_id))
    assert store.open_rows(_own(people.stranger, people.stranger_patient_id), bobs)
    # A sealed text of his does not open under her permit either.
    blob = sealed.seal(_own(people.stranger, people.stranger_patient_id), "his", "test")
    with pytest.raises(VaultError):
        sealed.unseal(permit, blob, "test")


def test_a_deny_opens_nothing(people):
    deny = _deny(people)
    rows = store.current_rows(people.patient_id)
    blob = sealed.seal(_own(people.alice, people.patient_id), {"a": 1}, "test")
    for attempt in (
        lambda: store.open_rows(deny, rows),
        lambda: store.open_provenance(deny, rows.first()),
        lambda: records.whole_record(deny),
        lambda: sealed.unseal(deny, blob, "test"),
        lambda: sealed.seal(deny, b"x", "test"),
        lambda: sealed.blind_index(deny, "x"),
    ):
        with pytest.raises(PermissionError):
            attempt()
    # Not even a permit that says yes but names no one (one access writes for its history).
    with pytest.raises(PermissionError):
        sealed.unseal(Permit(True, "names no patient"), blob, "test")


def test_a_permit_to_a_conversation_opens_none_of_the_record(people):
    chat_permit = access.participant(
        Actor.of_user(people.pro_granted), people.patient_id, "the person asked for help"
    )
    with pytest.raises(PermissionError):
        store.open_rows(chat_permit, store.current_rows(people.patient_id))


def test_the_helpers_that_decrypted_with_a_patient_id_now_refuse_without_a_permit(people):
    deny = _deny(people)
    pid = people.patient_id
    now = timezone.now()
    intake = Intake(patient_id=pid, request_id="r", scheduled_at=now, note=b"sealed")
    upload = tasks.seal(_own(people.alice, pid), "job", b"data", "name.json")
    blob_id = document_files.add(
        Actor.of_user(people.alice), pid, _png(), doc_type="other", title="x", day=now.date()
    )["content"][0]["attachment"]["url"].removeprefix("Binary/")
    helpers = {
        "reminders.enrolments": lambda p: reminders.enrolments(p),
        "reminders.entries": lambda p: reminders.entries(p, now, now + dt.timedelta(days=1)),
        "reminders.intake_note": lambda p: reminders.intake_note(p, intake),
        "documents.get": lambda p: documents.get(p, blob_id),
        "documents.put": lambda p: documents.put(p, b"%PDF-1.4"),
        "tasks.seal": lambda p: tasks.seal(p, "job", b"data", "name.json"),
        "tasks.question": lambda p: tasks.question({"question": upload[0]}, p, "job"),
        "identity.record_person": lambda p: identity.record_person(p),
        "store.reindex": lambda p: store.reindex(p),
    }
    for name, helper in helpers.items():
        for no_key in (None, deny):
            with pytest.raises(PermissionError):
                helper(no_key)
                pytest.fail(f"{name} opened without a permit")
    # With the person's permit, they work.
    own = _own(people.alice, pid)
    assert documents.get(own, blob_id).startswith(b"\x89PNG")
    assert reminders.enrolments(own) == {}
    assert identity.record_person(own) is not None


def test_messages_and_questions_open_only_under_a_permit_of_their_record(people):
    """Care messages, the emergency chat and help questions are sealed with the person's key
    through the one pair: their permit opens them, a deny or another person's does not."""
    pid = people.patient_id
    own = _own(people.alice, pid)
    others = _own(people.stranger, people.stranger_patient_id)
    line = ConversationMessage.objects.filter(patient_id=pid).first()
    message = f"care.message.{line.conversation_id}"
    assert "Bonjour" in sealed.unseal_json(own, line.body, message)["text"]
    question = HelpRequest.objects.get(pk=people.things["help_request_id"])
    subject = f"helpdesk.request.{question.pk}.subject"
    assert sealed.unseal_text(own, question.subject, subject) == "Une question"
    for blob, context in ((line.body, message), (question.subject, subject)):
        with pytest.raises(PermissionError):
            sealed.unseal(_deny(people), blob, context)
        with pytest.raises(VaultError):
            sealed.unseal(others, blob, context)
    assert Chat.objects.filter(patient_id=pid).exists()


def _png(colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


def _files_in(zipped: bytes) -> set[str]:
    with zipfile.ZipFile(io.BytesIO(zipped)) as zf:
        return {n.removeprefix("documents/") for n in zf.namelist() if n.startswith("documents/")}


def _blobs(resource: dict) -> set[str]:
    return {c["attachment"]["url"].removeprefix("Binary/") for c in resource["content"]}


def test_an_export_holds_only_the_documents_the_permits_view_shows(people):
    me, pid = Actor.of_user(people.alice), people.patient_id
    today = timezone.localdate()
    shown = document_files.add(me, pid, _png(), doc_type="other", title="Shown", day=today)
    kept = document_files.add(me, pid, _png((0, 0, 90)), doc_type="other", title="Mine", day=today)
    # Alice keeps the second one to herself: her proxy does not see it.
    masks.set_mask(me, pid, "DocumentReference", kept["id"], audience="self")

    own = _files_in(exports.export_zip(me, pid, Purpose.SELF))
    assert own == _blobs(shown) | _blobs(kept)

    relative = Actor.of_user(people.relative)  # a proxy who manages her record
    by_proxy = _files_in(exports.export_zip(relative, pid, Purpose.PROXY))
    assert by_proxy == _blobs(shown)
    bundle = exports.export_bundle(relative, pid, Purpose.PROXY)
    ids = {e["resource"]["id"] for e in bundle["entry"]}
    assert shown["id"] in ids and kept["id"] not in ids
