"""`carnet user create EMAIL --role ROLE` (password from standard input when not a terminal)."""

import pytest

from .cli import carnet, fresh_install, list_in_directory


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    path = tmp_path_factory.mktemp("carnet")
    fresh_install(path)
    return path


@pytest.mark.no_db
def test_it_creates_each_role(home):
    out = carnet(home, "user", "create", "anne@example.org", input="a long enough passphrase\n")
    assert "Created citizen account anne@example.org" in out.stdout
    list_in_directory(home, "10001234567", "Dr Anne Martin", "Médecin")
    out = carnet(
        home,
        "user",
        "create",
        "dr@example.org",
        "--role",
        "practitioner",
        "--rpps",
        "10001234567",
        "--profession",
        "Médecin généraliste",
        input="a long enough passphrase\n",
    )
    assert "Created practitioner account dr@example.org" in out.stdout


@pytest.mark.no_db
def test_it_refuses_a_role_that_does_not_exist(home):
    out = carnet(
        home,
        "user",
        "create",
        "bank@example.org",
        "--role",
        "bank",
        input="a long enough passphrase\n",
        check=False,
    )
    assert out.returncode != 0
    assert "invalid choice: 'bank'" in out.stderr


@pytest.mark.no_db
def test_it_refuses_a_weak_password_and_creates_nothing(home):
    out = carnet(home, "user", "create", "weak@example.org", input="password\n", check=False)
    assert out.returncode != 0 and "trop court" in out.stderr  # French is the default language
    again = carnet(home, "user", "create", "weak@example.org", input="a long enough passphrase\n")
    assert "Created" in again.stdout


@pytest.mark.no_db
def test_every_command_documents_itself(home):
    for command in (
        "serve",
        "demo",
        "user",
        "import",
        "export",
        "erase",
        "audit",
        "keys",
        "token",
        "backup",
        "restore",
        "notify",
        "reminders",
        "directory",
    ):
        out = carnet(home, command, "--help")
        assert "usage: carnet " + command in out.stdout
    assert "carnet import FILE" in carnet(home, "--help").stdout
