"""The ``carnet`` command: Carnet's own commands plus Django's (``carnet migrate``…).

    carnet serve [--host H] [--port P]     web server and job worker in one process
    carnet demo                            load the demo people and records (idempotent)
    carnet user create EMAIL --role ROLE   create an account (asks for the password)
    carnet import FILE… [--owner EMAIL]    import FHIR bundles, CDA, watch files
        [--as-me [--take-details] | --into EMAIL|RECORD]   whose file it is
    carnet export --patient EMAIL --format fhir|zip -o FILE
    carnet erase --patient EMAIL [--yes]   close an account and crypto-shred its record
    carnet audit verify                    prove no access-history entry was altered
    carnet research refresh [--all]        rebuild the research copy of changed records
    carnet research publish|verify         the epidemic watch's weeks; the budget ledgers
    carnet keys rotate                     re-wrap every data key under a new master key
    carnet token create EMAIL              create a personal API token
    carnet helppoint add NAME --kind K --town T   a public help point (kiosk mode by default)
    carnet helppoint advisor EMAIL NAME    an advisor account works at that help point
    carnet app register NAME --publisher P --redirect-uri URI --scopes S --category C
                                           add an app to the catalogue (SMART on FHIR)
    carnet notify send [--loop]            deliver queued notifications (email, SMS, push)
    carnet backup FILE [--include-keys]    encrypted backup (the key store apart: FILE.keystore)
    carnet restore FILE                    restore a backup; then: carnet restore FILE.keystore
    carnet reimbursement simulate FILE.json  what planned care will cost (FILE - = stdin), as JSON
    carnet check [--skip CHECK]            keys of every record, access histories, migrations
                                           of both databases, master key file 0600, production
                                           settings; exits non-zero naming each problem

Run ``carnet help COMMAND`` or ``carnet COMMAND --help`` for details.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carnet.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        if not argv:
            return
        argv = ["help"]
    execute_from_command_line(["carnet", *argv])


if __name__ == "__main__":
    main()
