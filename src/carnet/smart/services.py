"""Apps of the catalogue: registering them, connecting them to a record, their tokens.

The consent is an access grant of kind ``app`` (``access.grants.connect_app``): the policy
decides every request of the app as it does for a practitioner, with the app as actor, and
each one lands in the person's access history under the app's name.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application, RefreshToken

from carnet.access import grants
from carnet.access import labels as L
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.accounts.models import Patient, User
from carnet.records import services as records

from . import scopes as S
from .models import CATEGORIES, REFUSED_CATEGORIES, App


class AppRefused(ValueError):
    """The app cannot be registered as asked (the message says why, in plain words)."""


def register(
    name: str,
    *,
    publisher: str,
    redirect_uris: list[str],
    scopes: str,
    category: str,
    purpose: str = "",
    privacy_url: str = "",
    confidential: bool = False,
) -> tuple[App, str]:
    """Add an app to the catalogue. Returns it and its client secret ("" for a public app)."""
    category = category.strip().lower()
    if category in REFUSED_CATEGORIES:
        raise AppRefused(
            "an app belonging to an insurer, a bank, an employer or an advertiser cannot be "
            "registered: they have no access to health records in Carnet"
        )
    if category not in CATEGORIES:
        raise AppRefused(f"category must be one of {', '.join(CATEGORIES)}")
    name, publisher = name.strip(), publisher.strip()
    if not name or not publisher:
        raise AppRefused("an app needs a name and a publisher")
    if App.objects.filter(name=name).exists():
        raise AppRefused(f"an app named {name!r} is already registered")
    uris = [u.strip() for u in redirect_uris if u.strip()]
    if not uris or any(
        not u.startswith(("https://", "http://localhost", "http://127.0.0.1")) for u in uris
    ):
        raise AppRefused("give at least one redirect URI, https:// (http:// on localhost only)")
    try:
        asked = S.parse(scopes)
        S.check_offered(asked)
    except S.ScopeError as exc:
        raise AppRefused(str(exc)) from None
    if not any(S.resource_scope(s) for s in asked):
        raise AppRefused("give at least one data scope, e.g. patient/Observation.rs")
    secret = generate_client_secret() if confidential else ""
    with transaction.atomic():
        application = Application(
            name=name,
            client_type=Application.CLIENT_CONFIDENTIAL
            if confidential
            else Application.CLIENT_PUBLIC,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(uris),
            skip_authorization=False,
            algorithm="",
            client_secret=secret,
        )
        application.save()
        app = App.objects.create(
            application=application,
            name=name,
            publisher=publisher,
            purpose=purpose.strip(),
            privacy_url=privacy_url.strip(),
            category=category,
            scopes=" ".join(asked),
        )
    return app, secret


def catalogue() -> list[App]:
    return list(App.objects.filter(approved=True).select_related("application").order_by("name"))


def app_of_client(client_id: str) -> App | None:
    return App.objects.filter(application__client_id=client_id, approved=True).first()


def actor_of(app: App) -> Actor:
    return Actor.of_app(app.pk, app.name, app.publisher)


DURATIONS = ("month", "year", "until_revoked")


def connect(
    actor: Actor, patient_id: int, app: App, kinds: list[str], duration: str = "month"
) -> None:
    """The person's consent: the app reads these kinds of items, for this long."""
    grants.connect_app(actor, patient_id, app.pk, categories=kinds, duration=duration)


def disconnect(actor: Actor, patient_id: int, app: App) -> bool:
    return grants.disconnect_app(actor, patient_id, app.pk)


def end_tokens(patient_id: int, app_id: int) -> None:
    """Every token the app holds for this record's owner ends with the grant."""
    owner = Patient.objects.filter(pk=patient_id).values_list("owner_id", flat=True).first()
    app = App.objects.filter(pk=app_id).first()
    if app is None or owner is None:
        return
    RefreshToken.objects.filter(application_id=app.application_id, user_id=owner).delete()
    AccessToken.objects.filter(application_id=app.application_id, user_id=owner).delete()


def _names(ids: list[int]) -> dict[int, tuple[str, str]]:
    return {a.pk: (a.name, a.publisher) for a in App.objects.filter(pk__in=ids)}


def register_hooks() -> None:
    grants.app_names = _names
    if end_tokens not in grants.app_grant_ended:
        grants.app_grant_ended.append(end_tokens)


@dataclass(frozen=True)
class AppSession:
    """Who calls the FHIR API with an app's token: the app (the actor), for whom, what scopes."""

    actor: Actor
    user: User
    patient_id: int
    scopes: tuple[str, ...]


def authenticate(raw: str) -> AppSession | None:
    """The app session of a bearer token, or None: unknown, expired, revoked, or the
    person's consent ended or expired (then the token is useless at once)."""
    token = (
        AccessToken.objects.filter(token_checksum=_checksum(raw))
        .select_related("application", "user")
        .first()
    )
    if token is None or token.is_expired() or token.user is None or not token.user.is_active:
        return None
    app = App.objects.filter(application=token.application, approved=True).first()
    patient = accounts.patient_of(token.user)
    if app is None or patient is None or grants.app_grant(patient.pk, app.pk) is None:
        return None
    return AppSession(actor_of(app), token.user, patient.pk, tuple(token.scope.split()))


def _checksum(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def patient_context(user: User, application) -> str | None:
    """The FHIR id of the Patient resource of the person who consented (SMART ``patient``),
    read by the app itself (so the read is in the person's history under its name)."""
    patient = accounts.patient_of(user)
    app = App.objects.filter(application=application).first()
    if patient is None or app is None:
        return None
    page = records.search(actor_of(app), patient.pk, "Patient", Purpose.APP, count=1)
    return str(page.resources[0]["id"]) if page.resources else None


def kind_words(kinds: list[str]) -> list[tuple[str, str]]:
    names = dict(L.Category.choices)
    return [(k, str(names[k])) for k in kinds]
