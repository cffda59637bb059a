"""No commercial actor, by identity: a practitioner account must match the national
directory loaded in Carnet (RPPS number listed, same name, a profession the directory
gives), and sharing offers and accepts only professionals the directory lists
(issue 13, point 7)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from carnet.access import grants, requests
from carnet.access.services import Actor
from carnet.accounts import services as accounts
from carnet.accounts.models import User
from carnet.care import directory
from carnet.demo import personas
from carnet.demo import services as demo

from .cli import carnet, fresh_install
from .directory import extract, rpps_line, run
from .people import citizen, english, pid_of

pytestmark = pytest.mark.django_db(databases=["default", "keystore"])
PASSWORD = "Tilleul-Garonne-Brique-31"
AXA = {"display_name": "AXA Prévoyance", "profession": "Assureur santé", "rpps": "12345678901"}
# One directory row, in the national extract's own format (52 columns), imported for real.
LEFEVRE = rpps_line(
    "10003456789",
    "LEFÈVRE",
    "Hélène",
    specialty_code="SM54",
    specialty="Médecine Générale",
    town="Toulouse",
    postcode="31000",
)


@pytest.fixture
def listed():
    report = run(extract([LEFEVRE]))
    assert report.imported == 1


def refused(**fields) -> str:
    with pytest.raises(directory.NotInDirectory) as info:
        accounts.create_user("x@example.org", PASSWORD, role="practitioner", **fields)
    assert not User.objects.filter(email="x@example.org").exists()
    return " ".join(info.value.messages)


def test_the_insurer_is_refused_and_told_what_to_do(listed):
    message = refused(**AXA)
    assert "12345678901" in message and "carnet directory import" in message


def test_a_listed_number_with_another_name_or_a_non_health_profession_is_refused(listed):
    assert "Hélène LEFÈVRE" in refused(rpps="10003456789", display_name="AXA Prévoyance")
    assert "Assureur santé" in refused(
        rpps="10003456789", display_name="Hélène Lefèvre", profession="Assureur santé"
    )


def test_a_directory_row_is_accepted_with_its_name_and_profession(listed):
    user = accounts.create_user(
        "helene@example.org",
        PASSWORD,
        role="practitioner",
        rpps="10003456789",
        display_name="Dr Helene Lefevre",  # titles, accents and case aside: the same name
        profession="Médecin généraliste",
    )
    assert user.is_practitioner and directory.is_verified(user)
    User.objects.filter(pk=user.pk).delete()
    named = accounts.create_user(
        "helene2@example.org", PASSWORD, role="practitioner", rpps="10003456789"
    )
    assert (named.display_name, named.profession) == ("Hélène LEFÈVRE", "Médecine Générale")


def test_sharing_offers_and_accepts_only_listed_professionals(client, listed):
    helene = accounts.create_user(
        "helene@example.org", PASSWORD, role="practitioner", rpps="10003456789"
    )
    # An account made before the rule, for an insurer: written to the table directly.
    axa = User.objects.create_user("axa@example.org", PASSWORD, role="practitioner", **AXA)
    person = citizen()
    me, pid = Actor.of_user(person), pid_of(person)

    with pytest.raises(grants.GrantRefused):
        grants.share(me, pid, axa.pk, categories=["measurements"])
    with pytest.raises(grants.GrantRefused):
        grants.set_referent(me, pid, axa.pk)
    assert grants.share(me, pid, helene.pk, categories=["measurements"]).grantee_id == helene.pk

    english(client).force_login(person)
    found = client.get(reverse("coffre:sharing_practitioners"), {"q": "AXA"}).content.decode()
    assert "AXA Prévoyance" not in found
    assert reverse("coffre:sharing_share", args=[axa.pk]) not in found
    by_number = client.get(reverse("coffre:sharing_practitioners"), {"q": AXA["rpps"]})
    assert reverse("coffre:sharing_share", args=[axa.pk]) not in by_number.content.decode()
    assert client.get(reverse("coffre:sharing_share", args=[axa.pk])).status_code == 404
    lefevre = client.get(reverse("coffre:sharing_practitioners"), {"q": "Hélène"})
    assert reverse("coffre:sharing_share", args=[helene.pk]) in lefevre.content.decode()

    # The insurer cannot ask for access either.
    with pytest.raises(requests.RequestRefused):
        requests.ask(
            Actor.of_user(axa),
            target=person.email,
            reason="Étude de votre dossier",
            categories=["measurements"],
        )


def test_the_demo_professionals_are_in_the_directory_the_demo_loads():
    assert demo.load_directory() == len(personas.PRACTITIONERS)
    assert demo.load_directory() == len(personas.PRACTITIONERS)  # again: nothing changes
    for account in personas.PRACTITIONERS:
        directory.check_practitioner(account.rpps, account.display_name, account.profession)


@pytest.mark.no_db
def test_the_command_line_refuses_the_insurer_and_accepts_a_listed_professional(tmp_path):
    fresh_install(tmp_path)
    out = carnet(
        tmp_path,
        "user",
        "create",
        "axa@example.org",
        "--role",
        "practitioner",
        "--profession",
        "Assureur santé",
        "--name",
        "AXA Prévoyance",
        "--rpps",
        "12345678901",
        input=PASSWORD + "\n",
        check=False,
    )
    assert out.returncode != 0
    assert "12345678901" in out.stderr and "carnet directory import" in out.stderr
    extract_file = tmp_path / "PS_LibreAcces_Personne_activite.txt"
    extract_file.write_bytes(extract([LEFEVRE]))
    carnet(tmp_path, "directory", "import", str(extract_file))
    made = carnet(
        tmp_path,
        "user",
        "create",
        "helene@example.org",
        "--role",
        "practitioner",
        "--name",
        "Hélène Lefèvre",
        "--rpps",
        "10003456789",
        input=PASSWORD + "\n",
    )
    assert "Created practitioner account helene@example.org" in made.stdout


def test_a_professional_cannot_rename_away_from_the_directory(client, listed):
    helene = accounts.create_user(
        "helene@example.org", PASSWORD, role="practitioner", rpps="10003456789"
    )
    english(client).force_login(helene)
    url = reverse("accounts:profile")
    refused = client.post(url, {"display_name": "AXA Prévoyance", "language": "en"})
    assert refused.status_code == 400
    assert "national directory" in refused.content.decode()
    helene.refresh_from_db()
    assert helene.display_name == "Hélène LEFÈVRE" and directory.is_verified(helene)
    assert (
        client.post(url, {"display_name": "Dr Hélène Lefèvre", "language": "en"}).status_code == 302
    )
    helene.refresh_from_db()
    assert helene.display_name == "Dr Hélène Lefèvre" and directory.is_verified(helene)


def test_the_directory_never_marks_an_account_under_another_name_as_theirs(listed):
    # An account made before the rule, with Hélène's number but an insurer's name.
    User.objects.create_user(
        "axa@example.org",
        PASSWORD,
        role="practitioner",
        rpps="10003456789",
        **{k: v for k, v in AXA.items() if k != "rpps"},
    )
    [entry] = directory.search(q="lefevre").entries
    assert entry.on_carnet is False and entry.user_id is None
