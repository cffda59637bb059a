from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from carnet.community import groups, services


class Command(BaseCommand):
    help = (
        "Entraide (peer groups). 'community groups' lists the groups; 'community moderator "
        "EMAIL GROUP' makes a health professional listed in the national directory, or an "
        "advisor, a moderator of GROUP (a slug from 'community groups')."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("groups", help="list the groups (slug and name)")
        mod = sub.add_parser("moderator", help="appoint a moderator")
        mod.add_argument("email")
        mod.add_argument("group", choices=[g.slug for g in groups.GROUPS])

    def handle(self, *args, **options):
        if options["action"] == "groups":
            for g in groups.GROUPS:
                self.stdout.write(f"{g.slug}\t{g.name}")
            return
        user = get_user_model().objects.filter(email=options["email"].lower()).first()
        if user is None:
            raise CommandError(f"no account with the address {options['email']}")
        try:
            services.appoint_moderator(user, options["group"])
        except services.Refused as refused:
            raise CommandError(
                "only a health professional listed in the national directory, or an advisor, "
                "can moderate"
            ) from refused
        self.stdout.write(f"{user.email} moderates {options['group']}")
