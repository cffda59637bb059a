"""An item's page says who recorded it, whether a practitioner confirmed it and when, and
invites the person to update what goes stale."""

from __future__ import annotations

import html as html_module
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from carnet.access import grants
from carnet.access.services import Actor, NotFound, Purpose
from carnet.accounts import services as accounts
from carnet.records import services

from .people import practitioner_account
from .timeline import make_record


@pytest.fixture
def karim():
    return make_record()


def _fr(text: str, **kw) -> str:
    with translation.override("fr"):
        return translation.gettext(text) % kw if kw else translation.gettext(text)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _page(client, user, item_id, status=200) -> str:
    client.force_login(user)
    response = client.get(reverse("records:item", args=[item_id]))
    assert response.status_code == status
    return html_module.unescape(response.content.decode())


def _weight(user, pid, day: str, purpose=Purpose.SELF) -> str:
    return services.create(
        Actor.of_user(user),
        pid,
        {
            "resourceType": "Observation",
            "status": "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "vital-signs",
                        }
                    ]
                }
            ],
            "code": {
                "coding": [{"system": "http://loinc.org", "code": "29463-7"}],
                "text": "Poids",
            },
            "effectiveDateTime": day,
            "valueQuantity": {"value": 88, "unit": "kg"},
        },
        purpose,
    )["id"]


def test_it_says_an_item_came_from_an_imported_file(client, karim):
    user, _pid, ids = karim
    html = _page(client, user, ids["a3"])
    assert _cap(_fr("imported from the file “%(name)s”", name="dmp.json")) in html


def test_it_says_i_entered_it_myself(client, karim):
    user, pid, _ids = karim
    html = _page(client, user, _weight(user, pid, "2025-01-01"))
    assert _cap(_fr("entered by you")) in html


def test_it_says_a_practitioner_recorded_it(client, karim):
    user, pid, _ids = karim
    doctor = practitioner_account(
        "dr@example.org",
        "a long enough passphrase",
        role="practitioner",
        rpps="10101010101",
        display_name="Dr Martin",
    )
    grants.share(
        Actor.of_user(user),
        pid,
        doctor.pk,
        categories=["measurements"],
        mode="write",
        duration=timedelta(days=30),
    )
    item = _weight(doctor, pid, "2025-01-01", Purpose.TREATMENT)
    versions = services.provenance(Actor.of_user(user), pid, item, Purpose.SELF)
    assert versions[0].source == "practitioner" and versions[0].details["by"] == str(doctor)
    html = _page(client, user, item)
    assert _cap(_fr("recorded by %(name)s, health professional", name=str(doctor))) in html


def test_it_shows_whether_a_practitioner_confirmed_it(client, karim):
    user, _pid, ids = karim
    assert _fr("Not yet: you can ask your doctor to check it at your next visit.") in _page(
        client, user, ids["med"]
    )
    html = _page(client, user, ids["cond"])  # verificationStatus: confirmed
    section = html[html.index('id="h-prov"') :]
    assert _fr("Yes") in section[: section.index("</dl>")]


def test_a_stale_weight_invites_an_update_and_a_recent_one_does_not(client, karim):
    user, pid, ids = karim
    stale = _fr("Your weight has not been noted for over a year")
    html = _page(client, user, ids["w1"])  # 2022
    assert "item-fresh" in html
    assert reverse("records:item_still_right", args=[ids["w1"]]) in html
    _weight(user, pid, "2099-01-01")  # a newer weight: the topic is current again
    html = _page(client, user, ids["w1"])
    assert "item-fresh" not in html
    assert stale not in html


def test_an_old_treatment_list_asks_whether_it_is_still_right(client, karim):
    user, pid, ids = karim
    html = _page(client, user, ids["med"])
    assert "item-fresh" in html
    client.post(reverse("records:item_still_right", args=[ids["med"]]))
    html = _page(client, user, ids["med"])
    assert "item-fresh" not in html
    # Saying so is kept as a new version, and told to the reminders.
    versions = services.provenance(Actor.of_user(user), pid, ids["med"], Purpose.SELF)
    assert [v.version for v in versions] == [2, 1]


def test_the_item_page_has_no_health_data_in_its_url(karim):
    _user, _pid, ids = karim
    url = reverse("records:item", args=[ids["a3"]])
    assert url == f"/dossier/element/{ids['a3']}/"


def test_a_stranger_gets_not_found(client, karim):
    _user, pid, ids = karim
    eve = accounts.create_user("eve@example.org", "a long enough passphrase", role="citizen")
    with pytest.raises(NotFound):
        services.provenance(Actor.of_user(eve), pid, ids["a3"], Purpose.SELF)
    accounts.ensure_own_patient(eve)
    _page(client, eve, ids["a3"], status=404)
