import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from carnet.access import services as access
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.accounts.models import Patient
from carnet.records import identity, importers, imports


class Command(BaseCommand):
    help = (
        "Import health files, one transaction per file: FHIR R4 Bundles, French CDA documents "
        "(DMP), C-CDA, and FIT, GPX, TCX or Apple Health files, recognised by their content. A "
        "file with any invalid entry is refused whole (a wrong code is only a warning on its "
        "item). With --owner, every file goes into that person's record; without, each file "
        "becomes a new citizen's record. A file about someone else than the record's person is "
        "refused until you say whose it is: --as-me (the owner's: their name and birth date "
        "stay, unless --take-details), or --into EMAIL|RECORD (a relative whose record the "
        "owner manages)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--owner", metavar="EMAIL", help="import into this citizen's record")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")
        parser.add_argument(
            "--as-me",
            action="store_true",
            help="the files are about the record's person even if their details differ",
        )
        parser.add_argument(
            "--take-details",
            action="store_true",
            help="with --as-me: take the file's name and birth date instead of keeping the record's",
        )
        parser.add_argument(
            "--into",
            metavar="EMAIL|RECORD",
            help="import into the record of a relative whom the --owner manages",
        )

    def handle(self, *args, **opts):
        owner_patient = None
        if opts["owner"]:
            owner_patient = accounts.patient_for_email(opts["owner"])
            if owner_patient is None:
                raise CommandError(f"No citizen record for {opts['owner']}.")
        if (opts["as_me"] or opts["into"]) and owner_patient is None:
            raise CommandError("--as-me and --into need --owner EMAIL.")
        if opts["take_details"] and not opts["as_me"]:
            raise CommandError("--take-details goes with --as-me.")
        if opts["into"]:
            owner_patient = self._relative(owner_patient, opts["into"])
        person = imports.CHECK
        if opts["as_me"]:
            person = imports.MINE_TAKE_DETAILS if opts["take_details"] else imports.MINE
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
                    if person == imports.MINE and owner_patient is not None:
                        # An empty record keeps the account holder's name (see identity).
                        data = imports.parse(data)
                        identity.keep_account_name(data, owner_patient.pk)
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
                        person=person,
                    )
                else:
                    result = self._import_other(actor, owner_patient, data, path.name, person)
            except imports.ImportRefused as exc:
                self.stderr.write(f"{name}: refused, nothing was written: {exc}")
                if exc.reason == "other_person":
                    self.stderr.write(
                        f"{name}: if the file is the record's person's, import it again with "
                        "--as-me (add --take-details to take the file's name and birth date); "
                        "if it is a relative's whose record the owner manages, use --into "
                        "EMAIL|RECORD."
                    )
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
            for w in result.warnings:
                self.stdout.write(
                    f"{name}: warning: entry {w['entry']} ({w['type']}/{w['id']}) kept with a "
                    f"wrong code: {w['message']} at {w['path']}"
                )
            already = getattr(result, "already_in_record", [])
            if already:
                self.stdout.write(
                    f"{name}: {len(already)} vaccination(s) already in the record (same vaccine, "
                    "day and batch number): not added twice."
                )
            for part in getattr(result, "left_out", []):
                self.stdout.write(
                    f"{name}: left in the original document only: section {part['section']!r}, "
                    + (
                        "its text"
                        if part["what"] == "text"
                        else f"{part['count']} {part['what']}(s)"
                    )
                )
        if failed:
            raise CommandError(f"{failed} of {len(opts['files'])} files were refused.")
        self.stdout.write(f"Done: {total} resources from {len(opts['files'])} files.")

    def _import_other(self, actor, owner_patient, data: bytes, filename: str, person: str):
        """A CDA document or a wearable file; without --owner it starts a new record."""
        with transaction.atomic():
            patient_id = (
                owner_patient.pk if owner_patient else accounts.create_unclaimed_citizen().pk
            )
            return importers.import_file(
                actor, patient_id, data, filename, Purpose.OPERATIONS, person=person
            )

    def _relative(self, owner_patient, into: str):
        """The record of a relative the owner manages (by email, or by record number)."""
        target = (
            Patient.objects.filter(pk=int(into)).first()
            if into.isdigit()
            else accounts.patient_for_email(into)
        )
        owner = owner_patient.owner
        if (
            target is None
            or owner is None
            or not access.decide(
                Actor.of_user(owner), target.pk, access.Action.IMPORT, Purpose.PROXY
            ).permit
        ):
            raise CommandError(
                f"{into}: no record that the owner manages (they must be its proxy with the "
                "right to manage the record)."
            )
        return target
