"""A practitioner opens a record shared with them, in a real Chromium, at 360 px and desktop.

Demo personas (``carnet demo``): Karim Haddad, type 2 diabetes, shares his problems,
results and treatments with Dr Nadia Bazacle, his endocrinologist, for a month. She opens
his record from "Records shared with me": what matters first, the whole record filtered
to results, one item, a search. Every page passes axe-core and does not scroll sideways.
Screenshots go to /tmp/carnet-shots/ (pro-record-*.png).
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

PATIENT, ENDO = personas.DIABETIC, personas.ENDOCRINOLOGIST

SHARE = f"""
from carnet.access import grants
from carnet.access.services import Actor
from carnet.accounts import services as accounts
from carnet.accounts.models import User
person = User.objects.get(email={PATIENT.email!r})
endo = User.objects.get(email={ENDO.email!r})
pid = accounts.patient_of(person).pk
grants.share(Actor.of_user(person), pid, endo.pk,
             categories=["problems", "results", "treatments"], duration="month")
print(pid)
"""


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.carnet("demo", "--without-stories")  # the test plays the stories itself
        srv.patient_id = int(srv.carnet("shell", "-c", SHARE).strip().splitlines()[-1])
        yield srv
    finally:
        cleanup(srv)


@pytest.mark.parametrize("viewport", ["mobile", "desktop"])
def test_the_endocrinologist_opens_the_shared_record_from_her_list(server, chromium, viewport):
    problems = []
    context = chromium.new_context(viewport=VIEWPORTS[viewport], locale="fr-FR")
    page = context.new_page()
    sign_in_as(page, server, ENDO)
    page.goto(server.url + "/pro/patients/")
    problems += check_page(page, "pro-record-list", viewport)
    card = page.locator("li.card", has_text="Karim Haddad")
    card.locator("a[href$='/dossier/']").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/pro/patients/{server.patient_id}/dossier/")
    header = page.locator(".pro-head").inner_text()
    assert "Karim Haddad" in header
    assert page.locator("h1").count() == 1
    # The menu marks "my patients" as the current section.
    assert page.locator("[aria-current='page']").count() >= 1
    problems += check_page(page, "pro-record-summary", viewport)

    page.goto(f"{server.url}/pro/patients/{server.patient_id}/dossier/chronologie/?type=results")
    rows = page.locator(".tl-link")
    assert rows.count() > 0
    problems += check_page(page, "pro-record-timeline", viewport)
    rows.first.click()
    page.wait_for_load_state()
    assert "/dossier/element/" in page.url
    problems += check_page(page, "pro-record-item", viewport)

    page.goto(f"{server.url}/pro/patients/{server.patient_id}/dossier/recherche/")
    page.fill("#q", "diab")
    page.press("#q", "Enter")
    page.wait_for_load_state()
    assert "diab" not in page.url  # the words went by POST
    problems += check_page(page, "pro-record-search", viewport)
    context.close()
    assert not problems, "\n\n".join(problems)


def test_another_practitioner_gets_not_found(server, chromium):
    context = chromium.new_context(viewport=VIEWPORTS["mobile"], locale="fr-FR")
    page = context.new_page()
    sign_in_as(page, server, personas.OPHTHALMOLOGIST)
    response = page.goto(f"{server.url}/pro/patients/{server.patient_id}/dossier/")
    assert response.status == 404
    context.close()
