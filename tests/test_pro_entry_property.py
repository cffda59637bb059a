"""Property: a practitioner adds an item exactly when a live grant lets them write that kind
of item — whatever the grant (none, read, write, médecin traitant), its kinds, whether it
was withdrawn or has expired; otherwise nothing is written and nobody is told.

The model is written here from what the person chooses on the sharing page ("Read only" /
"Read, and add to my record", the kinds of items, the duration), not from ``access.policy``.
"""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carnet.access import grants
from carnet.access.models import Grant
from carnet.access.services import Actor
from carnet.notify.models import Message
from carnet.records.models import ResourceVersion

from .fuzzing import examples
from .people import english
from .pro_entry import shared_in_writing, url

WHEN = "2025-02-03T09:15"
# Each kind a practitioner may add: what the person calls it on the sharing page, and a
# valid form.
MODEL = {
    "tension": ("measurements", {"systolic": "142", "diastolic": "88", "when": WHEN}),
    "poids": ("measurements", {"value": "72,5", "when": WHEN}),
    "pouls": ("measurements", {"value": "64", "when": WHEN}),
    "temperature": ("measurements", {"value": "37.2", "when": WHEN}),
    "glycemie": ("results", {"value": "1.05", "glucose_unit": "g/L", "when": WHEN}),
    "vaccin": ("vaccines", {"vaccine": "J07BB", "day": "2025-10-14", "lot": "X3F21"}),
    "allergie": ("problems", {"substance": "764146007", "kind": "allergy"}),
    "consultation": (
        "consultations",
        {"reason": "Suivi", "text": "Tout va bien.", "day": "2025-03-04"},
    ),
}
CATEGORIES = ["measurements", "results", "vaccines", "problems", "consultations", "documents"]


def allowed(kind: str, mode: str, categories: set[str], ended: str) -> bool:
    if ended != "live" or mode == "none":
        return False
    if mode == "referent":
        return True
    return mode == "write" and MODEL[kind][0] in categories


@settings(
    max_examples=examples(30),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(sorted(MODEL)),
    mode=st.sampled_from(["none", "read", "write", "referent"]),
    categories=st.sets(st.sampled_from(CATEGORIES), min_size=1),
    ended=st.sampled_from(["live", "withdrawn", "expired"]),
)
def test_a_practitioner_adds_only_within_a_live_write_grant(kind, mode, categories, ended):
    owner, pid, gp = shared_in_writing(
        categories=sorted(categories), mode="write" if mode == "write" else "read"
    )
    me = Actor.of_user(owner)
    grant = Grant.objects.get(patient_id=pid, grantee_id=gp.pk, revoked_at__isnull=True)
    if mode == "none":
        grants.revoke(me, pid, grant.pk)
    elif mode == "referent":
        grants.revoke(me, pid, grant.pk)
        grant = grants.set_referent(me, pid, gp.pk)
    if mode != "none" and ended == "withdrawn":
        grants.revoke(me, pid, grant.pk)
    elif mode != "none" and ended == "expired":
        Grant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    before = ResourceVersion.objects.filter(patient_id=pid).count()
    client = english(Client())
    client.force_login(gp)
    response = client.post(url(pid, kind), MODEL[kind][1])
    want = allowed(kind, mode, categories, ended)
    written = ResourceVersion.objects.filter(patient_id=pid).count() - before
    told = Message.objects.filter(user=owner, event="record_added").exists()
    assert (response.status_code, written, told) == (
        (302, 1, True) if want else (response.status_code, 0, False)
    )
    if not want:
        # No live grant at all answers as if the record did not exist.
        live = mode != "none" and ended == "live"
        assert response.status_code == (403 if live else 404)
