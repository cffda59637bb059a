"""Tobacco, alcohol and drugs read as one kind of item, « Mode de vie », whatever the file.

A DMP patient summary files smoking under « social-history », a Synthea bundle under
« survey »: the timeline and the item page name both « Mode de vie », never « Résultat
d'examen » for one and « Mesure » for the other.
"""

from __future__ import annotations

import html
import re

from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers, services

from .helpers import DATA, citizen, synthea

TOBACCO = "72166-2"


def _kind(page: str) -> str:
    return html.unescape(re.search(r'<p class="tl-kind">(.*?)</p>', page)[1])


def test_smoking_from_a_dmp_summary_and_from_synthea_is_one_kind(client):
    user = citizen()
    pid = accounts.patient_of(user).pk
    actor = Actor.of_user(user)
    for path in (synthea("Gustavo"), DATA / "cda" / "fr" / "IPS-FR_2024.01.xml"):
        importers.import_file(actor, pid, path.read_bytes(), path.name, Purpose.SELF, person="mine")
    client.force_login(user)
    found = services.search(actor, pid, "Observation", "self", count=500).resources
    smoking = [r for r in found if TOBACCO in str(r.get("code"))]
    drinking = [r for r in found if "74013-4" in str(r.get("code"))]
    assert len(smoking) >= 2 and drinking
    sources = {str(r.get("category")) for r in smoking}
    assert len(sources) == 2  # « survey » and « social-history »
    kinds = {
        _kind(client.get(reverse("records:item", args=[r["id"]])).content.decode())
        for r in smoking + drinking
    }
    assert kinds == {"Mode de vie"}
    timeline = html.unescape(client.get(reverse("records:timeline")).content.decode())
    assert "Mode de vie" in timeline
