from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carnet.backups import services


class Command(BaseCommand):
    help = gettext_lazy(
        "Write an encrypted backup of the main database and the document files to FILE, "
        "while Carnet keeps serving. The key store (the people's data keys) is left out on "
        "purpose: a person who closes their account stays unreadable in every older backup. "
        "The backup is encrypted with a key derived from the current master key (keep a copy "
        "of the master key ring: after 'carnet keys rotate' an old backup needs the old ring) "
        "or, with --key-file, from a separate backup key file (created if missing)."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)  # translated now, in the command's language
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help=_("the backup file to write"))
        parser.add_argument(
            "--key-file",
            metavar="PATH",
            help=_(
                "encrypt with the backup key in this file (32 random bytes, base64; created "
                "with mode 0600 if it does not exist) instead of the master key ring"
            ),
        )
        parser.add_argument(
            "--include-keys",
            action="store_true",
            help=_(
                "also write a copy of the key store to FILE.keystore (disaster recovery only: "
                "with it, people who closed their account since become readable again)"
            ),
        )

    def handle(self, *args, **opts):
        try:
            result = services.backup(
                Path(opts["file"]),
                key_file=Path(opts["key_file"]) if opts["key_file"] else None,
                include_keys=opts["include_keys"],
            )
        except services.BackupError as exc:
            raise CommandError(str(exc)) from None
        c = result.counts
        self.stdout.write(
            _(
                "Backup written to %(path)s (%(size)s bytes): %(users)s accounts, "
                "%(resource_versions)s record entries, %(blobs)s documents, "
                "%(audit_entries)s access-history entries."
            )
            % {"path": result.path, "size": result.size, **c}
        )
        if result.missing_blobs:
            self.stderr.write(
                _(
                    "%(n)s document files were deleted while the backup ran (records being "
                    "erased): they are not in it."
                )
                % {"n": result.missing_blobs}
            )
        if result.keystore_path:
            self.stdout.write(
                _("Key store written to %(path)s (%(size)s bytes).")
                % {"path": result.keystore_path, "size": result.keystore_size}
            )
            self.stderr.write(
                _(
                    "WARNING: %(path)s holds every person's data key. With it and the master "
                    "key ring, the records in any backup can be read again, including those "
                    "of people who closed their account after it was made. Keep it apart from "
                    "the database backups, in a safe place, and destroy it when it expires."
                )
                % {"path": result.keystore_path}
            )
