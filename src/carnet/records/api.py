"""The FHIR R4 API (django-ninja; OpenAPI at /api/docs)."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Carnet FHIR API",
    version="1",
    urls_namespace="fhir",
    docs_url="/api/docs",
    openapi_url="/api/openapi.json",
)
