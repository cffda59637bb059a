from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from carnet.vault import services


class Command(BaseCommand):
    help = (
        "Master key management. 'keys rotate' adds a new master key, re-wraps every patient "
        "data key under it while the server keeps running, then retires the old key."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rotate", help="re-wrap every data key under a new master key")

    def handle(self, *args: Any, **opts: Any) -> None:
        result = services.rotate_master_key(
            progress=lambda n: self.stderr.write(f"\r{n} data keys re-wrapped", ending="")
        )
        self.stderr.write("")
        self.stdout.write(
            f"New master key {result['master_key_id']}: {result['rewrapped']} data keys re-wrapped, "
            f"{len(result['retired'])} old key(s) retired."
        )
