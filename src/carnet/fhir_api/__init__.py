"""The FHIR R4 HTTP API (django-ninja, OpenAPI at /api/docs): a router over ``records.services``.

It is kept apart from the record store, as Medplum keeps its FHIR router apart from its server:
this package parses requests, authenticates personal access tokens and renders FHIR JSON; every
rule (who may read what, the audit entry, decryption) stays behind ``carnet.records.services``.
"""
