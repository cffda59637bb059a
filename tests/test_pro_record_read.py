"""A practitioner opens a record shared with them: what matters first, the timeline, one
item and a search, each read with purpose care and written to the person's history.

Also holds ``shared_record``, which the other ``test_pro_record_*`` files use: a person
with one item of each kind, a grant to a GP for some categories, and an item the person
keeps for themself.
"""

from __future__ import annotations

from django.urls import reverse

from carnet.access import grants, history, masks
from carnet.access.services import Actor, Purpose
from carnet.records import services

from .access_records import record_with_items
from .people import citizen, english, pro
from .pro_record import shared_record, url


def test_the_gp_sees_what_matters_first_with_whose_record_and_what_they_may_see(client):
    _owner, pid, made, gp = shared_record()
    english(client).force_login(gp)
    response = client.get(url("record", pid))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Record of Karim Haddad" in html
    assert "health problems and allergies" in html and "test results and imaging" in html
    assert "everyday items only" in html
    assert "Until " in html  # a month: the end date is shown
    assert "Some items may be hidden by the person." in html
    # Problems, allergies (problems category), treatments and results link to their items.
    for name in ("allergy", "insulin", "glucose"):
        assert url("item", pid, made[name][1]) in html, name
    assert 'aria-current="page"' in html and "Records shared with me" in html
    # Vaccines are not shared: the card says so rather than "none recorded".
    assert "Not part of what the person shares with you." in html
    assert "No vaccination recorded." not in html


def test_the_timeline_lists_the_granted_items_newest_first_with_the_citizen_filters(client):
    _owner, pid, made, gp = shared_record()
    english(client).force_login(gp)
    html = client.get(url("timeline", pid)).content.decode()
    for name in ("allergy", "insulin", "glucose"):
        assert url("item", pid, made[name][1]) in html, name
    assert f'action="{url("timeline", pid)}"' in html  # the filters come back here
    results_only = client.get(url("timeline", pid), {"type": "results"}).content.decode()
    assert url("item", pid, made["glucose"][1]) in results_only
    assert url("item", pid, made["insulin"][1]) not in results_only
    assert "Show everything again" in results_only


def test_an_item_page_shows_the_item_and_its_origin(client):
    _owner, pid, made, gp = shared_record()
    english(client).force_login(gp)
    response = client.get(url("item", pid, made["insulin"][1]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Prescription" in html and "Where this comes from" in html
    assert "Back to the whole record" in html
    # Nothing of the person's own actions (note, correct, still right) is offered.
    assert "Add the note" not in html and "Correct" not in html


def _add(owner, pid, resource: dict) -> str:
    return services.create(Actor.of_user(owner), pid, resource, Purpose.SELF)["id"]


def test_search_goes_by_post_and_finds_only_visible_items(client):
    owner, pid, made, gp = shared_record()
    subject = {"reference": f"Patient/{made['patient'][1]}"}
    seen = _add(
        owner,
        pid,
        {
            "resourceType": "MedicationRequest",
            "status": "active",
            "intent": "order",
            "medicationCodeableConcept": {"text": "Metformine pour le diabète"},
            "subject": subject,
        },
    )
    mine = _add(
        owner,
        pid,
        {"resourceType": "Condition", "code": {"text": "Diabète de type 2"}, "subject": subject},
    )
    masks.set_mask(Actor.of_user(owner), pid, "Condition", mine, audience="self")
    ungranted = _add(
        owner,
        pid,
        {
            "resourceType": "Immunization",
            "status": "completed",
            "vaccineCode": {"text": "Vaccin conseillé pour le diabète"},
            "patient": subject,
            "occurrenceDateTime": "2024-10-01",
        },
    )
    english(client).force_login(gp)
    page = client.get(url("search", pid))
    assert page.status_code == 200 and 'method="post"' in page.content.decode()
    response = client.post(url("search", pid), {"q": "DIABETE"})
    html = response.content.decode()
    assert response.status_code == 200
    assert url("item", pid, seen) in html
    assert "1 item found" in html  # the hidden ones are not even counted
    assert url("item", pid, mine) not in html and url("item", pid, ungranted) not in html
    assert client.post(url("search", pid), {"q": "x"}).status_code == 400


def test_every_read_lands_in_the_person_s_access_history(client):
    owner, pid, made, gp = shared_record()
    english(client).force_login(gp)
    client.get(url("record", pid))
    client.get(url("timeline", pid))
    client.get(url("item", pid, made["insulin"][1]))
    client.post(url("search", pid), {"q": "insuline"})
    page = history.page(Actor.of_user(owner), pid, history.Filters())
    # Repeated looks by the same person read as one line; its members are each look.
    lines = [e for e in page.entries if e.actor_id == gp.pk]
    mine = [m for e in lines for m in (e.members or (e,))]
    assert all(e.allowed and e.purpose == "treatment" for e in mine)
    actions = [e.action for e in mine]
    assert "read" in actions and "search" in actions
    assert len(mine) >= 4
    # The search words themselves are never written to the history.
    assert not any("insuline" in (e.what + e.reason) for e in page.entries)


def test_the_medecin_traitant_sees_everything_but_what_the_person_keeps_for_themself(client):
    owner, pid, made = record_with_items(citizen("Henri Marty"))
    gp = pro("Claire Garonne", "médecin généraliste")
    me = Actor.of_user(owner)
    grants.set_referent(me, pid, gp.pk)
    masks.set_mask(me, pid, *made["knee"], audience="self")
    english(client).force_login(gp)
    summary = client.get(url("record", pid)).content.decode()
    assert "Not part of what the person shares with you." not in summary
    html = client.get(url("timeline", pid)).content.decode()
    assert "you see their whole record" in html
    assert "Some items may be hidden by the person." in html
    for name in ("flu_vaccine", "depression", "secret_note", "glucose", "hiv_test"):
        assert url("item", pid, made[name][1]) in html, name
    assert url("item", pid, made["knee"][1]) not in html
    assert client.get(url("item", pid, made["knee"][1])).status_code == 404


def test_the_workspace_and_the_list_link_to_the_record(client):
    _owner, pid, _made, gp = shared_record()
    english(client).force_login(gp)
    for name in ("coffre:pro_patients", "care:pro_home"):
        html = client.get(reverse(name)).content.decode()
        assert f'href="{url("record", pid)}"' in html, name
        assert "Open the record" in html
