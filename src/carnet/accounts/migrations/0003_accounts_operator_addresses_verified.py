"""Sign-in now needs a confirmed address (ACCOUNT_EMAIL_VERIFICATION = "mandatory").

Accounts the operator made before (command line, demo) have no address row at all: the
operator vouched for them, so their address is recorded as confirmed, as
``accounts.services.create_user`` now does. Addresses people typed when signing up
themselves keep their state: an unconfirmed one is asked to confirm at the next sign-in.
Placeholder accounts of imported records (``@import.invalid``) get nothing.
"""

from django.db import migrations


def confirm_operator_addresses(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    with_row = EmailAddress.objects.values_list("user_id", flat=True)
    rows = [
        EmailAddress(user_id=pk, email=email, verified=True, primary=True)
        for pk, email in User.objects.exclude(pk__in=with_row)
        .exclude(email__endswith="@import.invalid")
        .values_list("pk", "email")
    ]
    EmailAddress.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_session_index"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(confirm_operator_addresses, migrations.RunPython.noop)]
