"""Searching the practitioner directory: names, professions, specialties, towns, "on Carnet"."""

from __future__ import annotations

import io

from carnet.accounts import services as accounts
from carnet.accounts.models import User
from carnet.care import directory

from .directory import SMALL, extract, rpps_line


def names(result: directory.SearchResult) -> list[str]:
    return [f"{e.last_name} {e.first_name}" for e in result.entries]


def load(*lines: str) -> None:
    directory.import_rpps(io.BytesIO(extract(list(lines))))


def test_it_finds_a_name_whatever_the_accents_and_case():
    load(
        rpps_line("10000000001", "DUPONT", "HELENE"),
        rpps_line("10000000002", "MARTIN", "Hélène"),
        rpps_line("10000000003", "HÉLÈNE", "Paul"),
        rpps_line("10000000004", "HELIOS", "Marc"),
    )
    expected = ["DUPONT HELENE", "HÉLÈNE Paul", "MARTIN Hélène"]
    for query in ("Hélène", "helene", "HELENE", "hélène", "  HéLèNe "):
        assert names(directory.search(q=query)) == expected, query
    assert names(directory.search(q="Hél")) == [*expected[:2], "HELIOS Marc", expected[2]]


def test_it_matches_the_start_of_first_last_or_last_first():
    directory.import_file(SMALL)
    assert names(directory.search(q="kri")) == ["KRISTIAN Helene"]
    assert names(directory.search(q="Hélène Kri")) == ["KRISTIAN Helene"]
    assert names(directory.search(q="kristian h")) == ["KRISTIAN Helene"]
    assert names(directory.search(q="Lebrun-Carp")) == ["LEBRUN-CARPENTIER Anaïs"]
    assert names(directory.search(q="anais")) == ["LEBRUN-CARPENTIER Anaïs"]
    assert names(directory.search(q="kristian x")) == []
    assert names(directory.search(q="zzz")) == []


def test_filters_by_profession_specialty_and_town():
    directory.import_file(SMALL)
    ergo = directory.search(profession="ergotherapeute")
    assert (ergo.total, names(ergo)) == (
        3,
        ["CHEPY Xavier", "KRISTIAN Helene", "LEBRUN-CARPENTIER Anaïs"],
    )
    # "BOURG EN BRESSE" (from the cedex line) and "Bourg-en-Bresse" (commune) are one town.
    bourg = directory.search(town="Bourg-en-Bresse")
    assert names(bourg) == ["DERVIEUX Veronique", "JOBERT ALEXIS", "LEBRUN-CARPENTIER Anaïs"]
    both = directory.search(town="bourg en bresse", profession="Ergothérapeute")
    assert names(both) == ["LEBRUN-CARPENTIER Anaïs"]
    assert directory.search(town="01300").total == 2  # a postcode
    assert directory.search(town="01").total == 10  # a département: postcodes starting 01
    assert directory.search(town="Paris").total == 0

    load(
        rpps_line(
            "10000000001", "MARTIN", "Anne", specialty_code="SM54", specialty="Médecine Générale"
        ),
        rpps_line("10000000002", "MARTIN", "Luc", specialty_code="SM26", specialty="Cardiologie"),
    )
    cardio = directory.search(q="martin", specialty="cardiologie")
    assert names(cardio) == ["MARTIN Luc"]
    assert cardio.entries[0].specialty == "Cardiologie"


def test_it_pages_and_counts_the_whole_match():
    directory.import_file(SMALL)
    everyone = directory.search(limit=100)
    assert everyone.total == 21 and len(everyone.entries) == 21
    ordered = names(everyone)
    assert ordered == sorted(ordered, key=directory.fold)
    page = directory.search(limit=5, offset=5)
    assert page.total == 21 and names(page) == ordered[5:10]
    assert directory.MAX_LIMIT < 21 or len(directory.search(limit=10_000).entries) == 21
    assert len(directory.search(limit=0).entries) == 1


def test_practitioners_with_a_carnet_account_are_marked_and_reachable():
    load(
        rpps_line("10000000001", "MARTIN", "Anne", structure_id="S1"),
        rpps_line("10000000001", "MARTIN", "Anne", structure_id="S2"),
        rpps_line("10000000002", "MARTIN", "Luc"),
        rpps_line("10000000003", "MARTIN", "Zoé"),
    )
    anne = accounts.create_user("anne@example.org", None, role="practitioner", rpps="10000000001")
    gone = accounts.create_user("zoe@example.org", None, role="practitioner", rpps="10000000003")
    gone.is_active = False
    gone.save()
    result = directory.search(q="martin")
    marks = [(e.first_name, e.on_carnet, e.user_id) for e in result.entries]
    assert marks == [
        ("Anne", True, anne.pk),
        ("Anne", True, anne.pk),
        ("Luc", False, None),
        ("Zoé", False, None),
    ]


def test_an_adeli_listing_is_never_taken_for_an_account():
    directory.import_file(SMALL)
    # Same digits as an ADELI number, but an account holds an RPPS: no match.
    # (Such an account cannot be made any more: accounts must match an RPPS listing. One
    # made before that rule is written to the table directly.)
    User.objects.create_user("x@example.org", None, role="practitioner", rpps="00019401140")
    result = directory.search(q="kristian")
    assert result.entries[0].on_carnet is False
