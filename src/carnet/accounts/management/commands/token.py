from django.core.management.base import BaseCommand, CommandError

from carnet.accounts import services
from carnet.accounts.models import User


class Command(BaseCommand):
    help = "Personal access tokens for the FHIR API. 'token create EMAIL' prints a new token once."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it")
        create.add_argument("email")
        create.add_argument("--name", default="command line", help="a label to recognise it later")

    def handle(self, *args, **opts):
        user = User.objects.filter(email=opts["email"].strip().lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active account with {opts['email']}.")
        _token, raw = services.create_token(user, opts["name"])
        self.stdout.write(raw)
