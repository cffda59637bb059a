"""On an Arabic page a French medicine's name, a list and a relation read right.

A name written left to right inside an Arabic sentence is isolated (its brackets stay its
own: « Apixaban 2,5 mg (Eliquis) »); lists take the Arabic comma « ، »; an emergency contact
says who they are in Arabic, not in the French words of the record.
"""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from .bundles import Bundle, person


def test_an_arabic_home_page_isolates_french_names_and_says_the_relation(client):
    today = timezone.localdate()
    b = Bundle(today - dt.timedelta(days=30 * 365), "male")
    b.medication(
        today - dt.timedelta(days=60), "Apixaban 2,5 mg (Eliquis)",
        {"frequency": 2, "period": 1, "periodUnit": "d"}, end=today + dt.timedelta(days=10),
    )  # fmt: skip
    user, _pid = person("henri.ar@example.org", b)
    client.force_login(user)
    client.cookies["django_language"] = "ar"

    home = client.get(reverse("home")).content.decode()
    # The renewal sentence isolates the name (U+2068 … U+2069), so its brackets stay put.
    assert "\u2068Apixaban 2,5 mg (Eliquis)\u2069" in home

    # An emergency contact added from the French form (the record keeps « fille »), then
    # read in Arabic: « الابنة », not the French words.
    client.cookies["django_language"] = "fr"
    r = client.post(
        reverse("records:entry_add", args=["contact"]),
        {"name": "Sophie Esquirol", "relation": "DAU", "phone": "06 39 98 44 01"},
    )
    assert r.status_code in (200, 302)
    client.cookies["django_language"] = "ar"
    card = client.get(reverse("records:card")).content.decode()
    assert "Sophie Esquirol" in card
    assert "Sophie Esquirol (الابنة)" in card
    # The phone number stays on one line, left to right.
    assert '<span class="phone">06 39 98 44 01</span>' in card


def test_lists_take_the_arabic_comma():
    from django.template import engines
    from django.utils import translation

    template = engines["django"].from_string("{% load carnet %}{{ kinds|listed }}")
    with translation.override("ar"):
        assert template.render({"kinds": ["أ", "ب", "<c>"]}) == "أ، ب، &lt;c&gt;"
    with translation.override("fr"):
        assert template.render({"kinds": ["a", "b"]}) == "a, b"
