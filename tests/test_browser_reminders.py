"""The Rappels pages in Chromium at 360 px: axe-clean, no sideways scroll, keyboard usable.

Karim (the demo's man with diabetes) sees his reminders, vaccinations, treatments (with the
per-treatment alert switch, used from the keyboard), follow-up, agenda (with a care
appointment) and calendar page; Sophie adds her baby's record and, acting for him, sees
his vaccination calendar; Karim's médecin traitant sees the adherence he chose to share.
"""

from __future__ import annotations

import datetime as dt
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

KARIM, SOPHIE, GP = personas.DIABETIC, personas.DAUGHTER, personas.GP

SETUP = """
import datetime as dt, json
from django.utils import timezone
from carnet.access import grants
from carnet.access.services import Actor
from carnet.accounts.models import User
from carnet.accounts import services as accounts
from carnet.care import appointments
from carnet.reminders import services
karim = User.objects.get(email=%(karim)r)
gp = User.objects.get(email=%(gp)r)
pid = accounts.patient_of(karim).pk
me = Actor.of_user(karim)
grants.set_referent(me, pid, gp.pk)
services.share_adherence(me, pid, True)
appointments.publish(Actor.of_user(gp), {d: [["08:00", "12:00"]] for d in range(7)},
                     [("Consultation", 30)])
kind = appointments.schedule_of(gp.pk)[1][0]
slots = appointments.free_slots(gp.pk, kind.pk)
start = [t for day in sorted(slots) for t in slots[day]][0]
appointments.book(me, pid, gp.pk, kind.pk, start)
print(json.dumps({"pid": pid, "day": timezone.localtime(start).date().isoformat()}))
"""


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.carnet("demo")
        out = (
            srv.carnet("shell", "-c", SETUP % {"karim": KARIM.email, "gp": GP.email})
            .strip()
            .splitlines()[-1]
        )
        srv.facts = json.loads(out)
        yield srv
    finally:
        cleanup(srv)


def _page(chromium, viewport="mobile"):
    context = chromium.new_context(viewport=VIEWPORTS[viewport], locale="fr-FR")
    return context, context.new_page()


def test_karims_rappels_pages_pass_axe_at_360px(server, chromium):
    context, page = _page(chromium)
    sign_in_as(page, server, KARIM)
    day = server.facts["day"]
    problems = []
    for name, path in [
        ("rappels", "/rappels/"),
        ("rappels-vaccinations", "/rappels/vaccinations/"),
        ("rappels-traitements", "/rappels/traitements/"),
        ("rappels-suivis", "/rappels/suivis/"),
        ("rappels-agenda-jour", f"/rappels/agenda/?vue=jour&date={day}"),
        ("rappels-agenda-semaine", f"/rappels/agenda/?vue=semaine&date={day}"),
        ("rappels-agenda-liste", "/rappels/agenda/?vue=liste"),
        ("rappels-calendrier", "/rappels/calendrier/"),
    ]:
        response = page.goto(server.url + path)
        assert response.status == 200, path
        problems += check_page(page, name, "mobile")
    page.goto(server.url + f"/rappels/agenda/?vue=jour&date={day}")
    assert "Claire" in page.inner_text("main")  # the care appointment is in the agenda
    context.close()
    assert not problems, "\n".join(problems)


def test_the_alert_switch_works_from_the_keyboard(server, chromium):
    context, page = _page(chromium)
    sign_in_as(page, server, KARIM)
    page.goto(server.url + "/rappels/traitements/")
    switch = page.locator("#alertes button[name=alerts]").first
    assert switch.get_attribute("value") == "off"
    label = switch.inner_text()
    switch.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    again = page.locator("#alertes button[name=alerts]").first
    assert again.get_attribute("value") == "on" and again.inner_text() != label
    problems = check_page(page, "rappels-traitements-alertes-off", "mobile")
    again.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # and back on, for the other tests
    context.close()
    assert not problems, "\n".join(problems)


def test_a_parent_acting_for_her_baby_sees_his_vaccinations(server, chromium):
    context, page = _page(chromium)
    sign_in_as(page, server, SOPHIE)
    page.goto(server.url + "/mes-proches/enfant/")
    born = (dt.date.today() - dt.timedelta(days=125)).isoformat()
    page.fill("input[name=given]", "Léo")
    page.fill("input[name=family]", "Esquirol")
    page.fill("input[name=birth_date]", born)
    page.check("input[name=parent]")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    # Sophie may act for Henri too (demo): choose Léo's space.
    page.locator("main li.card", has_text="Léo").locator(
        "form[action*='/agir/'] button[type=submit]"
    ).first.click()
    page.wait_for_load_state()
    problems = []
    for name, path in [
        ("rappels-proche", "/rappels/"),
        ("rappels-proche-vaccinations", "/rappels/vaccinations/"),
        ("rappels-proche-agenda", "/rappels/agenda/"),
        ("rappels-proche-calendrier", "/rappels/calendrier/"),
    ]:
        assert page.goto(server.url + path).status == 200, path
        text = page.inner_text("main")
        assert "Léo Esquirol" in text, path
        problems += check_page(page, name, "mobile")
    page.goto(server.url + "/rappels/vaccinations/")
    assert page.locator("#a-faire .rm-item").count() > 0  # due infant vaccines
    context.close()
    assert not problems, "\n".join(problems)


def test_the_gp_sees_the_shared_adherence(server, chromium):
    context, page = _page(chromium)
    sign_in_as(page, server, GP)
    path = f"/pro/patients/{server.facts['pid']}/observance/"
    assert page.goto(server.url + path).status == 200
    assert "Metformine 1000 mg" in page.inner_text("main")
    problems = check_page(page, "pro-observance", "mobile")
    context.close()
    assert not problems, "\n".join(problems)
