from django.core.management.base import BaseCommand, CommandError

from carnet.accounts.models import User
from carnet.helppoint.models import KINDS, DeskAdvisor, HelpPoint


class Command(BaseCommand):
    help = (
        "Public help points (France Services, a town hall, a CPAM office) and their advisors. "
        "'helppoint add NAME --kind KIND --town TOWN [--no-kiosk]' adds a help point (or "
        "updates the one of that name); 'helppoint advisor EMAIL NAME' makes an advisor "
        "account belong to it. A help point's computers are in kiosk mode unless --no-kiosk."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add or update a help point")
        add.add_argument("name", help="e.g. « France Services de Muret »")
        add.add_argument("--kind", choices=KINDS, required=True)
        add.add_argument("--town", required=True)
        add.add_argument("--no-kiosk", action="store_true", help="not a shared computer")
        adv = sub.add_parser("advisor", help="an advisor account works at a help point")
        adv.add_argument("email")
        adv.add_argument("name", help="the help point's name")

    def handle(self, *args, **opts):
        if opts["action"] == "add":
            point, created = HelpPoint.objects.update_or_create(
                name=opts["name"],
                defaults={
                    "kind": opts["kind"],
                    "town": opts["town"],
                    "kiosk": not opts["no_kiosk"],
                },
            )
            self.stdout.write(f"{'Added' if created else 'Updated'}: {point.name} ({point.town})")
            return
        point = HelpPoint.objects.filter(name=opts["name"]).first()
        if point is None:
            raise CommandError(f"No help point named {opts['name']!r}: add it first.")
        user = User.objects.filter(email=opts["email"].lower(), role="advisor").first()
        if user is None:
            raise CommandError(f"No advisor account {opts['email']!r}.")
        DeskAdvisor.objects.update_or_create(user=user, defaults={"help_point": point})
        self.stdout.write(f"{user} works at {point.name}.")
