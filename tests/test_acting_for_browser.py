"""A parent shares their child's record with a doctor, in a real Chromium at 360 px.

Nadia Benali adds the record of her son Lucas, acts for him, and from the menu's « Partage »
shares Lucas's record (not her own) with Dr Inès Purpan. Every page says whose record it
is (« Partager le dossier de Lucas », « Télécharger le dossier de Lucas »); Lucas's history
names his mother. Her own father, Ahmed, may only read her record: acting for her, the
sharing page says plainly that she did not give him that permission. Every page is checked
with axe-core and for sideways scrolling, and screenshotted to /tmp/carnet-shots/.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser import (
    PASSWORD,
    VIEWPORTS,
    check_page,
    cleanup,
    open_menu,
    reauthenticate_if_asked,
    require_chromium,
    sign_in,
    start_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

PARENT = "nadia.benali@example.org"
GRANDFATHER = "ahmed.benali@example.org"
DOCTOR = "ines.purpan@example.org"


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.create_user(PARENT, "citizen", "--name", "Nadia Benali")
        srv.create_user(GRANDFATHER, "citizen", "--name", "Ahmed Benali")
        srv.create_user(
            DOCTOR,
            "practitioner",
            "--name",
            "Dr Inès Purpan",
            "--rpps",
            "10999990871",
            "--profession",
            "médecin pédiatre",
        )
        yield srv
    finally:
        cleanup(srv)


def _page(chromium):
    context = chromium.new_context(viewport=VIEWPORTS["mobile"], locale="fr-FR")
    return context, context.new_page()


def test_a_parent_shares_her_sons_record_with_a_doctor(server, chromium):
    problems = []
    ctx, page = _page(chromium)
    sign_in(page, server, PARENT, PASSWORD)
    page.goto(server.url + "/mes-proches/enfant/")
    page.fill("#id_given", "Lucas")
    page.fill("#id_family", "Benali")
    born = dt.date.today() - dt.timedelta(days=365 * 6)
    page.fill("#id_birth_date", born.isoformat())
    page.check("#id_parent")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/mes-proches/")
    page.click("form[action$='/agir/'] button:not([name=then])")
    page.wait_for_url("**/mes-proches/dossier/")
    assert "Lucas" in page.inner_text(".acting-banner")
    hub = page.inner_text("main")
    assert "Partager le dossier de Lucas" in hub and "Télécharger le dossier de Lucas" in hub
    problems += check_page(page, "acting-hub", "mobile")

    # Every page of the menu, and those the hub leads to, is about Lucas's record.
    for path, title, shot in [
        ("/exporter/", "Télécharger le dossier de Lucas", "acting-export"),
        ("/historique/", "Qui a consulté le dossier de Lucas", "acting-history"),
        ("/dossier/ajouter/", "Ajouter au dossier de Lucas", "acting-add"),
        ("/rendez-vous/", "Rendez-vous de Lucas", "acting-appointments"),
        ("/messages/", "Messages pour Lucas", "acting-messages"),
    ]:
        page.goto(server.url + path)
        reauthenticate_if_asked(page)
        assert title in page.inner_text("h1"), path
        assert "Télécharger mon dossier" not in page.content()
        problems += check_page(page, shot, "mobile")

    # From the menu: « Partage », then find the doctor and share Lucas's record with her.
    open_menu(page)
    page.click("nav.main-nav a[href$='/partage/']")
    page.wait_for_url("**/partage/")
    assert "Qui voit le dossier de Lucas" in page.inner_text("h1")
    assert "Partager le dossier de Lucas" in page.inner_text("#add-title")
    problems += check_page(page, "acting-sharing", "mobile")
    page.fill("#id_q", "Purpan")
    page.click("form.search button[type=submit]")
    page.wait_for_url("**/partage/praticiens/**")
    page.click("a[href*='/partage/praticiens/']:has-text('Partager')")
    page.wait_for_load_state()
    assert "Partager le dossier de Lucas Benali avec Dr Inès Purpan" in page.inner_text("h1")
    problems += check_page(page, "acting-share", "mobile")
    page.check("input[name=categories][value=problems]")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    if reauthenticate_if_asked(page):
        page.wait_for_load_state()
    page.wait_for_url("**/partage/")
    assert "Inès Purpan" in page.inner_text("main")
    problems += check_page(page, "acting-shared", "mobile")
    # Lucas's history names his mother as the one who shared.
    page.goto(server.url + "/historique/")
    history = page.inner_text("main")
    assert "Nadia Benali" in history and "Inès Purpan" in history
    problems += check_page(page, "acting-history-shared", "mobile")

    # Back in her own space, her own record is shared with nobody.
    page.click(".acting-banner button[type=submit]")
    page.wait_for_load_state()
    page.goto(server.url + "/partage/")
    assert "Inès Purpan" not in page.inner_text("main")
    ctx.close()
    assert not problems, "\n\n".join(problems)


def test_a_relative_who_may_only_read_is_told_so_on_the_sharing_page(server, chromium):
    problems = []
    nadia_ctx, nadia = _page(chromium)
    sign_in(nadia, server, PARENT, PASSWORD)
    nadia.goto(server.url + "/procurations/")
    nadia.fill("#id_email", GRANDFATHER)
    nadia.click("main form button[type=submit]")  # reading only, as the form proposes
    nadia.wait_for_selector("ul.proxies li.card")
    nadia_ctx.close()

    ctx, page = _page(chromium)
    sign_in(page, server, GRANDFATHER, PASSWORD)
    page.goto(server.url + "/mes-proches/")
    page.click("form[action$='/agir/'] button:not([name=then])")
    page.wait_for_url("**/mes-proches/dossier/")
    open_menu(page)
    page.click("nav.main-nav a[href$='/partage/']")
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert "Nadia Benali ne vous a pas donné la permission" in text
    assert "Qui voit" not in text
    problems += check_page(page, "acting-not-permitted", "mobile")
    page.click("main a[href$='/mes-proches/dossier/']")  # the way back
    page.wait_for_url("**/mes-proches/dossier/")
    ctx.close()
    assert not problems, "\n\n".join(problems)
