import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from carnet.accounts import services
from carnet.accounts.models import Role, User


class Command(BaseCommand):
    help = (
        "Manage accounts. 'user create EMAIL --role ROLE' asks for the password twice, or "
        "reads it from standard input when that is not a terminal."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create an account")
        create.add_argument("email")
        create.add_argument(
            "--role",
            choices=[r.value for r in Role],
            default=Role.CITIZEN,
            help="citizen, practitioner, advisor or researcher (default citizen)",
        )
        create.add_argument("--name", default="", help="name shown to others")
        create.add_argument("--rpps", default="", help="11-digit RPPS number (practitioners)")
        create.add_argument("--profession", default="", help="e.g. médecin généraliste")
        create.add_argument("--organisation", default="", help="practice, hospital or help point")

    def _password(self, email: str) -> str:
        if not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != password:
                raise CommandError("The two passwords differ; nothing was created.")
        try:
            validate_password(password, User(email=email))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        return password

    def handle(self, *args, **opts):
        email = opts["email"].strip().lower()
        if User.objects.filter(email=email).exists():
            raise CommandError(f"An account with {email} already exists.")
        password = self._password(email)
        try:
            user = services.create_user(
                email,
                password,
                role=opts["role"],
                display_name=opts["name"],
                rpps=opts["rpps"],
                profession=opts["profession"],
                organisation=opts["organisation"],
            )
        except (ValidationError, services.UnknownRole) as exc:
            msgs = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(" ".join(msgs)) from None
        self.stdout.write(f"Created {user.role} account {user.email}.")
