"""Run the real ``carnet`` command in a private data directory (SQLite, like a fresh install)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .directory import extract, rpps_line

CARNET = Path(sys.executable).with_name("carnet")


def env_for(data_dir: Path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "CARNET_", "PYTEST_"))
    }
    env["CARNET_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "carnet.settings"
    return env


def carnet(
    data_dir: Path, *args: str, input: str | None = None, check: bool = True
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(CARNET), *args],
        env=env_for(data_dir),
        input=input,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"carnet {' '.join(args)} failed ({result.returncode}):\n{result.stderr}"
        )
    return result


def fresh_install(data_dir: Path) -> None:
    carnet(data_dir, "migrate", "--noinput", "-v0")
    carnet(data_dir, "migrate", "--database", "keystore", "--noinput", "-v0")


def directory_extract_for(rpps: str, name: str = "", profession: str = "") -> bytes:
    """A national directory extract (the real 52-column format) listing one practitioner
    under this RPPS number, name (titles aside) and profession."""
    words = [w for w in name.split() if w.lower().rstrip(".") not in {"dr", "docteur", "pr"}]
    first, last = (" ".join(words[:-1]), words[-1]) if words else ("", f"Praticien {rpps}")
    more = {"profession": profession} if profession else {}
    return extract([rpps_line(rpps, last, first, **more)])


def list_in_directory(data_dir: Path, rpps: str, name: str = "", profession: str = "") -> None:
    """`carnet directory import` of an extract listing this practitioner: a practitioner
    account must match the directory (carnet.care.directory.check_practitioner)."""
    path = data_dir / f"directory-{rpps}.txt"
    path.write_bytes(directory_extract_for(rpps, name, profession))
    carnet(data_dir, "directory", "import", str(path))
