"""Every route of the URL conf, filled with Alice's objects or with absent ones, and the
answer a role gets there in a few words ("ok", "login", "403", "404"...)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from carnet.access import acting
from carnet.accounts import services as accounts

from .people import PASSWORD, People

ROLES = (
    "anonymous",
    "owner",
    "proxy",
    "pro_granted",
    "pro_plain",
    "stranger",
    "advisor",
    "researcher",
)
JOB = "0123456789abcdef0123456789abcdef"
ABSENT_INT = 987654321
ABSENT_UUID = uuid.UUID("12345678-1234-5678-1234-567812345678")

# URL keywords that name somebody's object: filled with Alice's, or with an absent one.
OBJECT_KWARGS = {
    "patient_id",
    "item_id",
    "grant_id",
    "proxy_id",
    "request_id",
    "token_id",
    "fhir_id",
    "resource_id",
    "renewal_id",
    "conversation_id",
    "appointment_id",
    "chat_id",
    "document_id",
}
# URL keywords that are no one's object: the same value in both URLs.
PLAIN_KWARGS = {
    "job_id": JOB,
    "n": 1,
    "kind": "antecedent",
    "secret": "not-a-feed-secret",
    "token": "not-a-card-token",
    "session_id": "not-a-session",
    "resource_type": "Condition",
    "slug": "urgence",
    "pk": ABSENT_INT,
    "key": "not-a-key",
    "uidb36": "zz",
    "rest": "Nothing/here",
    "app_id": ABSENT_INT,
    "name": "not-a-message.eml",
    "practitioner_id": None,  # Dr Grant, filled in by fill()
    "year": 2025,
    "month": 3,
    # Entraide: no one of the base is a member of a group (their pages answer 404).
    "thread_id": ABSENT_INT,
    "post_id": ABSENT_INT,
    "member_id": ABSENT_INT,
    "report_id": ABSENT_INT,
}
# Per route, a keyword that means something else there.
ROUTE_KWARGS = {
    **{
        f"community:{name}": {"slug": "grossesse"}  # a real group: a non-member reads nothing
        for name in (
            "group join new_thread thread thank report block unblock notices moderation "
            "moderate_post dismiss"
        ).split()
    },
    "helpdesk:request": {"request_id": "help_request_id"},
    "helpdesk:close": {"request_id": "help_request_id"},
    "care:renewal_ask": {"resource_type": "MedicationRequest", "fhir_id": "medicine_id"},
    "records:pro_entry_add": {"kind": "vaccin"},
    "fhir:everything": {"patient_id": "fhir_patient_id"},
    "fhir:_unsupported_on_patient": {"patient_id": "fhir_patient_id"},
    "fhir:read": {"resource_id": "item_id"},
    "fhir:history": {"resource_id": "item_id"},
    "fhir:_unsupported_on_resource": {"resource_id": "item_id"},
}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name" as reverse() takes it
    pattern: str
    kwargs: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.name


def all_routes() -> list[Route]:
    """Every named route of the URL conf, once per name (django-ninja's second pattern of a
    path, ``fhir:_unsupported*``, answers methods it does not take: it is kept too)."""
    seen: dict[str, Route] = {}

    def walk(patterns, prefix, namespace, outer):
        for p in patterns:
            kwargs = outer | set(p.pattern.regex.groupindex)
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x) or None
                walk(p.url_patterns, prefix + str(p.pattern), ns, kwargs)
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name}" if namespace and p.name else p.name
                if name is None:
                    name = f"<unnamed {prefix}{p.pattern}>"
                seen.setdefault(name, Route(name, prefix + str(p.pattern), tuple(sorted(kwargs))))

    walk(get_resolver().url_patterns, "", None, set())
    return sorted(seen.values(), key=lambda r: r.name)


def fill(route: Route, people: People, *, absent: bool = False) -> str:
    values = {}
    renamed = ROUTE_KWARGS.get(route.name, {})
    for kw in route.kwargs:
        what = renamed.get(kw, kw)
        if kw in OBJECT_KWARGS:
            if absent:
                values[kw] = ABSENT_UUID if kw == "document_id" else ABSENT_INT
                if kw in ("item_id", "fhir_id", "resource_id"):
                    values[kw] = "absent-item"
            elif what in people.things:
                values[kw] = people.things[what]
            else:  # nothing of Alice's of that kind exists in the base: an absent one
                values[kw] = ABSENT_UUID if kw == "document_id" else ABSENT_INT
        elif what in people.things:
            values[kw] = people.things[what]
        elif kw == "practitioner_id":
            values[kw] = people.pro_granted.pk
        else:
            values[kw] = what if what != kw else PLAIN_KWARGS[kw]
    return reverse(route.name, kwargs=values or None)


def sign_in_everyone(people: People) -> dict:
    """Each role's session cookies (signing in once per module keeps the test fast). Each
    also confirmed their password just now, so that the routes asking for it (allauth's
    reauthentication, see accounts.reauth) are tried beyond that question; tests keep the
    confirmation fresh with a long ACCOUNT_REAUTHENTICATION_TIMEOUT."""
    cookies = {"anonymous": None}
    for role, user in people.by_role().items():
        client = Client()
        client.force_login(user)
        confirmed = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        assert confirmed.status_code == 302, f"{role} could not confirm their password"
        if role == "proxy":  # the relative switches to Alice's record, as the page does
            session = client.session
            session[acting.SESSION_KEY] = {"patient_id": people.patient_id, "name": "Alice"}
            session.save()
        _token, raw = accounts.create_token(user, f"{role} API")
        cookies[role] = (client.cookies, raw)
    return cookies


def client_for(role: str, cookies: dict, route: Route | None = None) -> Client:
    """The role's browser session; on the FHIR API (``fhir/``), its personal access token
    instead, as API clients send it."""
    if cookies[role] is None:
        return Client()
    jar, raw = cookies[role]
    if route is not None and route.pattern.startswith("fhir/"):
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client = Client()
    for key, morsel in jar.items():
        client.cookies[key] = morsel.value
    return client


def answer(response) -> str:
    """The answer in a word: ok (2xx), login (sent to sign in), redirect (sent elsewhere), or
    the status code."""
    code = response.status_code
    if code in (301, 302, 303):
        where = response["Location"]
        return "login" if where.startswith(reverse("account_login")) else "redirect"
    if 200 <= code < 300:
        return "ok"
    return str(code)


def templates(response) -> list[str]:
    return [t.name for t in getattr(response, "templates", []) or [] if t.name]
