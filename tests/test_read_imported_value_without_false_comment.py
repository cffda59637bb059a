"""Read an imported C-CDA measurement: the document's narrative that only says the value again
(« 37.58 kg/m2 », « 80 /min ») is not shown as « Le commentaire de votre équipe soignante »;
a narrative that says more is a real comment and keeps that label."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers, services, views_results, words
from tests import plain_words
from tests.helpers import DATA, citizen

CCDA = DATA / "cda" / "hl7-ccda" / "Documents"
CCD2 = CCDA / "CCD" / "CCD 2" / "CCD.xml"
SAMPLES = sorted(p for p in CCDA.rglob("*") if p.suffix.lower() == ".xml")
LABEL = "Le commentaire de votre équipe soignante"


def _import(user, data: bytes, name: str):
    pid = accounts.patient_of(user).pk
    importers.import_file(Actor.of_user(user), pid, data, name, Purpose.SELF)
    return pid


def _observations(user, pid):
    return [
        r
        for r in services.everything(Actor.of_user(user), pid, Purpose.SELF)
        if r["resourceType"] == "Observation"
    ]


def _page(client, user, item_id) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(reverse("records:item", args=[item_id]))
    assert response.status_code == 200
    return plain_words.visible_text(response.content.decode())


def _code(r) -> str:
    return r["code"]["coding"][0]["code"]


def test_vital_signs_narrative_is_not_a_care_team_comment(client):
    user = citizen()
    pid = _import(user, CCD2.read_bytes(), CCD2.name)
    vitals = {_code(r): r for r in _observations(user, pid) if "valueQuantity" in r}
    # The narrative's table cells, each only the value again (some rounded, some with a unit).
    for code, value, said in [
        ("39156-5", "37,6", "37.58 kg/m2"),
        ("8867-4", "80", "80 /min"),
        ("3141-9", "108,9", "108.8 kg"),
        ("8310-5", "37,2", "37.2 C"),
        ("8480-6", "120", "mm[Hg]"),
    ]:
        assert code in vitals, code
        assert "note" not in vitals[code], vitals[code].get("note")
        text = _page(client, user, vitals[code]["id"])
        assert LABEL not in text and said not in text, (code, text[:400])
        assert f"La mesure {value}" in text  # the value, in plain words


def test_every_sample_keeps_only_notes_that_say_more_than_the_value():
    seen = 0
    for n, path in enumerate(SAMPLES):
        user = citizen(f"sample{n}@example.org")
        pid = _import(user, path.read_bytes(), path.name)
        for r in _observations(user, pid):
            seen += 1
            for note in r.get("note") or []:
                assert not words.repeats_value(note["text"], r), (path.name, note)
            for c in views_results.comments(r, "import")[0]:
                assert c["text"] not in {"80 /min", "37.58 kg/m2", "98%", "120", "80"}, c
    assert seen > 20


def test_a_real_comment_in_the_narrative_keeps_its_label(client):
    data = CCD2.read_bytes().replace(
        b'<td ID="Pulse_1">80 /min</td>',
        b'<td ID="Pulse_1">80 /min, pris au repos apr\xc3\xa8s la course</td>',
    )
    assert data != CCD2.read_bytes()
    user = citizen()
    pid = _import(user, data, CCD2.name)
    [pulse] = [r for r in _observations(user, pid) if _code(r) == "8867-4"]
    assert pulse["note"] == [{"text": "80 /min, pris au repos après la course"}]
    text = _page(client, user, pulse["id"])
    # The note has no author: it is the file's own words, said as such (not the care team's).
    assert "Note du fichier d’origine" in text and "pris au repos après la course" in text


def test_a_note_stored_before_says_only_the_value_and_is_not_shown():
    """Records imported before the fix: the page does not show such a note either."""
    obs = {
        "resourceType": "Observation",
        "code": {"coding": [{"system": "http://loinc.org", "code": "39156-5"}]},
        "valueQuantity": {"value": 37.58, "unit": "kg/m2", "code": "kg/m2"},
        "note": [{"text": "37.58 kg/m2"}, {"text": "IMC à surveiller"}],
    }
    pro, _mine = views_results.comments(obs, "import")
    assert [c["text"] for c in pro] == ["IMC à surveiller"]
    bp = {
        "resourceType": "Observation",
        "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
        "component": [
            {
                "code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
                "valueQuantity": {"value": 120, "code": "mm[Hg]"},
            },
            {
                "code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
                "valueQuantity": {"value": 80, "code": "mm[Hg]"},
            },
        ],
        "note": [{"text": "120/80mm[Hg]"}],
    }
    assert views_results.comments(bp, "import") == ([], [])
    # A number the value does not hold makes it a comment.
    bp["note"] = [{"text": "120/80, à reprendre dans 3 mois"}]
    assert views_results.comments(bp, "import")[0]
