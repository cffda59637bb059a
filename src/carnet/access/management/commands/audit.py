from django.core.management.base import BaseCommand, CommandError

from carnet.access import audit


class Command(BaseCommand):
    help = (
        "Access history. 'audit verify' recomputes every patient's hash chain and exits "
        "non-zero, naming the first bad entry, if any entry was changed, removed or reordered."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="verify every access-history chain")

    def handle(self, *args, **opts):
        total, problems = audit.verify_all()
        if problems:
            for p in problems:
                self.stderr.write(f"BROKEN: {p}")
            raise CommandError(f"{len(problems)} access histories are broken; first: {problems[0]}")
        self.stdout.write(f"OK: {total} entries verified.")
