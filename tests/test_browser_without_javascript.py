"""Every page works without JavaScript: in Chromium with scripts turned off, a citizen walks
home, a record item, reminders, sharing, the access history and the help centre, adds an
appointment to her agenda, finds a medicine with the « Rechercher » button and saves it as a
treatment, switches language and signs out: plain links and form posts, nothing else."""

import pytest

from tests.browser import VIEWPORTS, cleanup, require_chromium, sign_in, start_server
from tests.helpers import smallest_synthea

pytestmark = [pytest.mark.browser, pytest.mark.no_db]
EMAIL = "lea@example.org"


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.create_user(EMAIL, "citizen", "--name", "Léa Dupuy")
        srv.carnet("import", str(smallest_synthea()), "--owner", EMAIL, "--quiet", "--as-me")
        yield srv
    finally:
        cleanup(srv)


def follow(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state()


def test_a_citizen_uses_carnet_without_javascript(server, chromium):
    context = chromium.new_context(
        viewport=VIEWPORTS["mobile"], locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    sign_in(page, server, EMAIL)
    assert page.locator("h1").inner_text() == "Mon dossier"
    # Without scripts the whole menu shows: every section is one plain link away.
    assert page.locator("nav.main-nav .menu-toggle").is_hidden()

    follow(page, "a:has-text('Voir tout mon dossier')")
    follow(page, "main a[href^='/dossier/element/']")
    assert "/dossier/element/" in page.url and page.locator("h1").count() == 1

    for name, heading in (
        ("Rappels", "Mes rappels"),
        ("Partage", None),
        ("Historique", None),
        ("Aide", None),
    ):
        follow(page, f"nav.main-nav a:text-is('{name}')")
        assert page.locator("h1").count() == 1, name
        if heading:
            assert page.locator("h1").inner_text() == heading

    # An appointment in the agenda, by a plain form post.
    page.goto(server.url + "/rappels/agenda/")
    page.fill("#entry-title", "Dentiste")
    page.fill("#entry-date", "2030-03-14")
    page.fill("#entry-time", "09:30")
    follow(page, "form[action='/rappels/agenda/ajouter/'] button[type=submit]")
    assert "Ajouté à votre agenda" in page.locator(".messages").inner_text()
    assert "Dentiste" in page.locator("main").inner_text()

    # A treatment: the medicine list searched by the « Rechercher » button, then saved.
    page.goto(server.url + "/dossier/ajouter/traitement/")
    page.fill("#id_query", "doliprane 500")
    follow(page, "#medicine-search-button")
    page.locator("#medicine-list input[type=radio]").first.check()
    follow(page, "button[name=save]")
    assert "/dossier/ajouter/" in page.url
    assert page.locator(".messages .success, .message.success").count() >= 1

    # The language switch and signing out are forms too.
    # The switch is a <details>: its summary opens it without scripts.
    page.click("details.lang summary")
    follow(page, "details.lang form button[value=en]")
    assert page.locator("html").get_attribute("lang") == "en"
    follow(page, "nav.main-nav form[action='/accounts/logout/'] button")
    # Signed out: the front door, with its way to sign in.
    assert page.url.removeprefix(server.url) in ("/", "/accounts/login/"), page.url
    assert page.locator(
        "main a[href^='/accounts/login/'], main form[action^='/accounts/login/']"
    ).count()
    context.close()
