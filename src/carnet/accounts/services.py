"""People and their roles: creating accounts, patient spaces and API tokens."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from carnet.care import directory
from carnet.vault import services as vault

from .mfa_required import needs_mfa
from .models import AccessToken, Patient, Role, User


class UnknownRole(ValueError):
    pass


class SecondFactorMissing(PermissionError):
    """A professional's token, while the account has no second factor (CARNET_REQUIRE_MFA)."""


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        raise UnknownRole(
            f"unknown role {value!r}: choose one of {', '.join(r.value for r in Role)}"
        ) from exc


def create_patient(owner: User | None = None) -> Patient:
    """A new health record space with its own data key."""
    patient = Patient.objects.create(owner=owner)
    vault.create_data_key(patient.pk)
    return patient


@transaction.atomic
def create_user(email: str, password: str | None, role: str = Role.CITIZEN, **fields) -> User:
    """Create an account; a citizen also gets their own record space.

    The operator (command line, demo) vouches for the address: it is recorded as confirmed,
    so the person signs in at once. People who sign up themselves confirm it by email.
    """
    from allauth.account.models import EmailAddress

    role = parse_role(role)
    if role == Role.PRACTITIONER:
        fields = _as_listed(fields)
    user = User.objects.create_user(email=email, password=password, role=role, **fields)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if role == Role.CITIZEN:
        create_patient(owner=user)
    return user


def _as_listed(fields: dict) -> dict:
    """A practitioner account matches the national directory loaded in Carnet: RPPS number
    listed, same name, a profession the directory gives. Banks, insurers and every other
    commercial actor are refused by identity, not by the name of a role. A missing name or
    profession is taken from the directory. NotInDirectory (a ValidationError) otherwise."""
    rpps = str(fields.get("rpps") or "")
    if not (rpps.isdigit() and len(rpps) == 11):
        return fields  # the model says what an RPPS number looks like
    listing = directory.check_practitioner(
        rpps, fields.get("display_name", ""), fields.get("profession", "")
    )
    fields = dict(fields)
    fields["display_name"] = fields.get("display_name") or directory.listing_name(listing)
    fields["profession"] = fields.get("profession") or listing.specialty or listing.profession
    return fields


def patient_of(user: User) -> Patient | None:
    """The record the user owns, if any."""
    return Patient.objects.filter(owner=user).first()


def ensure_own_patient(user: User) -> Patient:
    patient = patient_of(user)
    if patient is None:
        patient = create_patient(owner=user)
    return patient


def create_token(user: User, name: str = "API") -> tuple[AccessToken, str]:
    """Create a personal access token; the raw value is returned once and never stored."""
    raw = AccessToken.generate()
    token = AccessToken.objects.create(
        user=user, name=name[:100] or "API", digest=AccessToken.digest_of(raw), hint=raw[:12]
    )
    return token, raw


def authenticate_token(raw: str) -> User | None:
    if not raw or not raw.startswith(AccessToken.PREFIX) or len(raw) > 200:
        return None
    token = (
        AccessToken.objects.select_related("user").filter(digest=AccessToken.digest_of(raw)).first()
    )
    if token is None or not token.is_active or not token.user.is_active:
        return None
    if needs_mfa(token.user):
        # Every door: a token issued before the second factor was required, or one kept
        # after the second factor was removed, opens nothing until there is one again.
        raise SecondFactorMissing(token.user.pk)
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke_token(user: User, token_id: int) -> bool:
    return bool(
        AccessToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def delete_patient(patient_id: int) -> None:
    """Delete a record space and the account that owns it (erasure; see records.erasure)."""
    patient = Patient.objects.filter(pk=patient_id).select_related("owner").first()
    if patient is None:
        return
    owner = patient.owner
    patient.delete()
    if owner is not None:
        owner.delete()


def create_unclaimed_citizen() -> Patient:
    """A citizen account for a record imported before its owner signed up.

    It has a placeholder address under the reserved ``.invalid`` domain and no password:
    nobody can sign in to it until an operator attaches the person's real address.
    """
    import uuid

    user = User.objects.create_user(
        email=f"patient-{uuid.uuid4().hex[:12]}@import.invalid", password=None
    )
    return create_patient(owner=user)


def account_names(patient_ids) -> dict[int, str]:
    """The account names of records' owners ("" for a record without an account, such as a
    child's). Account names, not the record's Patient card: that is health data."""
    rows = Patient.objects.filter(pk__in=set(patient_ids)).values_list(
        "pk", "owner__display_name", "owner__email"
    )
    return {pk: name or email or "" for pk, name, email in rows}


def account_name(patient_id: int) -> str:
    """The name on the account that holds a record ("" when it has none: never the e-mail)."""
    return (
        Patient.objects.filter(pk=patient_id).values_list("owner__display_name", flat=True).first()
        or ""
    )


def patient_for_email(email: str) -> Patient | None:
    return (
        Patient.objects.filter(owner__email=email.strip().lower()).select_related("owner").first()
    )


def create_child_patient() -> Patient:
    """A minor's record created by a parent: no login of its own (see access.proxies.add_child)."""
    return create_patient(owner=None)


class AddressTaken(ValueError):
    """Another account already signs in with this address."""


@transaction.atomic
def give_record_to_new_login(
    patient_id: int, email: str, password: str, display_name: str = ""
) -> User:
    """A minor's record created by a parent gets its own login: a new citizen account that
    owns the record from now on (see access.minors.accept).

    The record keeps its id, so everything it holds — items, data key, access history —
    stays as it is. Refuses (ValueError) a record that already has an owner, and
    AddressTaken an address another account uses; nothing is written then.
    """
    from allauth.account.models import EmailAddress

    email = email.strip().lower()
    if (
        User.objects.filter(email=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    ):
        raise AddressTaken(email)
    user = User.objects.create_user(
        email=email, password=password, role=Role.CITIZEN, display_name=display_name[:150]
    )
    # The address is the one the invitation was sent to: opening the link confirmed it.
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if not Patient.objects.filter(pk=patient_id, owner__isnull=True).update(owner=user):
        raise ValueError("this record already has a login of its own")
    return user
