"""The practitioner's list of shared records offers "Treatment adherence" only where the
person chose to share it; the link opens the adherence page."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from carnet.access import grants
from carnet.access.services import Actor
from carnet.reminders import services

from .bundles import karim_on_metformin
from .people import citizen, pid_of, pro


def test_the_link_shows_only_for_records_whose_person_shares_adherence():
    karim, karim_pid = karim_on_metformin("karim.link@example.org")
    other = citizen("Henri Marty")
    other_pid = pid_of(other)
    doctor = pro("Dr Claire Martin", profession="médecin généraliste")
    for user, pid in ((karim, karim_pid), (other, other_pid)):
        grants.set_referent(Actor.of_user(user), pid, doctor.pk)
    services.share_adherence(Actor.of_user(karim), karim_pid, True)

    c = Client()
    c.force_login(doctor)
    page = c.get(reverse("coffre:pro_patients")).content.decode()
    karim_link = reverse("reminders:pro_adherence", args=[karim_pid])
    assert karim_link in page
    assert reverse("reminders:pro_adherence", args=[other_pid]) not in page
    assert page.count("/observance/") == 1
    card = page.split(karim_link)[0].rsplit('<li class="card">', 1)[1]
    assert reverse("records:pro_record", args=[karim_pid]) in card  # on Karim's card
    assert c.get(karim_link).status_code == 200

    services.share_adherence(Actor.of_user(karim), karim_pid, False)
    assert "/observance/" not in c.get(reverse("coffre:pro_patients")).content.decode()


def test_the_choice_is_read_for_many_records_in_one_query(django_assert_num_queries):
    karim, pid = karim_on_metformin("karim.many@example.org")
    services.share_adherence(Actor.of_user(karim), pid, True)
    with django_assert_num_queries(1):
        assert services.adherence_shared_among([pid, pid + 1000]) == {pid}
    with django_assert_num_queries(0):
        assert services.adherence_shared_among([]) == set()
