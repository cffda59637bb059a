"""A minor of 15 or more keeps chosen care confidential: the parent's pages never show it."""

from django.urls import reverse
from django.utils import timezone

from carnet.access import grants, masks
from carnet.access.services import Actor, Purpose
from carnet.records import services as records

from .emergency import emergency_doctor
from .people import add_child, citizen


def test_the_confidential_item_is_hidden_from_the_parent(client):
    mum = citizen("Sophie Esquirol", language="fr")
    today = timezone.localdate()
    pid = add_child(client, mum, today.replace(year=today.year - 16), given="Lina")
    parent = Actor.of_user(mum)
    patient = records.search(parent, pid, "Patient", Purpose.PROXY).resources[0]
    subj = {"reference": f"Patient/{patient['id']}"}
    kept = records.create(
        parent,
        pid,
        {
            "resourceType": "Observation",
            "status": "final",
            "code": {"text": "Consultation confidentielle"},
            "subject": subj,
        },
        Purpose.PROXY,
    )
    records.create(
        parent,
        pid,
        {
            "resourceType": "Immunization",
            "status": "completed",
            "vaccineCode": {"text": "Rappel DTP des 16 ans"},
            "patient": subj,
            "occurrenceDateTime": "2025-02-01",
        },
        Purpose.PROXY,
    )
    doc = emergency_doctor("Dr Pédiatre")
    grants.set_referent(parent, pid, doc.pk)
    # The minor's opposition, recorded by the doctor (the child has no login of their own).
    masks.keep_from_parents(Actor.of_user(doc), pid, "Observation", kept["id"])

    client.post(reverse("coffre:act_for", args=[pid]))
    page = client.get(reverse("coffre:proxy_record")).content.decode()
    assert "Rappel DTP des 16 ans" in page
    assert "Consultation confidentielle" not in page
    assert 'class="notice"' in page  # says that such care is not shown
