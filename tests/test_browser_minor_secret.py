"""A minor's secret, in a real Chromium at 360 px: Lina, 16, sees her doctor about
contraception and asks that her mother not know.

Sophie Esquirol adds her daughter's record; Dr Garonne, Lina's médecin traitant, writes the
consultation note and ticks « Confidentiel vis-à-vis des parents ». Sophie, acting for
Lina, finds no trace of it: not on the record's page, the timeline, a search, her
notifications or Lina's access history. Sophie invites Lina to a login of her own; Lina
opens the emailed link, chooses her password and reads the note, marked « Caché à mes
parents ». Every page is checked with axe-core and for sideways scrolling.
"""

from __future__ import annotations

import re
from datetime import date
from email import policy
from email.parser import BytesParser

import pytest

from tests.browser import (
    VIEWPORTS,
    check_page,
    cleanup,
    require_chromium,
    sign_in,
    start_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

MUM = "sophie.esquirol@example.org"
DOCTOR = "claire.garonne@example.org"
LINA = "lina.esquirol@example.org"
SECRET = "Consultation contraception"
LINA_PASSWORD = "Un mot de passe bien à moi 2026"


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.create_user(MUM, "citizen", "--name", "Sophie Esquirol")
        srv.create_user(
            DOCTOR,
            "practitioner",
            "--name",
            "Dr Claire Garonne",
            "--rpps",
            "10999990988",
            "--profession",
            "médecin généraliste",
        )
        yield srv
    finally:
        cleanup(srv)


def _problems_at(page, name, problems):
    problems += check_page(page, name, "mobile")


def _emails(server) -> list:
    folder = server.data_dir / "outbox"
    if not folder.exists():
        return []
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def test_lina_keeps_her_contraception_consultation_from_her_mother(server, chromium):
    problems: list[str] = []
    today = date.today()
    born = today.replace(year=today.year - 16, day=min(today.day, 28))

    # Sophie adds her daughter's record.
    mum_ctx = chromium.new_context(viewport=VIEWPORTS["mobile"], locale="fr-FR")
    mum = mum_ctx.new_page()
    sign_in(mum, server, MUM)
    mum.goto(server.url + "/mes-proches/enfant/")
    mum.fill("input[name=given]", "Lina")
    mum.fill("input[name=family]", "Esquirol")
    mum.fill("input[name=birth_date]", born.isoformat())
    mum.check("input[name=parent]")
    mum.click("main form button[type=submit]")
    mum.wait_for_load_state()
    pid = int(
        server.carnet(
            "shell",
            "-c",
            "from carnet.access.models import Proxy; from carnet.accounts.models import User; "
            "from carnet.access import grants; from carnet.access.services import Actor; "
            f"mum = User.objects.get(email='{MUM}'); "
            "p = Proxy.objects.filter(proxy_id=mum.pk, basis='parent').latest('id'); "
            # She names Lina's médecin traitant (the sharing page is another story).
            f"grants.set_referent(Actor.of_user(mum), p.patient_id, "
            f"User.objects.get(email='{DOCTOR}').pk); print(p.patient_id)",
        )
        .strip()
        .splitlines()[-1]
    )

    # Dr Garonne writes the consultation note, confidential from the parents.
    doc_ctx = chromium.new_context(viewport=VIEWPORTS["mobile"], locale="fr-FR")
    doc = doc_ctx.new_page()
    sign_in(doc, server, DOCTOR)
    doc.goto(f"{server.url}/pro/patients/{pid}/dossier/ajouter/consultation/")
    box = doc.get_by_label("Confidentiel vis-à-vis des parents")
    assert box.is_visible()
    _problems_at(doc, "minor-pro-entry", problems)
    doc.fill("input[name=reason]", SECRET)
    doc.fill("textarea[name=text]", "Pilule prescrite, revoir dans 3 mois.")
    box.check()
    doc.click("main form.entry-form button[type=submit]")
    doc.wait_for_load_state()
    assert SECRET in doc.content()
    assert doc.get_by_label("Confidentiel vis-à-vis des parents").is_checked()
    _problems_at(doc, "minor-pro-item", problems)
    item_url = doc.url
    item_id = item_url.rstrip("/").rpartition("/")[2]

    # Sophie, acting for Lina, finds no trace of it.
    mum.goto(server.url + "/mes-proches/")
    mum.get_by_role("button", name="Ouvrir le dossier de Lina Esquirol").click()
    mum.wait_for_load_state()
    for path, name in (
        ("/mes-proches/dossier/", "minor-mum-record"),
        ("/dossier/chronologie/", "minor-mum-timeline"),
        ("/historique/", "minor-mum-history"),
    ):
        mum.goto(server.url + path)
        body = mum.content()
        assert "contraception" not in body.lower() and "Pilule" not in body, path
        assert "actes et opérations" not in body, path  # the note's kind, in the history
        _problems_at(mum, name, problems)
    mum.goto(server.url + "/dossier/recherche/")
    mum.fill("input[name=q]", "contraception")
    mum.locator("main form button[type=submit]").first.click()
    mum.wait_for_load_state()
    assert SECRET not in mum.content()
    _problems_at(mum, "minor-mum-search", problems)
    answer = mum.goto(f"{server.url}/dossier/element/{item_id}/")
    assert answer.status == 404
    assert not [m for m in _emails(server) if MUM in str(m["To"])]

    # Sophie invites Lina to a login of her own, from Lina's card.
    mum.goto(server.url + "/mes-proches/")
    mum.get_by_role("link", name="Inviter Lina Esquirol à un accès personnel").click()
    mum.wait_for_load_state()
    _problems_at(mum, "minor-invite", problems)
    mum.fill("input[name=email]", LINA)
    mum.click("main form button[type=submit]")
    mum.wait_for_load_state()
    [invitation] = [m for m in _emails(server) if LINA in str(m["To"])]
    link = re.search(r"https?://\S+/invitation/\S+?/", invitation.get_body().get_content())
    assert link, invitation.get_body().get_content()

    # Lina opens the link, chooses her password, and reads the note.
    lina_ctx = chromium.new_context(viewport=VIEWPORTS["mobile"], locale="fr-FR")
    lina = lina_ctx.new_page()
    lina.goto(server.url + "/invitation/" + link.group(0).split("/invitation/")[1])
    _problems_at(lina, "minor-accept", problems)
    lina.fill("input[name=name]", "Lina")
    lina.fill("input[name=password1]", LINA_PASSWORD)
    lina.fill("input[name=password2]", LINA_PASSWORD)
    lina.click("main form button[type=submit]")
    lina.wait_for_load_state()
    lina.goto(f"{server.url}/dossier/element/{item_id}/")
    assert SECRET in lina.content()
    assert lina.get_by_label("Caché à mes parents").is_checked()
    _problems_at(lina, "minor-teen-item", problems)

    # Her mother still acts for her, and still sees nothing of it.
    mum.goto(server.url + "/mes-proches/dossier/")
    assert "contraception" not in mum.content().lower()
    for ctx in (mum_ctx, doc_ctx, lina_ctx):
        ctx.close()
    assert not problems, "\n".join(problems)
