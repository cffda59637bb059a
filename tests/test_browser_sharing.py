"""The Coffre's sharing, request and history pages in a real Chromium at 360 px, with axe-core.

The workshop's story: a physiotherapist asks for access to the runner's knee data for one
month; the runner accepts with one tap; the physiotherapist then reads the knee data
through the FHIR API and is refused the mental-health item. Demo personas (``carnet
demo``): Antoine Roussel, the runner, and Julien Carmes, his physiotherapist.
Screenshots go to /tmp/carnet-shots/ (sharing-*.png).
"""

import json

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

RUNNER, PHYSIO = personas.RUNNER, personas.PHYSIO
MENTAL_HEALTH = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "gender": "male"}},
        {
            "fullUrl": "urn:uuid:c",
            "resource": {
                "resourceType": "Condition",
                "clinicalStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                            "code": "active",
                        }
                    ]
                },
                "code": {
                    "coding": [{"system": "http://snomed.info/sct", "code": "35489007"}],
                    "text": "Épisode dépressif",
                },
                "subject": {"reference": "urn:uuid:p"},
            },
        },
    ],
}


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.carnet("demo", "--without-stories")  # the test plays the stories itself
        yield srv
    finally:
        cleanup(srv)


def _page(chromium, viewport="mobile"):
    context = chromium.new_context(viewport=VIEWPORTS[viewport], locale="fr-FR")
    return context, context.new_page()


def confirm_if_asked(page, account) -> None:
    """Opening access asks the person to type their password again (a few minutes)."""
    page.wait_for_load_state()
    if "/reauthenticate/" in page.url:
        page.fill("input[name=password]", account.password)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()


def token(page, server, name: str) -> str:
    page.goto(server.url + "/compte/")
    page.fill("#id_name", name)
    page.click("form[action$='/compte/cles/'] button[type=submit]")
    page.wait_for_selector("#raw-token")
    return page.input_value("#raw-token").strip()


def api(page, server, raw: str, path: str):
    return page.request.get(
        server.url + path, headers={"Authorization": f"Bearer {raw}"}, fail_on_status_code=False
    )


def test_the_physiotherapist_gets_the_knee_for_a_month_and_not_the_mental_health_item(
    server, chromium
):
    problems = []

    # The runner's record gets a mental-health item (imported like any file).
    runner_ctx, runner = _page(chromium)
    sign_in_as(runner, server, RUNNER)
    runner.goto(server.url + "/importer/")
    runner.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "psy.json",
                "mimeType": "application/json",
                "buffer": json.dumps(MENTAL_HEALTH).encode(),
            }
        ],
    )
    runner.click("main form button[type=submit]")
    runner.wait_for_selector("h1:text-matches('Fichier importé|Fichier refusé')", timeout=60000)
    runner_key = token(runner, server, "test")
    found = api(runner, server, runner_key, "/fhir/R4/Condition?code=35489007").json()
    depression = found["entry"][0]["resource"]["id"]
    patient_id = api(runner, server, runner_key, "/fhir/R4/Patient").json()["entry"][0]["resource"][
        "id"
    ]

    # The physiotherapist asks, knowing only the runner's address.
    physio_ctx, physio = _page(chromium)
    sign_in_as(physio, server, PHYSIO)
    physio.goto(server.url + "/pro/demandes/")
    problems += check_page(physio, "sharing-pro-requests-empty", "mobile")
    physio.fill("#id_target", RUNNER.email)
    physio.fill("#id_reason", "Rééducation du genou : voir vos mesures et comptes rendus.")
    for value in ("measurements", "results", "consultations"):
        physio.check(f"input[name=categories][value={value}]")
    physio.check("input[name=duration][value=month]")
    physio.click("main form button[type=submit]")
    physio.wait_for_selector("tr[data-state=waiting]")
    problems += check_page(physio, "sharing-pro-requests", "mobile")
    physio_key = token(physio, server, "cabinet")
    # Nothing is visible before the runner answers.
    assert api(physio, server, physio_key, f"/fhir/R4/Patient/{patient_id}").status == 404

    # The runner sees who asks and why, and accepts with one tap.
    runner.goto(server.url + "/partage/")
    request_box = runner.locator("li.request")
    assert "Julien Carmes" in request_box.inner_text()
    assert "10999990046" in request_box.inner_text()  # his RPPS number
    problems += check_page(runner, "sharing-request-pending", "mobile")
    runner.click("li.request a")  # "accept with less": the detail page
    problems += check_page(runner, "sharing-request-detail", "mobile")
    runner.go_back()
    runner.click("li.request form[action$='/accepter/'] button")
    confirm_if_asked(runner, RUNNER)
    assert runner.locator("li.grant").count() >= 1
    assert "Julien Carmes" in runner.locator("li.grant").first.inner_text()
    problems += check_page(runner, "sharing-page", "mobile")

    # The physiotherapist reads the knee data and is refused the mental-health item.
    observations = api(physio, server, physio_key, f"/fhir/R4/Observation?patient={patient_id}")
    assert observations.status == 200 and observations.json().get("total", 0) > 0
    assert api(physio, server, physio_key, f"/fhir/R4/Condition/{depression}").status == 404
    conditions = api(physio, server, physio_key, f"/fhir/R4/Condition?patient={patient_id}")
    assert conditions.status == 200 and conditions.json().get("total", 0) == 0
    physio.goto(server.url + "/pro/patients/")
    assert "Antoine Roussel" in physio.inner_text("main")
    problems += check_page(physio, "sharing-pro-patients", "mobile")
    physio.goto(server.url + "/pro/demandes/")
    assert physio.locator("tr[data-state=accepted]").count() == 1

    # The runner's history says who looked, and that the mental-health item was refused.
    runner.goto(server.url + "/historique/")
    history = runner.inner_text("main")
    assert "Julien Carmes" in history
    assert runner.locator("li.entry.refused").count() >= 1
    problems += check_page(runner, "sharing-history", "mobile")
    runner.goto(server.url + "/historique/?who=&decision=deny")
    problems += check_page(runner, "sharing-history-refused", "mobile")

    # The other pages of the runner, for axe and the 360 px width.
    for name, path in [
        ("sharing-items", "/partage/elements/"),
        ("sharing-items-problems", "/partage/elements/?kind=conditions"),
        ("sharing-find", "/partage/praticiens/?q=carmes"),
        ("sharing-revoke-all", "/partage/tout-retirer/"),
    ]:
        runner.goto(server.url + path)
        problems += check_page(runner, name, "mobile")
    runner.goto(server.url + "/partage/praticiens/?q=garonne")
    runner.click("main li.card a.button")
    problems += check_page(runner, "sharing-share-form", "mobile")
    runner.goto(server.url + "/partage/")
    runner.click("form[action$='/partage/code/'] button")
    confirm_if_asked(runner, RUNNER)
    runner.wait_for_selector("#share-code")
    problems += check_page(runner, "sharing-code", "mobile")

    # Keyboard alone: from the list of kinds, open one, unfold an item's "Change" and reach
    # the choice of who sees it, with Tab and Enter only.
    runner.goto(server.url + "/partage/elements/")
    assert runner.locator("main details").count() == 0  # a kind is chosen first
    for _ in range(40):
        runner.keyboard.press("Tab")
        if runner.evaluate("document.activeElement.getAttribute('href')") == "?kind=conditions":
            break
    else:
        pytest.fail("the kind « Problèmes de santé » cannot be reached with Tab")
    runner.keyboard.press("Enter")
    runner.wait_for_url("**/partage/elements/?kind=conditions")
    for _ in range(60):
        runner.keyboard.press("Tab")
        focused = runner.evaluate("[document.activeElement.tagName, document.activeElement.name]")
        if focused[0] == "SUMMARY":
            runner.keyboard.press("Enter")  # unfold this item's change form
        if focused[1] == "audience":
            break
    else:
        pytest.fail("the choice of who sees an item cannot be reached with Tab")
    problems += check_page(runner, "sharing-items-change", "mobile")
    # Each choice is a touch target of at least 44 px high, its words beside the button.
    heights = runner.eval_on_selector_all(
        "main details[open] label.option", "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert len(heights) == 4 and min(heights) >= 44, heights
    runner_ctx.close()
    physio_ctx.close()
    assert not problems, "\n\n".join(problems)


def test_desktop_pages_pass_axe(server, chromium):
    problems = []
    context, page = _page(chromium, "desktop")
    sign_in_as(page, server, RUNNER)
    for name, path in [("sharing-page", "/partage/"), ("sharing-history", "/historique/")]:
        page.goto(server.url + path)
        problems += check_page(page, name, "desktop")
    context.close()
    assert not problems, "\n\n".join(problems)
