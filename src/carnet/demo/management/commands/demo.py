import time

from django.core.management.base import BaseCommand, CommandError

from carnet.demo import personas, services
from carnet.records.imports import ImportRefused


class Command(BaseCommand):
    help = (
        "Load the demo people (idempotent): five citizens drawn from the personas of the "
        "Toulouse citizens' workshop — a runner in knee rehabilitation with a cardio watch, "
        "a pregnant woman, a man with type 2 diabetes, a daughter and her elderly father — "
        "with their health records, their médecin traitant and specialists (with RPPS "
        "numbers), an advisor at a public help point and a researcher. Records are FHIR "
        "Bundles imported like any other file (validated, encrypted, audited), with dates "
        "counted back from today. Then the people play their stories once, through the same "
        "services as the pages: everyone names Dr Garonne as médecin traitant, Henri gives "
        "his daughter Sophie a proxy, practitioners publish their hours, appointments, a "
        "conversation, a renewal request, follow-up programmes and a doctor on call. "
        "Accounts that already exist and steps already played are left unchanged, so "
        "running it again changes nothing. Every account and password is listed in "
        "src/carnet/demo/ACCOUNTS.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--list", action="store_true", help="print the demo accounts and do nothing else"
        )
        parser.add_argument(
            "--without-stories",
            action="store_true",
            help="accounts and records only, before anyone has done anything (no médecin "
            "traitant, proxy, hours, appointments, messages…): for tests that play the "
            "stories themselves",
        )

    def handle(self, *args, **opts):
        if opts["list"]:
            for a in personas.ACCOUNTS:
                self.stdout.write(f"{a.role:<13} {a.email:<34} {a.password:<30} {a.display_name}")
            return
        started = time.monotonic()

        def progress(account):
            if opts["verbosity"] >= 2:
                self.stdout.write(f"  created {account.role} {account.email}")

        try:
            report = services.load(progress=progress, with_stories=not opts["without_stories"])
        except ImportRefused as exc:  # a bug in the demo data: say which, write nothing
            raise CommandError(f"The demo data was refused, nothing was written: {exc}") from None
        if not report.changed:
            self.stdout.write(
                f"Demo data already loaded: all {len(report.existing)} demo accounts exist; "
                "nothing changed."
            )
            return
        created, kept = len(report.created), len(report.existing)
        summary = (
            f"Demo data loaded in {time.monotonic() - started:.1f} s: "
            f"{_count(created, 'account')} created, "
            f"{_count(report.resources, 'health record resource')} imported, "
            f"{_count(len(report.stories), 'story step')} played"
        )
        if kept:
            summary += f"; {_count(kept, 'existing account')} left unchanged"
        if opts["verbosity"] >= 2:
            for step in report.stories:
                self.stdout.write(f"  {step}")
        self.stdout.write(self.style.SUCCESS(summary + "."))
        self.stdout.write(
            "Accounts and passwords: src/carnet/demo/ACCOUNTS.md (or carnet demo --list)."
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
