"""A person searches the directory by POST and sees who uses Carnet and how to reach them."""

from __future__ import annotations

import io

from django.urls import reverse

from carnet.accounts import services as accounts
from carnet.care import directory

from .care import doctor_of, open_every_day
from .directory import extract, rpps_line
from .people import citizen, english, pid_of


def load(*lines: str) -> None:
    directory.import_rpps(io.BytesIO(extract(list(lines))))


def test_it_searches_by_post_accent_insensitive_and_marks_carnet_users(client):
    load(
        rpps_line(
            "10000000001", "MARTIN", "Hélène", specialty_code="SM54", specialty="Médecine Générale"
        ),
        rpps_line("10000000002", "MARTIN", "Luc", town="Toulouse", postcode="31000"),
        rpps_line("10000000003", "DUPONT", "Anne"),
    )
    person = citizen("Karim Benali")
    helene = accounts.create_user(
        "helene@example.org",
        None,
        role="practitioner",
        rpps="10000000001",
        display_name="Dr Hélène Martin",
    )
    accounts.create_user("luc@example.org", None, role="practitioner", rpps="10000000002")
    doctor_of(person, name="Dr Other")  # someone else in the care team
    from carnet.access import grants
    from carnet.access.services import Actor

    grants.set_referent(Actor.of_user(person), pid_of(person), helene.pk)
    open_every_day(helene)
    english(client).force_login(person)

    assert client.get(reverse("care:directory")).status_code == 200
    found = client.post(reverse("care:directory"), {"q": "helene mar"})
    html = found.content.decode()
    assert found.status_code == 200
    assert "MARTIN" in html and "Hélène" in html and "Médecine Générale" in html
    assert "Luc" not in html and "DUPONT" not in html
    assert 'data-on-carnet="1"' in html and "uses Carnet" in html
    assert reverse("care:appointment_book", args=[helene.pk]) in html
    assert f"{reverse('care:conversation_new')}?a={helene.pk}" in html

    # Luc uses Carnet, takes no appointments and is not in the care team: share first.
    luc = client.post(reverse("care:directory"), {"q": "MARTIN", "town": "toulouse"})
    html = luc.content.decode()
    assert "Luc" in html and "Hélène" not in html
    assert "share your record with them first" in html
    assert "Book an appointment" not in html

    # Profession and specialty, whatever the accents.
    by_specialty = client.post(reverse("care:directory"), {"specialty": "medecine generale"})
    assert "Hélène" in by_specialty.content.decode()
    by_profession = client.post(reverse("care:directory"), {"profession": "MÉDECIN"})
    assert by_profession.content.decode().count("data-listing=") == 3

    # The preselected practitioner on the message form.
    form = client.get(reverse("care:conversation_new"), {"a": helene.pk}).content.decode()
    assert f'value="{helene.pk}" selected' in form


def test_it_says_what_to_do_with_an_empty_or_too_short_search(client):
    english(client).force_login(citizen())
    empty = client.post(reverse("care:directory"), {"q": " "})
    assert empty.status_code == 400
    assert "Type a name, a profession, a specialty or a town" in empty.content.decode()
    short = client.post(reverse("care:directory"), {"q": "é"})
    assert short.status_code == 400 and "at least two letters" in short.content.decode()


def test_a_broad_search_is_not_counted_and_asks_to_refine(client):
    load(*[rpps_line(f"1000000{i:04d}", "MARTIN", f"Prénom{i}") for i in range(40)])
    english(client).force_login(citizen())
    html = client.post(reverse("care:directory"), {"q": "mar"}).content.decode()
    assert html.count("data-listing=") == 30
    assert "More than 30 results" in html
    result = directory.search(q="mar", limit=30, count=False)
    assert result.total is None and result.more and len(result.entries) == 30
    assert not directory.search(q="mar", limit=40, count=False).more


def test_search_terms_never_go_in_the_address(client):
    english(client).force_login(citizen())
    page = client.get(reverse("care:directory"), {"q": "martin"}).content.decode()
    assert 'method="post"' in page
    assert "Results" not in page  # a GET searches nothing
