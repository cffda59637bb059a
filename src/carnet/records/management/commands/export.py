import json
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import exports
from carnet.vault.services import KeyDestroyed


class Command(BaseCommand):
    help = (
        "Export a person's whole record: --format fhir writes a FHIR Bundle (JSON) that "
        "re-imports into an empty Carnet; --format zip adds every document."
    )

    def add_arguments(self, parser):
        parser.add_argument("--patient", required=True, metavar="EMAIL")
        parser.add_argument("--format", choices=["fhir", "zip"], default="fhir")
        parser.add_argument(
            "-o", "--output", required=True, metavar="FILE", help="'-' for standard output"
        )

    def handle(self, *args, **opts):
        patient = accounts.patient_for_email(opts["patient"])
        if patient is None:
            raise CommandError(f"No citizen record for {opts['patient']}.")
        try:
            data = self._export(patient.pk, opts["format"])
        except KeyDestroyed:
            raise CommandError(
                "This record was erased: its data key no longer exists, so nothing can be decrypted."
            ) from None
        if opts["output"] == "-":
            sys.stdout.buffer.write(data)
            return
        fd = os.open(opts["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        self.stderr.write(f"Wrote {len(data)} bytes to {opts['output']}.")

    def _export(self, patient_id: int, fmt: str) -> bytes:
        actor = Actor.operator()
        if fmt == "fhir":
            data = json.dumps(
                exports.export_bundle(actor, patient_id, Purpose.OPERATIONS),
                ensure_ascii=False,
                indent=1,
            ).encode()
        else:
            data = exports.export_zip(actor, patient_id, Purpose.OPERATIONS)
        return data
