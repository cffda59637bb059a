import sys

from django.core.management.base import BaseCommand, CommandError

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import erasure


class Command(BaseCommand):
    help = (
        "Close a person's account and erase their record: their data key is destroyed (so "
        "no copy, backups included, decrypts any more), then every row and document is "
        "deleted. The access history keeps pseudonymous entries. Asks to type 'yes'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--patient", required=True, metavar="EMAIL")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, **opts):
        patient = accounts.patient_for_email(opts["patient"])
        if patient is None:
            raise CommandError(f"No citizen record for {opts['patient']}.")
        if not opts["yes"]:
            if not sys.stdin.isatty():
                raise CommandError("Refusing to erase without confirmation: pass --yes.")
            answer = input(f"Erase the record of {opts['patient']} for ever? Type yes: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was erased.")
        result = erasure.erase_patient(Actor.operator(), patient.pk, Purpose.OPERATIONS)
        self.stdout.write(
            f"Erased record {result.patient_id}: {result.resources} resource versions and "
            f"{result.documents} documents; its data key is destroyed."
        )
