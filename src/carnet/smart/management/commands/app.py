from django.core.management.base import BaseCommand, CommandError

from carnet.smart import services
from carnet.smart.models import CATEGORIES


class Command(BaseCommand):
    help = (
        "The catalogue of apps people may connect to their record (SMART on FHIR). "
        "'app register NAME --publisher P --redirect-uri URI --scopes S --category C' adds one "
        "and prints its client id (and secret, for a confidential app); 'app list' lists them. "
        "Apps of insurers, banks, employers or advertisers cannot be registered."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        reg = sub.add_parser("register", help="add an app to the catalogue")
        reg.add_argument("name", help="the app's name, as people will read it")
        reg.add_argument("--publisher", required=True, help="who publishes the app")
        reg.add_argument(
            "--redirect-uri",
            action="append",
            required=True,
            help="where Carnet sends the person back (https://; repeatable)",
        )
        reg.add_argument(
            "--scopes",
            required=True,
            help="SMART scopes it may ask, space-separated: e.g. "
            "'launch/patient offline_access patient/Observation.rs'",
        )
        reg.add_argument("--category", required=True, help=f"one of {', '.join(CATEGORIES)}")
        reg.add_argument("--purpose", default="", help="what it is for, in plain words")
        reg.add_argument("--privacy-url", default="", help="its privacy policy")
        reg.add_argument(
            "--confidential", action="store_true", help="a server-side app with a client secret"
        )
        sub.add_parser("list", help="list the catalogue")

    def handle(self, *args, **opts):
        if opts["action"] == "list":
            for app in services.catalogue():
                self.stdout.write(
                    f"{app.application.client_id}\t{app.name}\t{app.publisher}\t{app.category}"
                    f"\t{app.scopes}"
                )
            return
        try:
            app, secret = services.register(
                opts["name"],
                publisher=opts["publisher"],
                redirect_uris=opts["redirect_uri"],
                scopes=opts["scopes"],
                category=opts["category"],
                purpose=opts["purpose"],
                privacy_url=opts["privacy_url"],
                confidential=opts["confidential"],
            )
        except services.AppRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"client_id: {app.application.client_id}")
        if secret:
            self.stdout.write(f"client_secret: {secret}")
