"""The import page takes the files people actually have: a DMP document, a watch file."""

import pytest
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from carnet.access.services import Actor, Purpose
from carnet.records import services as records

from . import helpers
from .helpers import DATA


@pytest.fixture
def citizen(client):
    HUEY.immediate = True
    user = helpers.citizen("alice@example.org")
    client.force_login(user)
    yield user
    HUEY.immediate = False


def _upload(client, path):
    with open(path, "rb") as fh:
        return client.post(reverse("records:import"), {"file": fh})


@pytest.mark.parametrize(
    "path,kind",
    [
        (DATA / "cda" / "fr" / "VAC_2023.01.xml", "Immunization"),
        (DATA / "wearables" / "gpx" / "garmin_gpxtpx.gpx", "Observation"),
    ],
)
def test_a_cda_document_or_a_watch_file_goes_into_the_record(client, citizen, path, kind):
    response = _upload(client, path)
    assert response.status_code == 302
    actor = Actor.of_user(citizen)
    counts = records.count_by_type(actor, citizen.patient.pk, Purpose.SELF)
    assert counts.get(kind, 0) > 0, counts
    assert counts.get("DocumentReference") == 1, "the original is kept"
