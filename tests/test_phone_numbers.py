"""A person types a telephone number the way they write it, and Carnet reads it the same
everywhere: their mobile for SMS, an SMS reply's sender, an emergency contact's number."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from carnet.accounts import phones
from carnet.notify import preferences as rules
from carnet.notify import services

from .helpers import citizen


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("06-12-34-56-78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("05 61 00 00 00", "+33561000000"),  # a landline in Toulouse
        ("0696 12 34 56", "+596696123456"),  # Martinique
        ("0690 12 34 56", "+590690123456"),  # Guadeloupe
        ("0694 20 12 34", "+594694201234"),  # Guyane
        ("0692 12 34 56", "+262692123456"),  # La Réunion
        ("+262 692 12 34 56", "+262692123456"),
        ("+44 7700 900123", "+447700900123"),
        ("0044 7700 900123", "+447700900123"),
        ("+1 202 555 0143", "+12025550143"),
        ("06 39 98 11 01", "+33639981101"),  # ARCEP's range for fiction, as in the demo
    ],
)
def test_a_number_is_read_as_people_write_it(typed, e164):
    assert phones.normalise(typed) == e164


@pytest.mark.parametrize(
    "typed", ["", "appelle-moi", "06 12", "06 12 34 56 78 90 12", "+33 6 12", "00 00 00 00 00"]
)
def test_a_wrong_number_is_refused_in_plain_french(typed):
    with translation.override("fr"), pytest.raises(phones.BadNumber) as refused:
        phones.normalise(typed)
    assert "Ce numéro de téléphone semble faux" in str(refused.value.message)
    assert "06 12 34 56 78" in str(refused.value.message)


def test_sms_go_to_mobiles_only():
    assert phones.is_mobile("+33612345678") and phones.is_mobile("+33751234567")
    assert phones.is_mobile("+596696123456")  # a Martinique mobile
    assert phones.is_mobile("+33639981101")  # ARCEP's fiction range, unlisted in the plan
    assert not phones.is_mobile("+33561000000")  # a landline takes no SMS
    assert not phones.is_mobile("+33536490000")
    with translation.override("fr"), pytest.raises(rules.PhoneCheckError, match="portable"):
        rules.clean_mobile("05 61 00 00 00")
    assert rules.clean_mobile("0696 12 34 56") == "+596696123456"


def test_the_mobile_kept_for_sms_and_the_sender_of_a_reply_are_read_alike(db):
    user = citizen()
    prefs = services.update_preferences(user, sms=True, phone="06 12 34 56 78")
    assert prefs.phone == "+33612345678"
    # The gateway gives the sender as the person's phone shows it: the account is found.
    assert services.handle_inbound_sms("0612345678", "BONJOUR", ref="r1") != "unknown sender"
    assert services.handle_inbound_sms("+33 6 12 34 56 78", "SALUT", ref="r2") != "unknown sender"
    assert services.handle_inbound_sms("not a number", "OUI 1234", ref="r3") == "unknown sender"


def test_preferences_refuse_a_wrong_number_in_french(db):
    user = citizen()
    with translation.override("fr"), pytest.raises(services.ValidationError) as refused:
        services.update_preferences(user, phone="06 12")
    assert "Ce numéro de téléphone semble faux" in str(refused.value.message_dict["phone"])


def test_an_emergency_contacts_number_is_checked_the_same_way(client, db):
    user = citizen()
    client.force_login(user)
    url = reverse("records:entry_add", args=["contact"])
    refused = client.post(url, {"name": "Paul", "relation": "FRND", "phone": "06 12"})
    assert refused.status_code == 400
    assert "Ce numéro de téléphone semble faux" in refused.content.decode()
    kept = client.post(url, {"name": "Paul", "relation": "FRND", "phone": "0696 12 34 56"})
    assert kept.status_code == 302
