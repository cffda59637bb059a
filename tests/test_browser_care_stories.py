"""The Plateforme's stories in a real Chromium, and every care page checked at 360 px and desktop.

(a) Sophie Esquirol, who holds a proxy for her father Henri Marty, finds his doctor in the
    directory, books an appointment for him and writes to her; Dr Garonne reads it.
(b) Karim Haddad (type 2 diabetes) asks for a renewal of his metformin; Dr Garonne issues
    it and the new prescription is in his record.
(c) axe-core, no sideways scrolling and a screenshot (/tmp/carnet-shots/care-*.png) for
    each care page, on a phone (360 px) and a desktop.

Demo personas come from ``carnet demo``; the sharing a person would set in the app (the
médecin traitant, the daughter's proxy, the doctor's opening hours) is set up through the
same services from ``carnet shell``.
"""

from __future__ import annotations

import pytest

from carnet.demo import personas
from tests.browser import (
    VIEWPORTS,
    check_page,
    cleanup,
    require_chromium,
    sign_in_as,
    start_server,
)

from .directory import extract, rpps_line

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

FATHER, DAUGHTER, DIABETIC = personas.FATHER, personas.DAUGHTER, personas.DIABETIC
GP, CARDIO = personas.GP, personas.CARDIOLOGIST

SETUP = f"""
from carnet.accounts.models import User
from carnet.accounts import services as accounts
from carnet.access import grants, proxies
from carnet.access.services import Actor
from carnet.care import appointments
u = lambda e: User.objects.get(email=e)
henri, sophie, karim = u("{FATHER.email}"), u("{DAUGHTER.email}"), u("{DIABETIC.email}")
gp, cardio = u("{GP.email}"), u("{CARDIO.email}")
hp, kp = accounts.patient_of(henri).pk, accounts.patient_of(karim).pk
grants.set_referent(Actor.of_user(henri), hp, gp.pk)
grants.set_referent(Actor.of_user(karim), kp, gp.pk)
grants.share(Actor.of_user(henri), hp, cardio.pk, categories=["treatments"], duration="month")
proxies.add_proxy(Actor.of_user(henri), hp, sophie.pk,
                  permissions=("read", "appointments", "messages"))
appointments.publish(Actor.of_user(gp),
                     {{d: [["08:00", "12:00"], ["14:00", "19:00"]] for d in range(7)}},
                     [("Consultation", 20), ("Renouvellement", 15)])
"""


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.carnet("demo", "--without-stories")  # the stories are played below
        srv.carnet("shell", "-c", SETUP)
        listing = srv.data_dir / "annuaire.txt"
        listing.write_bytes(
            extract(
                [
                    rpps_line(
                        GP.rpps, "GARONNE", "Claire", specialty_code="SM54",
                        specialty="Médecine Générale", town="Toulouse", postcode="31300",
                    ),
                    rpps_line(
                        CARDIO.rpps, "CAPITOLE", "Marc", specialty_code="SM04",
                        specialty="Cardiologie", town="Toulouse", postcode="31000",
                    ),
                    rpps_line("10000000099", "GARONNET", "Hélène", town="Albi"),
                ]
            )
        )  # fmt: skip
        srv.carnet("directory", "import", str(listing))
        yield srv
    finally:
        cleanup(srv)


def _page(chromium, viewport="mobile"):
    context = chromium.new_context(viewport=VIEWPORTS[viewport], locale="fr-FR")
    return context, context.new_page()


def test_a_the_daughter_books_for_her_father_and_writes_to_his_doctor(server, chromium):
    problems = []
    ctx, sophie = _page(chromium)
    sign_in_as(sophie, server, DAUGHTER)
    sophie.goto(server.url + "/mes-proches/")
    sophie.click("form[action$='/agir/'] button")
    sophie.wait_for_url("**/mes-proches/dossier/")

    # The directory, by POST: accents and capitals do not matter.
    sophie.goto(server.url + "/annuaire/")
    sophie.fill("#id_q", "garonné")
    sophie.click("main form[role=search] button[type=submit]")
    sophie.wait_for_load_state()
    assert "/annuaire/" in sophie.url and "garonn" not in sophie.url.lower()
    # GARONNE Claire (the demo lists her, the extract once more with her practice) and
    # GARONNET Hélène; nobody else.
    found = sophie.locator("li[data-listing]").all_inner_texts()
    assert any("Hélène" in t for t in found) and any("Claire" in t for t in found)
    assert all("Hélène" in t or "Claire" in t for t in found), found
    claire = sophie.locator(
        "li[data-listing]", has=sophie.locator("[data-on-carnet]"), has_text="Médecine Générale"
    ).first
    assert "Toulouse" in claire.inner_text()
    problems += check_page(sophie, "care-directory-results", "mobile")

    # Book for Henri: a kind of appointment, the first free time, confirm.
    claire.locator("a[href*='/rendez-vous/prendre/']").click()
    sophie.wait_for_url("**/rendez-vous/prendre/*/")
    sophie.locator("main ul.care-actions a").first.click()
    sophie.wait_for_load_state()
    problems += check_page(sophie, "care-booking-slots", "mobile")
    sophie.locator("input[name=start]").first.check()
    sophie.click("main form.care-form button[type=submit]")
    sophie.wait_for_url("**/rendez-vous/")
    booked = sophie.locator("li[data-appointment]")
    assert booked.count() == 1 and "Dr Claire Garonne" in booked.inner_text()
    assert "Henri Marty" in sophie.inner_text(".acting-banner")

    # Write to his doctor, from the directory's link.
    sophie.goto(server.url + "/annuaire/")
    sophie.fill("#id_q", "Claire Garonne")
    sophie.click("main form[role=search] button[type=submit]")
    sophie.wait_for_load_state()
    sophie.locator("li[data-listing] a[href*='/messages/nouveau/']").first.click()
    sophie.wait_for_url("**/messages/nouveau/**")
    sophie.fill("#id_subject", "Toux de papa")
    sophie.fill("#id_text", "Papa tousse depuis une semaine, faut-il avancer le rendez-vous ?")
    sophie.click("main form.care-form button[type=submit]")
    sophie.wait_for_url("**/messages/*/")
    assert "Papa tousse depuis une semaine" in sophie.inner_text("main")
    ctx.close()

    ctx, doctor = _page(chromium)
    sign_in_as(doctor, server, GP)
    # Her home is her workspace: an unread message, today's or next appointment.
    assert doctor.locator("[data-tile=messages]").inner_text().startswith("1 ")
    assert "Henri Marty" in doctor.inner_text("main")
    doctor.click("[data-tile=messages] a")
    doctor.wait_for_url("**/pro/messages/")
    doctor.click("text=Toux de papa")
    doctor.wait_for_url("**/messages/*/")
    thread = doctor.inner_text("main")
    assert "Papa tousse depuis une semaine" in thread and "Sophie Esquirol" in thread
    ctx.close()
    assert not problems, "\n\n".join(problems)


def test_b_the_man_with_diabetes_gets_his_metformin_renewed(server, chromium):
    problems = []
    ctx, karim = _page(chromium)
    sign_in_as(karim, server, DIABETIC)
    karim.goto(server.url + "/renouvellements/")
    card = karim.locator("li.card", has_text="Metformine 1000 mg").first
    card.locator("a[href*='/renouvellements/demander/']").click()  # tap 1
    karim.wait_for_url("**/renouvellements/demander/**")
    assert "Dr Claire Garonne" in karim.inner_text("main")
    karim.click("main form button[type=submit]")  # tap 2
    karim.wait_for_url("**/renouvellements/")
    assert karim.locator("li[data-status=pending]").count() == 1

    doc_ctx, doctor = _page(chromium)
    sign_in_as(doctor, server, GP)
    assert doctor.locator("[data-tile=renewals]").inner_text().startswith("1 ")
    doctor.click("[data-tile=renewals] a")
    doctor.wait_for_url("**/pro/renouvellements/")
    assert "Metformine 1000 mg" in doctor.inner_text("main")
    doctor.click("main a[href*='/pro/renouvellements/']")
    doctor.wait_for_url("**/pro/renouvellements/*/")
    problems += check_page(doctor, "care-pro-renewal", "mobile")
    doctor.click("button[value=accept]")
    doctor.wait_for_url("**/pro/renouvellements/")
    doc_ctx.close()

    karim.goto(server.url + "/renouvellements/")
    assert karim.locator("li[data-status=accepted]").count() == 1
    karim.click("a[data-issued]")
    karim.wait_for_url("**/dossier/element/*/")
    item = karim.inner_text("main")
    assert "Metformine 1000 mg" in item and "Garonne" in item
    problems += check_page(karim, "care-renewal-issued", "mobile")
    ctx.close()
    assert not problems, "\n\n".join(problems)


PERSON_PAGES = [
    ("directory", "/annuaire/"),
    ("appointments", "/rendez-vous/"),
    ("messages", "/messages/"),
    ("message-new", "/messages/nouveau/"),
    ("renewals", "/renouvellements/"),
]
PRO_PAGES = [
    ("pro-workspace", "/pro/"),
    ("pro-agenda", "/pro/agenda/"),
    ("pro-hours", "/pro/agenda/horaires/"),
    ("pro-renewals", "/pro/renouvellements/"),
    ("pro-messages", "/pro/messages/"),
    ("pro-message-habit", "/pro/messages/reglages/"),
]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_c_every_care_page_is_accessible_and_fits(server, chromium, viewport):
    problems = []
    ctx, page = _page(chromium, viewport)
    sign_in_as(page, server, FATHER)
    for name, path in PERSON_PAGES:
        page.goto(server.url + path)
        problems += check_page(page, f"care-{name}", viewport)
    page.goto(server.url + "/annuaire/")
    page.click("main form[role=search] button[type=submit]")  # empty: says what to do
    page.wait_for_load_state()
    problems += check_page(page, "care-directory-error", viewport)
    page.fill("#id_town", "toulouse")
    page.click("main form[role=search] button[type=submit]")
    page.wait_for_load_state()
    problems += check_page(page, "care-directory-town", viewport)
    page.goto(server.url + "/rendez-vous/")
    booking = page.locator("a[href*='/rendez-vous/prendre/']").first.get_attribute("href")
    page.goto(server.url + booking)
    problems += check_page(page, "care-booking", viewport)
    ctx.close()

    ctx, page = _page(chromium, viewport)
    sign_in_as(page, server, GP)
    for name, path in PRO_PAGES:
        page.goto(server.url + path)
        problems += check_page(page, f"care-{name}", viewport)
    team = page.goto(server.url + "/pro/").ok and page.locator("a[href*='/pro/messages/equipe/']")
    page.goto(server.url + team.first.get_attribute("href"))
    problems += check_page(page, "care-pro-team-new", viewport)
    ctx.close()
    assert not problems, "\n\n".join(problems)


def test_d_a_conversation_thread_on_both_sides(server, chromium):
    """The thread page, for the person and for the practitioner, on a phone."""
    problems = []
    ctx, page = _page(chromium)
    sign_in_as(page, server, FATHER)
    page.goto(server.url + "/messages/nouveau/")
    page.select_option("#id_practitioner", label="Dr Claire Garonne (Médecin généraliste)")
    page.fill("#id_subject", "Résultats")
    page.fill("#id_text", "Bonjour docteur, avez-vous reçu mes résultats ?")
    page.click("main form.care-form button[type=submit]")
    page.wait_for_url("**/messages/*/")
    thread_url = page.url
    problems += check_page(page, "care-thread", "mobile")
    ctx.close()

    ctx, page = _page(chromium)
    sign_in_as(page, server, GP)
    page.goto(thread_url)
    page.fill("#id_text", "Oui, tout est normal.")
    page.click("main form.care-form button[type=submit]")
    page.wait_for_load_state()
    assert "Oui, tout est normal." in page.inner_text("main")
    problems += check_page(page, "care-pro-thread", "mobile")
    ctx.close()
    assert not problems, "\n\n".join(problems)
