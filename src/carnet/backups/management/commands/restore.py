from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carnet.backups import services


class Command(BaseCommand):
    help = gettext_lazy(
        "Restore a backup made by 'carnet backup' into an empty install (migrated, no "
        "account yet; stop the server first). The install must use the same master key ring "
        "(CARNET_MASTER_KEY_FILE) and a key store holding the people's data keys: the "
        "running key store, or one restored from a FILE.keystore written by "
        "'carnet backup --include-keys' (restore it with this same command). People whose "
        "data key is not in the key store (they closed their account) stay unreadable."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)  # translated now, in the command's language
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help=_("the backup file to read"))
        parser.add_argument(
            "--key-file",
            metavar="PATH",
            help=_("the backup key file, for a backup made with --key-file"),
        )

    def handle(self, *args, **opts):
        try:
            result = services.restore(
                Path(opts["file"]),
                key_file=Path(opts["key_file"]) if opts["key_file"] else None,
            )
        except services.BackupError as exc:
            raise CommandError(_("Nothing was restored: %(error)s") % {"error": exc}) from None
        if result.kind == "keystore":
            self.stdout.write(
                _("Key store restored: %(n)s data keys.") % {"n": result.counts["data_keys"]}
            )
            return
        c = result.counts
        self.stdout.write(
            _(
                "Restored: %(users)s accounts, %(patients)s records, %(resource_versions)s "
                "record entries, %(blobs)s documents, %(audit_entries)s access-history entries."
            )
            % c
        )
        if result.without_key:
            keystore = services.keystore_path(Path(opts["file"]))
            self.stdout.write(
                _(
                    "%(n)s records have no data key in the key store: they cannot be read "
                    "until their keys are restored. Restore the key store saved with this "
                    "backup: carnet restore %(keystore)s (written by 'carnet backup "
                    "--include-keys'). Records of people who closed their account after the "
                    "backup stay unreadable, as they should. 'carnet check' lists them."
                )
                % {"n": result.without_key, "keystore": keystore}
            )
            if not keystore.exists():
                self.stderr.write(
                    _("WARNING: %(keystore)s is not beside the backup: find it before going on.")
                    % {"keystore": keystore}
                )
        if result.migrate_needed:
            self.stdout.write(_("The backup is from an older version: run 'carnet migrate' now."))
        if result.audit_problems:
            raise CommandError(
                _("The restored access history does not verify: %(p)s")
                % {"p": result.audit_problems[0]}
            )
        self.stdout.write(
            _("Access histories verified: %(n)s entries.") % {"n": result.audit_entries}
        )
