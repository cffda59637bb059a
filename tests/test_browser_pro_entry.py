"""A practitioner adds a blood pressure to a record shared with them in writing, and the
person sees it as added by them — in a real Chromium at 360 px, with the keyboard.

Demo personas (``carnet demo``): Antoine Roussel, in knee rehabilitation, lets Julien
Carmes, his physiotherapist, read and add measurements for a month. Julien opens the
record, follows "Add to the record", types a blood pressure and saves; Antoine then finds
it in his timeline with Julien's name and, on the item, who added it and his profession.
Every page passes axe-core and does not scroll sideways. Screenshots go to
/tmp/carnet-shots/ (pro-entry-*.png).
"""

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

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

PATIENT, PHYSIO = personas.RUNNER, personas.PHYSIO

SHARE = f"""
from carnet.access import grants
from carnet.access.services import Actor
from carnet.accounts import services as accounts
from carnet.accounts.models import User
person = User.objects.get(email={PATIENT.email!r})
physio = User.objects.get(email={PHYSIO.email!r})
pid = accounts.patient_of(person).pk
grants.share(Actor.of_user(person), pid, physio.pk,
             categories=["measurements"], mode="write", duration="month")
print(pid)
"""


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.carnet("demo")
        srv.patient_id = int(srv.carnet("shell", "-c", SHARE).strip().splitlines()[-1])
        yield srv
    finally:
        cleanup(srv)


def test_the_physio_adds_a_blood_pressure_and_antoine_sees_who_added_it(server, chromium):
    problems = []
    viewport = "mobile"
    record = f"{server.url}/pro/patients/{server.patient_id}/dossier/"
    context = chromium.new_context(viewport=VIEWPORTS[viewport], locale="fr-FR")
    page = context.new_page()
    sign_in_as(page, server, PHYSIO)
    page.goto(record)
    add = page.locator(f".pro-tabs a[href$='/patients/{server.patient_id}/dossier/ajouter/']")
    assert add.count() == 1, page.locator("main").inner_html()[:3000]
    add.click()
    page.wait_for_load_state()
    assert page.url == record + "ajouter/"
    problems += check_page(page, "pro-entry-index", viewport)
    # Only measurements are shared in writing: no allergy, vaccine or note offered.
    assert page.locator("a[href$='/ajouter/allergie/']").count() == 0
    page.locator("a[href$='/ajouter/tension/']").click()
    page.wait_for_load_state()
    problems += check_page(page, "pro-entry-form", viewport)

    # A slip first (the numbers swapped): a clear message, nothing saved.
    page.fill("input[name=systolic]", "82")
    page.fill("input[name=diastolic]", "128")
    with page.expect_navigation():
        page.press("input[name=diastolic]", "Enter")
    assert page.locator("[role=alert]").count() >= 1
    assert page.locator("input[name=diastolic][aria-invalid], .errorlist").count() >= 1
    problems += check_page(page, "pro-entry-form-error", viewport)

    # With the keyboard alone: focus the first field, type, tab, type, submit with Enter.
    page.focus("input[name=systolic]")
    page.keyboard.press("Control+A")
    page.keyboard.type("142")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("88")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/dossier/element/" in page.url
    assert "142/88" in page.locator("main").inner_text()
    problems += check_page(page, "pro-entry-saved", viewport)
    context.close()

    context = chromium.new_context(viewport=VIEWPORTS[viewport], locale="fr-FR")
    page = context.new_page()
    sign_in_as(page, server, PATIENT)
    page.goto(server.url + "/dossier/chronologie/")
    row = page.locator(".tl-link", has_text="142/88")
    assert row.count() == 1
    assert "Julien Carmes" in row.inner_text()
    problems += check_page(page, "pro-entry-citizen-timeline", viewport)
    row.click()
    page.wait_for_load_state()
    where = page.locator(".item-prov").inner_text()
    assert "Julien Carmes" in where and PHYSIO.profession in where
    problems += check_page(page, "pro-entry-citizen-item", viewport)
    context.close()
    assert not problems, "\n\n".join(problems)


def test_a_practitioner_it_is_not_shared_with_gets_not_found(server, chromium):
    context = chromium.new_context(viewport=VIEWPORTS["mobile"], locale="fr-FR")
    page = context.new_page()
    sign_in_as(page, server, personas.ENDOCRINOLOGIST)
    response = page.goto(f"{server.url}/pro/patients/{server.patient_id}/dossier/ajouter/")
    assert response.status == 404
    context.close()
