"""« Facile à lire » and « Écouter » in Chromium at 360 px, from the keyboard alone.

Karim turns easy-read on from the header switch, reads his easy-read home (pictograms drawn),
reminders, sharing, emergency card, help and access history, each axe-clean, listens to his
reminders (the browser's own speech synthesis, replaced here by a recorder), then turns
easy-read off. A visitor's easy-read sign-up page is axe-clean too. Read aloud follows the
page's language: an item of his record read in English is spoken in English.
"""

from __future__ import annotations

import json

import pytest

from tests.browser import (
    PASSWORD,
    VIEWPORTS,
    check_page,
    cleanup,
    require_chromium,
    start_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

KARIM = "karim.facile@example.org"
DOCTOR = "claire.fabre@example.org"

SETUP = """
import datetime as dt, json
from django.utils import timezone
from carnet.access import grants
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.accounts.models import User
from carnet.records import imports
from carnet.records import services as records
today = timezone.localdate()
karim = User.objects.get(email=%(karim)r)
doctor = User.objects.get(email=%(doctor)r)
pid = accounts.patient_of(karim).pk
p = {"reference": "urn:uuid:p"}
entries = [
    {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "gender": "male",
     "birthDate": (today - dt.timedelta(days=59 * 365)).isoformat(),
     "name": [{"family": "Benali", "given": ["Karim"]}]}},
    {"fullUrl": "urn:uuid:c", "resource": {"resourceType": "Condition", "subject": p,
     "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
     "code": {"coding": [{"system": "http://snomed.info/sct", "code": "44054006"}]},
     "onsetDateTime": (today - dt.timedelta(days=6 * 365)).isoformat()}},
    {"fullUrl": "urn:uuid:o", "resource": {"resourceType": "Observation", "status": "final", "subject": p,
     "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4"}]},
     "effectiveDateTime": (today - dt.timedelta(days=150)).isoformat(),
     "valueQuantity": {"value": 7.1, "unit": "%%"}}},
    {"fullUrl": "urn:uuid:m", "resource": {"resourceType": "MedicationRequest", "status": "active",
     "intent": "order", "subject": p, "medicationCodeableConcept": {"text": "Metformine 1000 mg"},
     "authoredOn": (today - dt.timedelta(days=60)).isoformat(),
     "dosageInstruction": [{"text": "1 comprimé matin et soir"}],
     "dispenseRequest": {"validityPeriod": {"start": (today - dt.timedelta(days=60)).isoformat(),
                                            "end": (today + dt.timedelta(days=10)).isoformat()}}}},
]
done = imports.import_bundle(Actor.operator(), {"resourceType": "Bundle", "type": "collection",
    "entry": entries}, patient_id=pid, filename="karim.json", purpose=Purpose.OPERATIONS)
grants.share(Actor.of_user(karim), pid, doctor.pk, categories=["treatments", "problems"])
records.search(Actor.of_user(doctor), pid, "MedicationRequest", "treatment")
item = next(i for t, i, _v in done.locations if t == "MedicationRequest")
print(json.dumps({"item": item}))
"""

# The browser's speech synthesis, replaced by a recorder: each utterance's text and language;
# the test ends each utterance itself (``__endSpeech``), as the voice would.
RECORDER = """
(() => {
  if (!window.speechSynthesis) {
    Object.defineProperty(window, "speechSynthesis", {value: {getVoices: () => []}});
    window.SpeechSynthesisUtterance = function (text) { this.text = text; };
  }
  window.__spoken = [];
  window.__speaking = null;
  window.speechSynthesis.speak = (u) => { window.__spoken.push({text: u.text, lang: u.lang}); window.__speaking = u; };
  window.speechSynthesis.cancel = () => { window.__speaking = null; };
  window.__endSpeech = () => {
    let n = 0;
    while (window.__speaking && n < 1000) {
      const u = window.__speaking;
      window.__speaking = null;
      if (u.onend) u.onend(new Event("end"));
      n += 1;
    }
    return n;
  };
})();
"""


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.create_user(KARIM, "citizen", "--name", "Karim Benali")
        srv.create_user(
            DOCTOR, "practitioner", "--name", "Claire Fabre", "--rpps", "10999990871",
            "--profession", "médecin généraliste",
        )  # fmt: skip
        out = srv.carnet("shell", "-c", SETUP % {"karim": KARIM, "doctor": DOCTOR})
        srv.facts = json.loads(out.strip().splitlines()[-1])
        yield srv
    finally:
        cleanup(srv)


def _press(page, locator) -> None:
    """Activate a control from the keyboard: focus it, press Enter, wait for the next page."""
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _sign_in(page, server) -> None:
    page.goto(server.url + "/accounts/login/")
    page.fill("input[name=login]", KARIM)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _listen(page) -> list[dict]:
    """Press « Écouter » from the keyboard; it says « Arrêter » while speaking; all is said."""
    button = page.locator("[data-read-aloud-button]")
    assert button.is_visible()
    button.focus()
    page.keyboard.press("Enter")
    assert button.inner_text().strip() in ("Arrêter", "Stop")
    page.evaluate("window.__endSpeech()")
    assert button.inner_text().strip() in ("Écouter", "Read aloud")
    return page.evaluate("window.__spoken")


def test_karim_reads_and_listens_to_his_pages_in_easy_read(server, chromium):
    context = chromium.new_context(viewport=VIEWPORTS["mobile"], locale="fr-FR")
    context.add_init_script(RECORDER)
    page = context.new_page()
    _sign_in(page, server)
    assert page.locator("main [data-easy-read]").count() == 0
    problems = []

    # On, from the header switch.
    _press(page, page.locator("header .easy-switch button"))
    assert page.locator("main [data-easy-read]").count() == 1
    pictos = page.locator("main img.picto")
    assert pictos.count() >= 5
    assert page.evaluate(
        "[...document.querySelectorAll('main img.picto')].every(i => i.naturalWidth > 0)"
    ), "every pictogram is drawn"
    assert "Metformine 1000 mg" in page.inner_text("main")
    looks = page.evaluate(
        """() => { const p = getComputedStyle(document.querySelector('main [data-easy-read] p'));
        const body = parseFloat(getComputedStyle(document.body).fontSize);
        return {size: parseFloat(p.fontSize) / body, line: parseFloat(p.lineHeight) / parseFloat(p.fontSize),
                align: p.textAlign}; }"""
    )
    assert looks["size"] >= 1.25 and looks["line"] >= 1.7 and looks["align"] == "start", looks
    problems += check_page(page, "facile-accueil", "mobile")

    # Reminders, through the menu, from the keyboard.
    toggle = page.locator("nav.main-nav .menu-toggle")
    if toggle.is_visible():
        toggle.focus()
        page.keyboard.press("Enter")
    _press(page, page.locator("nav.main-nav a[href='/rappels/']"))
    main = page.inner_text("main")
    assert page.locator("main [data-easy-read]").count() == 1
    assert "Une prise de sang" in main and "Metformine 1000 mg" in main
    problems += check_page(page, "facile-rappels", "mobile")
    spoken = _listen(page)
    said = " ".join(u["text"] for u in spoken)
    assert {u["lang"] for u in spoken} == {"fr"}
    assert page.inner_text("main h1") in said and "Une prise de sang" in said
    assert "Me le rappeler dans un mois" not in said  # buttons are not read
    assert max(len(u["text"]) for u in spoken) <= 200  # in short pieces

    for name, path in [
        ("facile-partage", "/partage/"),
        ("facile-carte-urgence", "/dossier/carte-urgence/"),
        ("facile-aide", "/aide/"),
        ("facile-historique", "/historique/"),
    ]:
        assert page.goto(server.url + path).status == 200, path
        assert page.locator("main [data-easy-read]").count() == 1, path
        problems += check_page(page, name, "mobile")
    assert "Claire Fabre" in page.inner_text("main")  # the history says who looked

    # Off again, from the same switch: the usual history.
    _press(page, page.locator("header .easy-switch button"))
    assert page.locator("main [data-easy-read]").count() == 0
    assert page.locator("main h1").inner_text() == "Qui a consulté mon dossier"

    # An item of the record, read aloud in English.
    context.add_cookies([{"name": "django_language", "value": "en", "url": server.url}])
    page.goto(server.url + f"/dossier/element/{server.facts['item']}/")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.evaluate("window.__spoken = []")
    spoken = _listen(page)
    assert {u["lang"] for u in spoken} == {"en"}
    assert "Metformine 1000 mg" in " ".join(u["text"] for u in spoken)
    context.close()

    # A visitor's easy-read sign-up page.
    context = chromium.new_context(viewport=VIEWPORTS["mobile"], locale="fr-FR")
    page = context.new_page()
    page.goto(server.url + "/accounts/signup/")
    _press(page, page.locator("header .easy-switch button"))
    assert page.locator("main [data-easy-read]").count() == 1
    assert page.locator("main input[name=email]").count() == 1
    problems += check_page(page, "facile-inscription", "mobile")
    context.close()
    assert not problems, "\n".join(problems)
