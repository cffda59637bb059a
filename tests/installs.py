"""A private Carnet install for tests that run the real ``carnet`` command (no tests here).

On SQLite (the default) it is a data directory. When the suite runs on PostgreSQL
(``DATABASE_URL=postgres://…``), the install gets scratch databases of its own on the same
server (``carnet_bk_<random>`` and ``carnet_bk_<random>_keys``), dropped afterwards: the
suite's own ``test`` databases are never touched.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from .cli import CARNET, env_for

PG_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith(("postgres://", "postgresql://"))


def _admin_url() -> str:
    return urlunparse(urlparse(PG_URL)._replace(path="/postgres"))


def _url(name: str) -> str:
    return urlunparse(urlparse(PG_URL)._replace(path=f"/{name}"))


class Install:
    def __init__(self, home: Path, *, master_key: bytes | None = None):
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        if master_key is not None:
            fd = os.open(self.home / "master.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(master_key)
        self.databases: list[str] = []
        self.vendor = "postgresql" if ON_POSTGRES else "sqlite"
        if ON_POSTGRES:
            import psycopg

            base = f"carnet_bk_{secrets.token_hex(5)}"
            with psycopg.connect(_admin_url(), autocommit=True) as conn:
                for name in (base, base + "_keys"):
                    conn.execute(f'CREATE DATABASE "{name}"')
                    self.databases.append(name)

    @property
    def env(self) -> dict:
        env = env_for(self.home)
        if self.databases:
            env["DATABASE_URL"] = _url(self.databases[0])
            env["CARNET_KEYSTORE_URL"] = _url(self.databases[1])
        return env

    @property
    def master_key(self) -> bytes:
        return (self.home / "master.key").read_bytes()

    def carnet(self, *args: str, input: str | None = None, check: bool = True, timeout=600):
        result = subprocess.run(
            [str(CARNET), *args],
            env=self.env,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"carnet {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}"
            )
        return result

    def popen(self, *args: str, **kwargs) -> subprocess.Popen:
        return subprocess.Popen([str(CARNET), *args], env=self.env, **kwargs)

    def python(self, code: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run Python with Django set up for this install (for what no command does)."""
        prelude = "import django; django.setup()\n"
        result = subprocess.run(
            [sys.executable, "-c", prelude + code],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"python failed ({result.returncode}):\n{result.stderr[-3000:]}")
        return result

    def migrate(self, then: str = "") -> subprocess.CompletedProcess:
        """Migrate both databases (and run ``then``) in one process: each start costs seconds."""
        return self.python(
            "from django.core.management import call_command\n"
            "call_command('migrate', interactive=False, verbosity=0)\n"
            "call_command('migrate', database='keystore', interactive=False, verbosity=0)\n" + then
        )

    def citizen(self, email: str) -> None:
        self.carnet(
            "user", "create", email, "--role", "citizen", input="a long enough passphrase\n"
        )

    def drop(self) -> None:
        if not self.databases:
            return
        import psycopg

        with psycopg.connect(_admin_url(), autocommit=True) as conn:
            for name in self.databases:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.databases = []


@pytest.fixture
def installs(tmp_path):
    """Make installs with ``installs("name")``; their scratch databases are dropped after."""
    made: list[Install] = []

    def make(name: str, **kwargs) -> Install:
        install = Install(tmp_path / name, **kwargs)
        made.append(install)
        return install

    yield make
    for install in made:
        install.drop()
