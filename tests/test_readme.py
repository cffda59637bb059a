"""The README stays true: the two commands, every demo account, every CLI command."""

from pathlib import Path

import pytest

from carnet.demo.personas import ACCOUNTS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.mark.no_db
def test_it_gives_the_two_commands():
    assert "make run" in README and "make test" in README


@pytest.mark.no_db
@pytest.mark.parametrize("account", ACCOUNTS, ids=lambda a: a.email)
def test_it_lists_every_demo_account_with_its_password(account):
    row = next((line for line in README.splitlines() if f"`{account.email}`" in line), None)
    assert row is not None, f"{account.email} is missing from the README"
    assert f"`{account.password}`" in row and account.role in row


@pytest.mark.no_db
@pytest.mark.parametrize(
    "command",
    [
        "serve",
        "demo",
        "user create",
        "import",
        "export",
        "erase",
        "audit verify",
        "keys rotate",
        "token create",
        "backup",
        "restore",
        "notify send",
        "reminders list",
        "directory import",
        "research refresh",
        "research verify",
        "research publish",
    ],
)
def test_it_documents_every_cli_command(command):
    assert f"`carnet {command}" in README
