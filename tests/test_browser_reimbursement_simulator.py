"""Karim checks what his endocrinologist visit will cost him before booking it: in Chromium
at 360 px, in French, from the menu to his reimbursements (his imported Assurance Maladie
history) and the simulator, the form filled from the keyboard,
the answer line by line; axe-clean, no sideways scroll."""

from __future__ import annotations

import pytest

from carnet.demo import personas
from tests.browser import (
    check_page,
    cleanup,
    open_menu,
    require_chromium,
    sign_in_as,
    start_server,
)
from tests.helpers import DATA

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

KARIM = personas.DIABETIC


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.carnet("demo")
        # His Assurance Maladie history, from Mon espace santé (the CNAM-HR example).
        cnam = DATA / "cda" / "fr" / "CNAM-HR_2021.01.xml"
        srv.carnet("import", str(cnam), "--owner", KARIM.email, "--as-me")
        yield srv
    finally:
        cleanup(srv)


def test_karim_checks_the_cost_of_his_endocrinologist_visit(server, chromium):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    page = context.new_page()
    problems: list[str] = []
    sign_in_as(page, server, KARIM)
    page.goto(server.url + "/")
    open_menu(page)
    page.get_by_role("link", name="Remboursements", exact=True).click()
    page.wait_for_load_state()
    # His history: the consultations the Assurance Maladie reimbursed, by year and month.
    assert "Consultation medecine generale" in page.inner_text("main")
    problems += check_page(page, "remboursements", "mobile")
    page.get_by_role("link", name="Essayez le simulateur").click()
    page.wait_for_load_state()
    assert "/remboursements/simulateur/" in page.url
    # What Carnet knows of him is already there: his birth date from his record.
    assert page.locator("#birth_date").input_value()
    problems += check_page(page, "simulateur", "mobile")

    # From the keyboard: his diabetes is an ALD; an OPTAM endocrinologist, 60 € asked on a
    # 30 € base, for his diabetes; his complementary covers 150 %.
    page.focus("#ald")
    page.keyboard.press("Space")
    page.focus("#complementary_percent")
    page.keyboard.press("Control+A")
    page.keyboard.type("150")
    page.focus("#care-0-specialty")
    page.select_option("#care-0-specialty", "endocrinology")
    page.select_option("#care-0-sector", "optam")
    page.focus("#care-0-fee")
    page.keyboard.type("60")
    page.keyboard.press("Tab")
    page.keyboard.type("30")
    page.focus("#care-0-ald_related")
    page.keyboard.press("Space")
    page.focus("#care-0-fee")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    errors = page.locator(".errors")
    assert not errors.count(), (
        errors.all_inner_texts(),
        page.evaluate(
            '[...document.querySelectorAll("[aria-invalid]")].map(e => e.id + "=" + e.value)'
        ),
    )
    result = page.locator("#result")
    # 30,00 × 100 % (ALD) − 2,00 of PF = 28,00; complementary 45,00 − 30,00 = 15,00; 17,00 left
    assert "Reste à votre charge" in result.inner_text()
    amounts = result.locator("dd").all_inner_texts()
    assert amounts[:4] == ["60,00\u00a0€", "28,00\u00a0€", "15,00\u00a0€", "17,00\u00a0€"]
    page.focus("#result summary")
    page.keyboard.press("Enter")
    steps = result.locator(".sim-steps")
    assert steps.is_visible()
    assert "affection de longue durée" in steps.inner_text()
    assert "Règle en vigueur depuis le 15 mai 2024" in steps.inner_text()
    # Nothing he typed went into the address.
    assert "?" not in page.url
    problems += check_page(page, "simulateur-resultat", "mobile")
    context.close()
    assert not problems, "\n".join(problems)
