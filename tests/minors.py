"""A minor's secret: Lina (16), her mother Sophie who made her record, Dr Garonne."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from carnet.access import grants
from carnet.access.services import Actor, Purpose

from .people import add_child, citizen, pro

SECRET = "Consultation contraception"
NOTE = "Pilule œstroprogestative prescrite, revoir dans 3 mois."
PROXY = Purpose.PROXY


def _sixteen_years_ago():
    today = timezone.localdate()
    return today.replace(year=today.year - 16, day=min(today.day, 28))


def family(client, age_years=16):
    """(mum, pid, doctor): Sophie made Lina's record; Dr Garonne is Lina's médecin traitant."""
    mum = citizen("Sophie Esquirol", language="fr")
    today = timezone.localdate()
    born = today.replace(year=today.year - age_years, day=min(today.day, 28))
    pid = add_child(client, mum, born, given="Lina")
    doctor = pro("Dr Claire Garonne", "médecin généraliste", "Cabinet des Carmes")
    grants.set_referent(Actor.of_user(mum), pid, doctor.pk)
    return mum, pid, doctor


def consult(client, doctor, pid, *, confidential=True, reason=SECRET, text=NOTE):
    """The doctor writes the consultation note through the pro entry form."""
    client.force_login(doctor)
    form = {"reason": reason, "text": text, "day": timezone.localdate().isoformat()}
    if confidential:
        form["not_parents"] = "on"
    done = client.post(reverse("records:pro_entry_add", args=[pid, "consultation"]), form)
    assert done.status_code == 302, done.content.decode()
    return done["Location"].rstrip("/").rpartition("/")[2]
