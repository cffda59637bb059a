from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from carnet.web import install_check


class Command(BaseCommand):
    help = gettext_lazy(
        "Check that this install is whole and safe to run, and say what to do about each "
        "problem: every record has its data key (after a restore: 'carnet restore "
        "FILE.keystore'), every access history verifies, both databases are migrated, the "
        "master key file is readable by its owner only (0600), and the settings are safe for "
        "production (DEBUG off, a strong secret key, real host names, HTTPS cookies, emails "
        "and SMS really sent, Django's system checks). Exits non-zero when a problem is "
        "found. Changes nothing. (Replaces Django's 'check', whose system checks it runs.)"
    )
    requires_system_checks = []  # they are one of the checks, reported like the others

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)  # translated now, in the command's language
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip",
            action="append",
            default=[],
            choices=sorted(install_check.CHECKS),
            help=_(
                "leave out one check (repeatable), e.g. --skip settings on a demo or "
                "development install"
            ),
        )

    def handle(self, *args, **opts):
        problems = []
        for check in install_check.run(tuple(opts["skip"])):
            if check.ok:
                self.stdout.write(f"✓ {check.name}: {check.summary}")
                continue
            for problem in check.problems:
                self.stderr.write(f"✗ {check.name}: {problem}")
                problems.append(problem)
        if problems:
            raise CommandError(
                ngettext("%(n)s problem found.", "%(n)s problems found.", len(problems))
                % {"n": len(problems)}
            )
        self.stdout.write(_("Everything is in order."))
