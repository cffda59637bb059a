"""Loading the demo people: accounts, then each citizen's record, through the usual paths.

Idempotent: an account that exists is left exactly as it is (its password, its record);
only missing accounts are created. Then ``stories`` plays, once, what the people have
already done (naming a médecin traitant, a proxy, appointments, messages…). A citizen's account and their record are created in
one transaction, so an account never exists without its demo record. Records are built as
FHIR Bundles and imported with ``records.imports.import_bundle``, so they are validated,
encrypted and written to the person's access history like any other import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.accounts.models import User
from carnet.care import directory
from carnet.community import demo as community_demo
from carnet.helpdesk import demo as helpdesk_demo
from carnet.helppoint import demo as helppoint_demo
from carnet.records import imports
from carnet.research import demo as research_demo

from . import dossiers, personas
from . import stories as story_steps

PROVENANCE = "demo"


@dataclass
class LoadReport:
    created: list[personas.Account] = field(default_factory=list)
    existing: list[personas.Account] = field(default_factory=list)
    resources: int = 0
    stories: list[str] = field(default_factory=list)  # story steps played (stories.py)
    contributors: int = 0  # synthetic people who chose research (carnet.research.demo)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.stories)


def _create_account(account: personas.Account) -> User:
    return accounts.create_user(
        account.email,
        account.password,
        role=account.role,
        display_name=account.display_name,
        rpps=account.rpps,
        profession=account.profession,
        organisation=account.organisation,
    )


# Where the demo's specialties go in an Annuaire Santé Practitioner (TRE_R38).
SPECIALTY = (
    "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale"
)


def load_directory() -> int:
    """Put the demo professionals in the practitioner directory, as Annuaire Santé FHIR
    Practitioner resources (upserted: running it again changes nothing).

    A practitioner account must match the national directory (RPPS number, name,
    profession): the demo's invented professionals are listed like real ones would be.
    """
    import orjson

    resources = []
    for account in personas.PRACTITIONERS:
        resource = dossiers.practitioner_resource(account)
        resource["qualification"] = [
            *resource["qualification"],
            {"code": {"coding": [{"system": SPECIALTY, "display": account.profession}]}},
        ]
        resources.append(resource)
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in resources],
    }
    return directory.import_fhir(orjson.dumps(bundle)).imported


def load(today: date | None = None, *, progress=None, with_stories: bool = True) -> LoadReport:
    """Create every missing demo account and the record of every new demo citizen.

    Then, unless ``with_stories`` is false, play the story steps not played yet.
    """
    today = today or timezone.localdate()
    report = LoadReport()
    load_directory()
    actor = Actor.operator("Carnet demo data (carnet demo)")
    created_users = {}
    for account in personas.ACCOUNTS:
        if User.objects.filter(email=account.email).exists():
            report.existing.append(account)
            continue
        with transaction.atomic():
            user = _create_account(account)
            if account.key in dossiers.RECORDS:
                patient = accounts.ensure_own_patient(user)
                result = imports.import_bundle(
                    actor,
                    dossiers.bundle_for(account.key, today),
                    patient_id=patient.pk,
                    filename=PROVENANCE,
                    purpose=Purpose.OPERATIONS,
                )
                report.resources += result.created
        report.created.append(account)
        created_users[account.key] = user
        if progress:
            progress(account)
    helpdesk_demo.load(created_users)  # a few questions waiting in the advisor's inbox
    helppoint_demo.load(personas.ADVISOR.email)  # her help point: France Services de Muret
    community_demo.load(created_users)  # moderated groups, a question answered by the midwife
    # What the people have already done (a médecin traitant, a proxy, appointments…), so
    # that every page of the demo has something to try; each step is played only once.
    if with_stories:
        report.stories = story_steps.load()
    # Sixty invented people who chose research and the epidemic watch (carnet.research).
    report.contributors = research_demo.load(today, settings.CARNET_DEMO_CONTRIBUTORS)
    return report
