"""The workshop's stories of emergency access and proxies, in a real Chromium at 360 px.

1. Sophie Esquirol gets proxy access to her father Henri Marty's space, reads his
   treatments while "acting for Henri Marty", and loses access the moment he revokes it.
2. An emergency doctor breaks the glass for Karim Haddad (diabetes): Karim gets an SMS
   (the file SMS backend), sees the access flagged in his history and on his emergency
   page, makes an emergency card whose QR code opens the record for a signed-in doctor
   only, and refuses emergency access in advance.

Demo personas come from ``carnet demo``; every page is checked with axe-core and for
sideways scrolling, and screenshotted to /tmp/carnet-shots/ (coffre-*.png).
"""

from __future__ import annotations

import json
import time

import pytest

from carnet.demo import personas
from tests.browser import (
    PASSWORD,
    VIEWPORTS,
    check_page,
    cleanup,
    open_menu,
    require_chromium,
    start_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

FATHER, DAUGHTER, DIABETIC = personas.FATHER, personas.DAUGHTER, personas.DIABETIC
DOCTOR = "hugo.rangueil@example.org"
KARIM_PHONE = "+33611223344"


@pytest.fixture(scope="module")
def server():
    require_chromium()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CARNET_SMS_BACKEND", "file")
        srv = start_server()
    try:
        srv.carnet("demo", "--without-stories")  # the test plays the stories itself
        srv.create_user(
            DOCTOR,
            "practitioner",
            "--name",
            "Dr Hugo Rangueil",
            "--rpps",
            "10999990996",
            "--profession",
            "médecin urgentiste",
        )
        # Karim chose to be told by SMS too (no preferences page yet: set as he would).
        srv.carnet(
            "shell",
            "-c",
            "from carnet.accounts.models import User; from carnet.notify import services; "
            f"services.update_preferences(User.objects.get(email='{DIABETIC.email}'), "
            f"sms=True, phone='{KARIM_PHONE}')",
        )
        yield srv
    finally:
        cleanup(srv)


def _page(chromium, viewport="mobile"):
    context = chromium.new_context(viewport=VIEWPORTS[viewport], locale="fr-FR")
    return context, context.new_page()


def sign_in(page, server, email: str, password: str, then: str = "") -> None:
    page.goto(server.url + "/accounts/login/" + (f"?next={then}" if then else ""))
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]:not(#passkey_login)")
    page.wait_for_load_state()


def tab_to(page, selector: str, presses: int = 60) -> None:
    """Move the focus with Tab alone until it reaches the element (keyboard use)."""
    target = page.locator(selector).first.element_handle()
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", target):
            return
    pytest.fail(f"{selector} cannot be reached with Tab")


def test_the_daughter_reads_her_fathers_treatments_until_he_revokes(server, chromium):
    problems = []
    henri_ctx, henri = _page(chromium)
    sign_in(henri, server, FATHER.email, FATHER.password)
    henri.goto(server.url + "/procurations/")
    problems += check_page(henri, "coffre-proxy-list-empty", "mobile")
    # A mistake first: the page says what to do and changes nothing.
    henri.fill("#id_email", "inconnue@example.org")
    henri.click("main form button[type=submit]")
    assert henri.locator("#email-error").count() == 1
    problems += check_page(henri, "coffre-proxy-list-error", "mobile")
    henri.fill("#id_email", DAUGHTER.email)
    henri.check("input[name=permissions][value=appointments]")
    henri.click("main form button[type=submit]")
    henri.wait_for_selector("ul.proxies li.card")
    assert "Sophie Esquirol" in henri.inner_text("ul.proxies")
    problems += check_page(henri, "coffre-proxy-list", "mobile")

    sophie_ctx, sophie = _page(chromium)
    sign_in(sophie, server, DAUGHTER.email, DAUGHTER.password)
    sophie.goto(server.url + "/mes-proches/")
    assert "Henri Marty" in sophie.inner_text("main")
    problems += check_page(sophie, "coffre-proxy-spaces", "mobile")
    # « Mes proches » is in her menu; from home, one tap opens her father's record, with
    # the keyboard alone: Tab to « Ouvrir le dossier de Henri Marty », Enter.
    sophie.goto(server.url + "/")
    open_menu(sophie)
    assert sophie.locator("nav.main-nav a[href$='/mes-proches/']").is_visible()
    button = sophie.locator(".home-relatives form[action$='/agir/'] button")
    assert button.inner_text() == "Ouvrir le dossier de Henri Marty"
    problems += check_page(sophie, "coffre-home-relatives", "mobile")
    tab_to(sophie, ".home-relatives form[action$='/agir/'] button")
    sophie.keyboard.press("Enter")
    sophie.wait_for_url("**/mes-proches/dossier/")
    banner = sophie.locator(".acting-banner")
    assert banner.is_visible() and "Henri Marty" in banner.inner_text()
    treatments = sophie.inner_text("#s-treatments + ul")
    assert "Apixaban 2,5 mg" in treatments and "Bisoprolol 2,5 mg" in treatments
    problems += check_page(sophie, "coffre-proxy-record", "mobile")
    # The banner stays on every page, the home page included.
    sophie.goto(server.url + "/")
    assert sophie.locator(".acting-banner").is_visible()
    sophie.goto(server.url + "/compte/")
    assert "Henri Marty" in sophie.inner_text(".acting-banner")

    # His history shows his daughter reading for him.
    henri.goto(server.url + "/historique/")
    assert "Sophie Esquirol" in henri.inner_text("main")

    # He takes it back; her very next page no longer opens his record.
    henri.goto(server.url + "/procurations/")
    henri.click("form[action$='/retirer/'] button")
    henri.wait_for_load_state()
    assert henri.locator("ul.proxies").count() == 0
    sophie.goto(server.url + "/mes-proches/dossier/")
    sophie.wait_for_url("**/mes-proches/")
    assert sophie.locator(".acting-banner").count() == 0
    assert sophie.locator("form[action$='/agir/']").count() == 0
    assert "Henri Marty a mis fin à votre accès le" in sophie.inner_text("main")
    assert "Apixaban" not in sophie.content()
    problems += check_page(sophie, "coffre-proxy-revoked", "mobile")
    sophie.goto(server.url + "/mes-proches/enfant/")
    problems += check_page(sophie, "coffre-child-add", "mobile")
    henri_ctx.close()
    sophie_ctx.close()
    assert not problems, "\n\n".join(problems)


def _sms_to(server, phone: str) -> list[dict]:
    path = server.data_dir / "sms.jsonl"
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [m for m in lines if m["to"] == phone]


def test_an_emergency_doctor_breaks_the_glass_for_the_man_with_diabetes(server, chromium):
    problems = []
    doc_ctx, doc = _page(chromium)
    sign_in(doc, server, DOCTOR, PASSWORD)
    open_menu(doc)
    doc.click("nav.main-nav a[href$='/urgence/']")  # the « Urgence » menu entry
    doc.wait_for_url("**/urgence/")
    problems += check_page(doc, "coffre-emergency-start", "mobile")
    doc.fill("#id_email", DIABETIC.email)
    doc.click("main form button[type=submit]")  # no reason: refused, says what to write
    assert doc.locator("#reason-error").is_visible()
    problems += check_page(doc, "coffre-emergency-start-error", "mobile")
    doc.fill("#id_reason", "Retrouvé inconscient à domicile, glycémie à 0,4 g/L")
    doc.click("main form button[type=submit]")
    doc.wait_for_url("**/urgence/dossier/*/")
    banner = doc.locator(".emergency-banner")
    assert banner.is_visible() and "Karim Haddad" in banner.inner_text()
    assert doc.locator(".time-left [data-part=h]").inner_text() in ("3", "4")
    assert "Metformine 1000 mg" in doc.inner_text("#s-treatments + ul")
    assert "Diabète de type 2" in doc.inner_text("#s-problems + ul")
    problems += check_page(doc, "coffre-emergency-record", "mobile")

    # Karim is told by SMS (delivered by the worker of `carnet serve`).
    for _ in range(300):
        if _sms_to(server, KARIM_PHONE):
            break
        time.sleep(0.2)
    sms = _sms_to(server, KARIM_PHONE)
    assert len(sms) == 1 and "urgence" in sms[0]["text"].lower()
    assert "Rangueil" not in sms[0]["text"]  # who and why are read in Carnet, not in an SMS

    # He sees the access flagged in his history and on his emergency page.
    karim_ctx, karim = _page(chromium)
    sign_in(karim, server, DIABETIC.email, DIABETIC.password)
    karim.goto(server.url + "/historique/")
    assert karim.locator("li.entry.flagged").count() >= 1
    assert "Hugo Rangueil" in karim.inner_text("main")
    problems += check_page(karim, "coffre-history-flagged", "mobile")
    karim.goto(server.url + "/mes-urgences/")
    assert "glycémie à 0,4 g/L" in karim.inner_text(".sessions")
    problems += check_page(karim, "coffre-emergency-settings", "mobile")

    # His emergency card: a QR code of an address that needs a signed-in doctor.
    karim.click("form[action$='/mes-urgences/carte/'] button")
    karim.wait_for_selector(".emergency-card img.qr")
    problems += check_page(karim, "coffre-card-print", "mobile")
    url = karim.inner_text(".card-url .token").strip()
    path = url[url.index("/urgence/carte/") :]
    stranger_ctx, stranger = _page(chromium)
    stranger.goto(server.url + path)
    assert "Karim" not in stranger.content() and "112" in stranger.inner_text("main")
    problems += check_page(stranger, "coffre-card-anonymous", "mobile")
    stranger_ctx.close()
    samu_ctx, samu = _page(chromium)
    sign_in(samu, server, personas.GP.email, personas.GP.password, then=path)
    samu.wait_for_url("**" + path)
    problems += check_page(samu, "coffre-card-open", "mobile")
    samu.fill("#id_reason", "Malaise sur la voie publique")
    samu.click("main form button[type=submit]")
    samu.wait_for_url("**/urgence/dossier/*/")
    assert "Metformine 1000 mg" in samu.inner_text("#s-treatments + ul")

    # He refuses emergency access in advance: the next doctor cannot open it.
    karim.goto(server.url + "/mes-urgences/")
    karim.click("form[action$='/refus/'] button")
    karim.wait_for_load_state()
    problems += check_page(karim, "coffre-emergency-refused", "mobile")
    doc.goto(server.url + doc.url.split(server.url, 1)[1])
    assert doc.locator(".emergency-banner").count() == 0  # his refusal ended it at once
    problems += check_page(doc, "coffre-emergency-over", "mobile")
    for ctx in (doc_ctx, karim_ctx, samu_ctx):
        ctx.close()
    assert not problems, "\n\n".join(problems)


def test_desktop_pages_pass_axe(server, chromium):
    problems = []
    context, page = _page(chromium, "desktop")
    sign_in(page, server, FATHER.email, FATHER.password)
    for name, path in [
        ("coffre-proxy-list", "/procurations/"),
        ("coffre-emergency-settings", "/mes-urgences/"),
    ]:
        page.goto(server.url + path)
        problems += check_page(page, name, "desktop")
    context.close()
    context, page = _page(chromium, "desktop")
    sign_in(page, server, DOCTOR, PASSWORD)
    page.goto(server.url + "/urgence/")
    problems += check_page(page, "coffre-emergency-start", "desktop")
    context.close()
    assert not problems, "\n\n".join(problems)


def test_henri_reads_his_access_history_in_sentences(server, chromium):
    """A doctor's repeated looks are one line, with kinds and counts, that unfolds; a refusal
    reads as a refusal; his own sharing is there, in French sentences."""
    curious = server.create_user(
        "dr.curieux@example.org",
        "practitioner",
        "--name",
        "Dr Paul Curieux",
        "--rpps",
        "10999990988",
        "--profession",
        "médecin",
    )
    server.carnet(
        "shell",
        "-c",
        "from carnet.accounts.models import User; from carnet.accounts import services as a; "
        "from carnet.access import grants; from carnet.access.labels import CATEGORIES; "
        "from carnet.access.services import Actor, NotFound; "
        "from carnet.records import services as r; "
        f"h = User.objects.get(email='{FATHER.email}'); pid = a.patient_of(h).pk; "
        f"doc = Actor.of_user(User.objects.get(email='{DOCTOR}')); "
        "grants.share(Actor.of_user(h), pid, doc.user_id, categories=CATEGORIES, "
        "duration='month'); "
        "[r.search(doc, pid, t, 'treatment') for t in ('Immunization', 'MedicationRequest')]; "
        f"cur = Actor.of_user(User.objects.get(email='{curious}'))\n"
        "try:\n    r.search(cur, pid, 'Observation', 'treatment')\n"
        "except NotFound:\n    pass",
    )
    ctx, henri = _page(chromium)
    sign_in(henri, server, FATHER.email, FATHER.password)
    henri.goto(server.url + "/historique/")
    main = henri.inner_text("main")
    grouped = henri.locator("li.entry", has_text="Dr Hugo Rangueil, médecin urgentiste, a consulté")
    assert grouped.count() == 1
    line = grouped.inner_text()
    assert "a consulté votre dossier 2 fois le" in line and "En tout :" in line
    assert (
        "Dr Paul Curieux, médecin, a essayé de voir vos résultats et mesures : refusé, car" in main
    )
    assert "Vous avez partagé votre dossier avec Dr Hugo Rangueil." in main
    grouped.locator("summary").click()
    assert grouped.locator("li.member").first.is_visible()
    problems = check_page(henri, "coffre-history-sentences", "mobile")
    ctx.close()
    assert not problems, "\n\n".join(problems)
