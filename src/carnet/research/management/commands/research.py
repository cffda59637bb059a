from django.core.management.base import BaseCommand, CommandError

from carnet.research import copy, ledger, watch
from carnet.research.models import Contribution


class Command(BaseCommand):
    help = (
        "Research and epidemic watch. `refresh`: rebuild the analytics copy of the contributors "
        "whose record changed (`--all`: of every contributor), each read through access with "
        "the person's own research permit. `publish`: release the epidemic watch's missing "
        "weeks (done on Mondays by the job worker). `verify`: prove that no entry of the privacy budget "
        "ledgers was changed, removed or reordered."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["refresh", "publish", "verify"])
        parser.add_argument("--all", action="store_true", help="refresh every contributor")

    def handle(self, *args, **opts):
        if opts["action"] == "refresh":
            if opts["all"]:
                Contribution.objects.update(stale=True)
            n = copy.refresh_stale()
            self.stdout.write(f"{n} contributor(s) refreshed.")
            return
        if opts["action"] == "publish":
            self.stdout.write(f"{watch.publish()} weekly figure(s) released.")
            return
        problems = ledger.verify()
        if problems:
            raise CommandError("The budget ledger was altered: " + "; ".join(problems))
        self.stdout.write("Every budget ledger verifies.")
