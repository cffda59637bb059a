"""The research API: ``POST /api/research/queries`` (a researcher's token) and
``PUT /api/research/consent`` (the person's token). There is no row-level export."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import HttpBearer

from carnet.access.services import Actor, NotFound
from carnet.accounts import services as accounts

from . import consent, history, queries


class Token(HttpBearer):
    """A personal access token (the same tokens as the FHIR API)."""

    def authenticate(self, request: HttpRequest, token: str):
        try:
            user = accounts.authenticate_token(token.strip())
        except accounts.SecondFactorMissing:
            return None
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Carnet research API",
    version="1",
    urls_namespace="research_api",
    docs_url=None,
    openapi_url=None,
    auth=Token(),
)


class ConsentIn(Schema):
    research: bool | None = None
    watch: bool | None = None


class QuestionIn(Schema):
    measure: str = "count"
    resource: str
    code: str
    group_by: list[str] = []
    epsilon: float
    weeks: int | None = None
    bucket: str | None = None


@api.put("/consent")
def put_consent(request, body: ConsentIn):
    user = request.auth
    patient = accounts.patient_of(user)
    if patient is None:
        return api.create_response(request, {"detail": "no record of your own"}, status=403)
    actor = Actor.of_user(user)
    try:
        for purpose in ("research", "watch"):
            value = getattr(body, purpose)
            if value is not None:
                consent.set_choice(actor, patient.pk, purpose, bool(value))
    except NotFound:
        return api.create_response(request, {"detail": "not allowed"}, status=403)
    return consent.choices(patient.pk)


@api.get("/consent")
def get_consent(request):
    patient = accounts.patient_of(request.auth)
    if patient is None:
        return api.create_response(request, {"detail": "no record of your own"}, status=403)
    return consent.choices(patient.pk)


@api.post("/queries")
def post_query(request, body: QuestionIn):
    user = request.auth
    if user.role != "researcher":
        return api.create_response(
            request, {"detail": "only researchers ask questions"}, status=403
        )
    try:
        q = queries.question(body.dict())
        answer = queries.ask(user.pk, q)
    except queries.Refused as exc:
        status = 429 if isinstance(exc, queries.OverBudget) else 400
        return api.create_response(request, {"detail": str(exc)}, status=status)
    history.note_release(answer.counted, "research")
    return answer.as_json()
