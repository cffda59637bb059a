"""A person reads an item the source dates only by its year or month.

A DMP vaccination history dates a BCG « 1975 »: the timeline and the item's page say
« 1975 », not « 1 janvier 1975 », a day nobody wrote down; so does the printed summary.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import fhir, importers

from .helpers import DATA, citizen

VAC = DATA / "cda" / "fr" / "VAC_2023.01.xml"


@pytest.mark.parametrize(
    ("value", "precision"),
    [
        ("1975", "year"),
        ("1975-06", "month"),
        ("1975-06-02", "day"),
        ("1975-06-02T10:00:00Z", "day"),
    ],
)
def test_the_precision_is_the_sources(value, precision):
    assert fhir.clinical_date_precision({"occurrenceDateTime": value}) == precision
    assert fhir.clinical_date_precision({"effectivePeriod": {"start": value}}) == precision
    assert fhir.clinical_date_precision({}) == "day"


def test_a_vaccine_dated_by_its_year_reads_as_that_year(client):
    user = citizen("year.reader@example.org")
    pid = accounts.patient_of(user).pk
    importers.import_file(Actor.of_user(user), pid, VAC.read_bytes(), VAC.name, Purpose.SELF)
    client.force_login(user)
    for language, whole_day in (("fr", "1 janvier 1975"), ("en", "1 January 1975")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        timeline = client.get(reverse("records:timeline")).content.decode()
        rows = re.findall(r'<li class="tl-row">(.*?)</li>', timeline, re.S)
        [bcg] = [r for r in rows if "1975" in r]
        assert '<time datetime="1975">1975</time>' in bcg
        assert whole_day not in timeline
        link = re.search(r'href="(/dossier/element/[^/]+/)"', bcg).group(1)
        page = client.get(link).content.decode()
        assert '<time datetime="1975">1975</time>' in page and whole_day not in page
        summary = client.get(reverse("records:summary")).content.decode()
        [bcg_line] = [r for r in re.findall(r"<tr>(.*?)</tr>", summary, re.S) if "1975" in r]
        assert "<td>1975</td>" in bcg_line, bcg_line
