"""Helpers for browser tests: a real Carnet server in a subprocess, Chromium, axe-core.

The server runs ``carnet serve`` (web server and job worker in one process) against its own
data directory and SQLite files, so browser tests never touch the test databases.
Chromium comes from Debian (/usr/bin/chromium); Playwright never downloads a browser.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CARNET = str(Path(sys.executable).with_name("carnet"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SHOTS = Path(os.environ.get("CARNET_SHOTS", "/tmp/carnet-shots"))
PASSWORD = "un mot de passe assez long"
VIEWPORTS = {"mobile": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is missing: install Debian's 'chromium' package (make chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    data_dir: Path
    env: dict
    process: subprocess.Popen | None = None
    users: dict[str, str] = field(default_factory=dict)

    def carnet(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [CARNET, *args],
            input=stdin,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"carnet {' '.join(args)} failed: {done.stderr}{done.stdout}")
        return done.stdout

    def create_user(self, email: str, role: str = "citizen", *extra: str) -> str:
        if role == "practitioner":
            # A practitioner account must match the national directory: list them first.
            from .cli import directory_extract_for

            opts = dict(zip(extra[::2], extra[1::2], strict=False))
            path = self.data_dir / f"directory-{opts['--rpps']}.txt"
            path.write_bytes(
                directory_extract_for(
                    opts["--rpps"], opts.get("--name", ""), opts.get("--profession", "")
                )
            )
            self.carnet("directory", "import", str(path))
        self.carnet("user", "create", email, "--role", role, *extra, stdin=PASSWORD + "\n")
        self.users[role] = email
        return email

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server() -> Server:
    """Migrate both databases in a fresh data directory and serve on a free port."""
    data_dir = Path(tempfile.mkdtemp(prefix="carnet-browser-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CARNET_KEYSTORE_URL", "REDIS_URL", "PYTEST_CURRENT_TEST"}
        and not k.startswith("PYTEST_")
    }
    env.update(CARNET_DATA_DIR=str(data_dir), CARNET_DEBUG="0", PYTHONUNBUFFERED="1")
    port = free_port()
    server = Server(url=f"http://127.0.0.1:{port}", data_dir=data_dir, env=env)
    server.carnet("migrate", "--noinput", "-v0")
    server.carnet("migrate", "--database", "keystore", "--noinput", "-v0")
    log = open(data_dir / "server.log", "wb")  # noqa: SIM115 - kept open for the server's life
    server.process = subprocess.Popen(
        [CARNET, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    # Wait for the port to answer (bounded by attempts, not by a clock assertion).
    for _ in range(300):
        if server.process.poll() is not None:
            raise RuntimeError((data_dir / "server.log").read_text())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    else:
        server.stop()
        raise RuntimeError("the Carnet server did not start")
    return server


def cleanup(server: Server) -> None:
    server.stop()
    shutil.rmtree(server.data_dir, ignore_errors=True)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def sign_in(page, server: Server, email: str, password: str = PASSWORD) -> None:
    page.goto(server.url + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]:not(#passkey_login)")
    page.wait_for_load_state()


def sign_in_as(page, server: Server, account) -> None:
    """Sign in as a demo person (anything with ``email`` and ``password``)."""
    sign_in(page, server, account.email, account.password)


def open_menu(page) -> None:
    """On a phone the main menu is folded behind its "Menu" button: unfold it."""
    toggle = page.locator("nav.main-nav .menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def reauthenticate_if_asked(page) -> bool:
    """allauth asks for the password again before security changes ("sudo mode")."""
    if "/reauthenticate/" not in page.url:
        return False
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    return True


def check_page(page, name: str, viewport: str) -> list[str]:
    """axe-core, horizontal scroll and a screenshot; returns the problems found."""
    from axe_playwright_python.sync_playwright import Axe

    problems = []
    results = Axe().run(page)
    if results.violations_count:
        problems.append(f"{name} ({viewport}): axe: {results.generate_report()}")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 0:
        problems.append(f"{name} ({viewport}): scrolls sideways by {overflow}px")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{viewport}.png"), full_page=True)
    return problems


def small_bundle() -> bytes:
    """A few items of several kinds, for the import page."""
    entries = [
        {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "gender": "female"}},
    ]
    for i in range(5):
        entries.append(
            {
                "fullUrl": f"urn:uuid:o{i}",
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"text": "Fréquence cardiaque"},
                    "subject": {"reference": "urn:uuid:p"},
                    "valueQuantity": {"value": 60 + i, "unit": "/min"},
                },
            }
        )
    entries.append(
        {
            "fullUrl": "urn:uuid:i",
            "resource": {
                "resourceType": "Immunization",
                "status": "completed",
                "vaccineCode": {"text": "Grippe"},
                "patient": {"reference": "urn:uuid:p"},
                "occurrenceDateTime": "2024-10-01",
            },
        }
    )
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}).encode()
