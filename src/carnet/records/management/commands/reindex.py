from django.core.management.base import BaseCommand, CommandError

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.accounts.models import Patient
from carnet.records import services


class Command(BaseCommand):
    help = (
        "Rebuild the encrypted search index (blind tokens of codes, labels, words and "
        "people) of one record or of every record, from the items as they are now. Run it "
        "after an upgrade whose notes say the index changed. The record's content is not "
        "changed; each rebuild is one transaction and appears in the access history."
    )

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--patient", metavar="EMAIL", help="the record of this citizen")
        who.add_argument("--all", action="store_true", help="every record, one after another")

    def handle(self, *args, **opts):
        if opts["patient"]:
            patient = accounts.patient_for_email(opts["patient"])
            if patient is None:
                raise CommandError(f"No citizen record for {opts['patient']}.")
            ids = [patient.pk]
        else:
            ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
        items = 0
        for patient_id in ids:
            items += services.reindex(Actor.operator(), patient_id, Purpose.OPERATIONS)
        self.stdout.write(f"Rebuilt the search index of {len(ids)} records ({items} items).")
