"""Whose file is it? The person a file is about, compared with the person of a record.

An import must not merge one person's file into another's record. The file's Patient (a
FHIR bundle's, or the ``recordTarget`` of a CDA document) is compared with the record's
own Patient on what identifies a person: identifiers of the same issuer, birth date and
name. The comparison is tolerant where people's details legitimately vary (accents, case,
hyphens, the digits some generators add to names, a second given name, a middle initial)
and silent when one side says nothing (a file without a person can only be about the
record's person). A brand new record with no details yet is compared with the name on the
account that holds it: a first file about someone else is asked about like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from carnet.access.services import Permit
from carnet.accounts import services as accounts
from carnet.records.data import fold
from carnet.vault import sealed

from . import store

# What differs, in the order a person is told about it.
FIELDS = ("identifier", "birth_date", "name")


class Mismatch(ValueError):
    """The file is about someone else than the record's person; nothing was written.

    ``file`` and ``record`` are the two people as ``summary`` gives them; ``fields`` says
    what differs (among FIELDS).
    """

    def __init__(self, file: dict, record: dict, fields: list[str]):
        self.file, self.record, self.fields = file, record, fields
        super().__init__(
            f"the file is about {file['name'] or 'someone unnamed'}"
            f"{', born ' + file['birth_date'] if file['birth_date'] else ''}, "
            f"but this record is about {record['name'] or 'someone unnamed'}"
            f"{', born ' + record['birth_date'] if record['birth_date'] else ''} "
            f"(different: {', '.join(f.replace('_', ' ') for f in fields)})"
        )


@dataclass(frozen=True)
class Person:
    family: frozenset[str]
    given: frozenset[str]
    birth_date: str
    identifiers: frozenset[tuple[str, str]]
    name: str  # as written, for people to read

    @property
    def empty(self) -> bool:
        return not (self.family or self.given or self.birth_date or self.identifiers)


def _words(text: str) -> set[str]:
    """Lower-case words without accents, digits or punctuation ("Mejía514" -> "mejia")."""
    return {w for w in re.split(r"[^a-z]+", fold(text)) if len(w) > 1}


def person_of(patient: dict | None) -> Person | None:
    """The identifying details of a FHIR Patient (None when there is no Patient)."""
    if not isinstance(patient, dict):
        return None
    family: set[str] = set()
    given: set[str] = set()
    shown = ""
    for name in patient.get("name") or []:
        if not isinstance(name, dict):
            continue
        fam = name.get("family") if isinstance(name.get("family"), str) else ""
        giv = [g for g in name.get("given") or [] if isinstance(g, str)]
        family |= _words(fam)
        for g in giv:
            given |= _words(g)
        if not fam and not giv and isinstance(name.get("text"), str):
            family |= _words(name["text"])  # a name given as one text
        if not shown:
            shown = " ".join([*giv, fam]).strip() or str(name.get("text") or "")
    identifiers = set()
    for ident in patient.get("identifier") or []:
        if isinstance(ident, dict):
            system, value = ident.get("system"), ident.get("value")
            if isinstance(system, str) and isinstance(value, str) and system and value:
                identifiers.add((system, value.strip()))
    birth = patient.get("birthDate") if isinstance(patient.get("birthDate"), str) else ""
    return Person(
        frozenset(family),
        frozenset(given),
        birth[:10],
        frozenset(identifiers),
        re.sub(r"\d+", "", shown).strip()[:120],
    )


def summary(person: Person | None) -> dict:
    """Name and birth date as the person reads them (for the question and the refusal)."""
    if person is None:
        return {"name": "", "birth_date": ""}
    return {"name": person.name, "birth_date": person.birth_date}


def _same_date(a: str, b: str) -> bool:
    n = min(len(a), len(b))  # "1963" and "1963-10-05" agree
    return a[:n] == b[:n]


def differences(record: Person | None, file: Person | None) -> list[str]:
    """What tells the two people apart (empty: nothing does)."""
    if record is None or file is None or record.empty or file.empty:
        return []
    if record.identifiers & file.identifiers:
        return []  # the same identifier from the same issuer: the same person
    found = []
    record_systems = {s: v for s, v in record.identifiers}
    if any(s in record_systems and record_systems[s] != v for s, v in file.identifiers):
        found.append("identifier")
    if record.birth_date and file.birth_date and not _same_date(record.birth_date, file.birth_date):
        found.append("birth_date")
    if (record.family and file.family and not record.family & file.family) or (
        record.given and file.given and not record.given & file.given
    ):
        found.append("name")
    if found == ["identifier"]:
        return []  # another number from the same issuer, but the same name and birth date
    return found


def account_differs(account: str, file: Person | None) -> bool:
    """Whether the account holder's name (one free text: which words are the family name
    is not known) cannot be the file's person. A one-word account name must be one of the
    file's names; a longer one must share a word with the file's family name and one with
    its given names (when the file gives them)."""
    words = _words(account)
    if not words or file is None or not (file.family or file.given):
        return False
    if len(words) == 1:
        return not words & (file.family | file.given)
    return bool(
        (file.family and not file.family & words) or (file.given and not file.given & words)
    )


def record_person(permit: Permit) -> Person | None:
    """The person of the permit's record, from its Patient."""
    rows = store.current_rows(sealed.patient_of(permit), "Patient").order_by("pk")[:1]
    opened = store.open_rows(permit, rows)
    return person_of(opened[0]) if opened else None


def check(permit: Permit, file_patient: dict | None) -> None:
    """Raise Mismatch when ``file_patient`` is someone else than the record's person."""
    file = person_of(file_patient)
    if file is None or file.empty:
        return
    record = record_person(permit)
    if record is None or record.empty:
        account = accounts.account_name(permit.patient_id)
        if account_differs(account, file):
            raise Mismatch(summary(file), {"name": account, "birth_date": ""}, ["name"])
        return
    fields = differences(record, file)
    if fields:
        raise Mismatch(summary(file), summary(record), fields)


def keep_account_name(bundle: dict, patient_id: int) -> None:
    """The person said a file is theirs and keeps their own details, but their record has none
    yet: its first Patient is written with the account holder's name, not the file's (the
    file's details are only taken when they choose so)."""
    account = accounts.account_name(patient_id)
    if not account or store.current_rows(patient_id, "Patient").exists():
        return
    for entry in bundle.get("entry") or []:
        res = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(res, dict) and res.get("resourceType") == "Patient":
            kept = {"resourceType": "Patient", "name": [{"text": account}]}
            if res.get("id"):
                kept["id"] = res["id"]
            entry["resource"] = kept
