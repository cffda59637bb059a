import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers, imports


class Command(BaseCommand):
    help = (
        "Import health files, one transaction per file: FHIR R4 Bundles, French CDA documents "
        "(DMP), C-CDA, and FIT, GPX, TCX or Apple Health files, recognised by their content. A "
        "file with any invalid entry is refused whole. With --owner, every file goes into that "
        "person's record; without, each file becomes a new citizen's record."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--owner", metavar="EMAIL", help="import into this citizen's record")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, **opts):
        owner_patient = None
        if opts["owner"]:
            owner_patient = accounts.patient_for_email(opts["owner"])
            if owner_patient is None:
                raise CommandError(f"No citizen record for {opts['owner']}.")
        actor = Actor.operator()
        failed = 0
        total = 0
        for name in opts["files"]:
            path = Path(name)
            try:
                data = path.read_bytes()
            except OSError as exc:
                self.stderr.write(f"{name}: cannot be read ({exc.strerror}).")
                failed += 1
                continue
            bar = None
            if not opts["quiet"] and sys.stderr.isatty():
                bar = tqdm(desc=path.name[:40], unit=" resources", file=sys.stderr, leave=False)

            def progress(n, bar=bar):
                if bar is not None:
                    bar.update(n - bar.n)

            try:
                if importers.detect(data, path.name) == "fhir-json":
                    result = imports.import_bundle(
                        actor,
                        data,
                        patient_id=owner_patient.pk if owner_patient else None,
                        filename=path.name,
                        purpose=Purpose.OPERATIONS,
                        progress=progress,
                        create_patient=None
                        if owner_patient
                        else (lambda: accounts.create_unclaimed_citizen().pk),
                    )
                else:
                    result = self._import_other(actor, owner_patient, data, path.name)
            except imports.ImportRefused as exc:
                self.stderr.write(f"{name}: refused, nothing was written: {exc}")
                failed += 1
                continue
            finally:
                if bar is not None:
                    bar.close()
            if getattr(result, "duplicate", False):
                self.stdout.write(f"{name}: already in the record; nothing was written.")
                continue
            total += result.created
            self.stdout.write(
                f"{name}: {result.created} resources imported into record {result.patient_id} "
                f"({result.shared_created} new and {result.shared_reused} known professionals/organisations)."
            )
        if failed:
            raise CommandError(f"{failed} of {len(opts['files'])} files were refused.")
        self.stdout.write(f"Done: {total} resources from {len(opts['files'])} files.")

    def _import_other(self, actor, owner_patient, data: bytes, filename: str):
        """A CDA document or a wearable file; without --owner it starts a new record."""
        with transaction.atomic():
            patient_id = (
                owner_patient.pk if owner_patient else accounts.create_unclaimed_citizen().pk
            )
            return importers.import_file(actor, patient_id, data, filename, Purpose.OPERATIONS)
