"""Henri reads his access history in sentences: who (name and role), what kinds of items and
how many, when; the same doctor's repeated looks on one line he can unfold; a refusal said
as a refusal. The chain keeps kinds and counts only, sealed, never what the items say."""

import re

from django.urls import reverse

from carnet.access import audit, grants
from carnet.access.models import AuditEntry
from carnet.access.services import Actor, NotFound, Purpose
from carnet.records import services as records

from .access_records import record_with_items
from .people import citizen, english, pro


def _lines(html: str) -> list[str]:
    return re.findall(
        r'<li class="entry[^"]*" data-seq="\d+">.*?</details>|<li class="entry[^"]*" data-seq="\d+">.*?</li>',
        html,
        re.S,
    )


def _henri_and_his_doctor():
    henri, pid, made = record_with_items(citizen("Henri Marty"))
    martin = pro("Dr Martin", "médecin généraliste", "Cabinet des Carmes")
    grants.set_referent(Actor.of_user(henri), pid, martin.pk)
    return henri, pid, made, martin


def test_a_look_says_who_with_their_role_and_what_kinds_how_many(client):
    henri, pid, _made, martin = _henri_and_his_doctor()
    dr = Actor.of_user(martin)
    records.search(dr, pid, "Immunization", Purpose.TREATMENT)
    records.search(dr, pid, "Observation", Purpose.TREATMENT)
    english(client).force_login(henri)
    html = client.get(reverse("coffre:history")).content.decode()
    assert "Dr Martin, your médecin traitant, looked at your record 2 times on" in html, html
    assert "In all: 5 results and measurements and 1 vaccine." in html
    # Unfolded, each look says what it opened.
    assert "Dr Martin, your médecin traitant, looked at 1 vaccine." in html
    assert "Dr Martin, your médecin traitant, looked at 5 results and measurements." in html
    assert '<details class="history-members">' in html


def test_23_looks_are_one_line_that_unfolds(client):
    henri, pid, _made, martin = _henri_and_his_doctor()
    for _ in range(23):
        records.everything(Actor.of_user(martin), pid, Purpose.TREATMENT)
    client.force_login(henri)  # his own language: French
    html = client.get(reverse("coffre:history")).content.decode()
    lines = [
        line
        for line in _lines(html.split("</details>", 1)[1])
        if "Dr Martin, votre médecin traitant, a consulté" in line
    ]
    assert len(lines) == 1
    assert "Dr Martin, votre médecin traitant, a consulté votre dossier 23 fois le" in lines[0]
    assert "Voir les 23 fois une par une" in lines[0]
    assert lines[0].count('<li class="member') == 23


def test_a_refusal_reads_as_a_refusal_with_its_reason(client):
    henri, pid, made, _martin = _henri_and_his_doctor()
    stranger = pro("Dr Curieux", "médecin", "Clinique du Coin")
    try:
        records.read(Actor.of_user(stranger), *made["knee"], Purpose.TREATMENT)
    except NotFound:
        pass
    english(client).force_login(henri)
    html = client.get(reverse("coffre:history")).content.decode()
    assert (
        "Dr Curieux, médecin, tried to see your results and measurements: refused, "
        "because you have not given them access." in html
    )
    assert "Dr Curieux, médecin, looked at" not in html
    client.force_login(henri)
    fr = client.get(reverse("coffre:history"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    del fr  # the French sentence is checked in the browser story


def test_the_chain_keeps_kinds_and_counts_only_sealed():
    henri, pid, _made, martin = _henri_and_his_doctor()
    records.everything(Actor.of_user(martin), pid, Purpose.TREATMENT)
    entry = AuditEntry.objects.filter(patient_id=pid).latest("seq")
    assert b"Immunization" not in bytes(entry.details)  # sealed
    details = audit.history(pid, limit=1)[0]["details"]
    assert details["kinds"] == {
        "AllergyIntolerance": 1,
        "Condition": 2,
        "Immunization": 1,
        "MedicationRequest": 1,
        "Observation": 5,
        "Patient": 1,
    }
    assert entry.count == 11 and audit.verify_chain(pid)[1] is None
