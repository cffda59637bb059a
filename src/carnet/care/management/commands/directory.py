import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from carnet.care import directory


class Command(BaseCommand):
    help = (
        "The practitioner directory. 'directory import FILE' loads the public Annuaire Santé "
        "extract (PS_LibreAcces_Personne_activite: pipe-separated, 52 columns, header line, "
        "UTF-8), streamed in constant memory with one transaction per batch, or an Annuaire "
        "Santé FHIR Bundle of Practitioner resources. Listings are upserted by national "
        "identifier (RPPS/ADELI) and place of practice, so importing again updates them. Bad "
        "rows (wrong number of columns, missing or invalid identifier, not UTF-8) are listed "
        "with their line number and counted per reason; they do not stop the import. Prints "
        "how many rows were imported and rejected, and why; progress goes to stderr."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import",
            help="import a directory extract or FHIR bundle",
            description=(
                "Import FILE into the practitioner directory. Exit status 1 if the file is "
                "not a directory file (nothing is written); rejected rows alone do not fail."
            ),
        )
        imp.add_argument("file", metavar="FILE", help="the extract (.txt) or FHIR JSON file")
        imp.add_argument(
            "--format",
            choices=["auto", "rpps", "fhir"],
            default="auto",
            help="rpps: the pipe-separated extract; fhir: a FHIR Bundle or Practitioner "
            "(JSON); auto (default): FHIR when the file starts with '{'",
        )
        imp.add_argument(
            "--prune",
            action="store_true",
            help="delete listings of earlier extracts that this file no longer contains "
            "(only with the full national file)",
        )
        imp.add_argument("--quiet", action="store_true", help="no progress on stderr")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        started = time.monotonic()
        last = [started]  # progress from the first second on: small files stay quiet
        shown = [False]

        def progress(report):
            now = time.monotonic()
            if opts["quiet"] or now - last[0] < 1.0:
                return
            last[0] = now
            shown[0] = True
            self.stderr.write(
                f"\r{report.read:,} rows read, {report.imported:,} imported, "
                f"{report.rejected:,} rejected…",
                ending="",
            )
            sys.stderr.flush()

        try:
            report = directory.import_file(
                path, opts["format"], progress=progress, prune=opts["prune"]
            )
        except directory.DirectoryFileRefused as exc:
            raise CommandError(
                f"{path.name} was not imported: {exc}. Nothing was written."
            ) from None
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror}).") from None
        if shown[0]:
            self.stderr.write("")
        elapsed = time.monotonic() - started
        out = self.stdout
        out.write(
            f"{path.name} ({report.format}): {report.imported:,} imported "
            f"({report.created:,} new in the directory), {report.rejected:,} rejected"
            + (f", {report.skipped:,} skipped (not Practitioner)" if report.skipped else "")
            + f", in {elapsed:.1f} s."
        )
        for reason, count in report.rejected_by_reason.most_common():
            out.write(f"  rejected, {reason}: {count:,}")
        if report.rejections:
            where = "entry" if report.format == "fhir" else "line"
            out.write(f"First {len(report.rejections)} rejected:")
            for n, why in report.rejections:
                out.write(f"  {where} {n}: {why}")
