"""Small helpers to write the demo records as FHIR R4 transaction Bundles.

Every resource gets a deterministic ``urn:uuid`` full URL, so that the same persona built
on the same day gives the same Bundle. Dates are computed from ``today`` so that the demo
stays current. Codes come from public terminologies (SNOMED CT, LOINC, ATC, CIS, UCUM);
``text`` is in French, as a citizen reads it.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
NAMESPACE = uuid.UUID("6f1f3c0e-3b8e-4c2a-9a53-0d3e5c1c2a10")

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ATC = "http://www.whocc.no/atc"
# Code CIS of the Base de données publique des médicaments (ANSM), OID 1.2.250.1.213.2.3.1.
CIS = "urn:oid:1.2.250.1.213.2.3.1"
# RPPS, the national register of health professionals (as in the Annuaire Santé samples).
RPPS = "http://rpps.fr"
IDNPS = "urn:oid:1.2.250.1.71.4.2.1"
PROFESSION = "https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante"
DEMO_ORG = "https://demo.carnet.fr/fhir/organisation"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONTACT_ROLE = "http://terminology.hl7.org/CodeSystem/v2-0131"
RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
DIAG_SERVICE = "http://terminology.hl7.org/CodeSystem/v2-0074"
ORAL_ROUTE = {"coding": [{"system": SNOMED, "code": "26643006", "display": "Oral route"}]}
IM_ROUTE = {
    "coding": [{"system": SNOMED, "code": "78421000", "display": "Intramuscular route"}],
    "text": "intramusculaire",
}


def concept(system: str, code: str, display: str, text: str) -> dict:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": text}


def snomed(code: str, display: str, text: str) -> dict:
    return concept(SNOMED, code, display, text)


def loinc(code: str, display: str, text: str) -> dict:
    return concept(LOINC, code, display, text)


def quantity(value: float, unit: str, code: str | None = None) -> dict:
    return {"value": value, "unit": unit, "system": UCUM, "code": code or unit}


def at(day: date, hour: int = 9, minute: int = 0) -> str:
    """A date and time in Paris, as a FHIR dateTime with its offset."""
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).isoformat()


def birth_date(today: date, age: int, month: int, day: int) -> str:
    """The birth date of someone who is ``age`` today, born on ``day``/``month``."""
    year = today.year - age - (1 if (month, day) > (today.month, today.day) else 0)
    return date(year, month, day).isoformat()


def last_campaign(today: date, years_back: int = 0) -> date:
    """The day of the most recent autumn vaccination campaign (flu, COVID), then earlier ones."""
    start = date(today.year, 10, 20)
    if start > today:
        start = date(today.year - 1, 10, 20)
    return date(start.year - years_back, 10, 20)


class RecordBuilder:
    """Collects the resources of one person's record into a transaction Bundle."""

    def __init__(self, key: str, today: date):
        self.key = key
        self.today = today
        self.entries: list[dict] = []
        self._shared: dict[str, str] = {}

    # --- plumbing ----------------------------------------------------------------------------

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def add(self, resource: dict) -> dict:
        """Add a resource; returns a Reference to it."""
        # A plain JSON copy: the same Reference dict may be passed to several fields.
        resource = json.loads(json.dumps(resource))
        n = len(self.entries)
        full_url = f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{self.key}/{n}')}"
        self.entries.append(
            {
                "fullUrl": full_url,
                "resource": resource,
                "request": {"method": "POST", "url": resource["resourceType"]},
            }
        )
        return {"reference": full_url}

    def shared(self, key: str, resource: dict) -> dict:
        """A Practitioner or Organization, added once (Carnet de-duplicates it by identifier)."""
        if key not in self._shared:
            self._shared[key] = self.add(resource)["reference"]
        return {"reference": self._shared[key], "display": _display_of(resource)}

    def bundle(self) -> dict:
        return {"resourceType": "Bundle", "type": "transaction", "entry": self.entries}

    # --- clinical resources ------------------------------------------------------------------

    def condition(
        self,
        patient,
        code: dict,
        onset: date,
        *,
        recorder=None,
        note: str = "",
        status: str = "active",
        category: str = "problem-list-item",
        abatement: date | None = None,
    ) -> dict:
        res = {
            "resourceType": "Condition",
            "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": status}]},
            "verificationStatus": {
                "coding": [{"system": CONDITION_VERIFICATION, "code": "confirmed"}]
            },
            "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": category}]}],
            "code": code,
            "subject": patient,
            "onsetDateTime": onset.isoformat(),
            "recordedDate": onset.isoformat(),
        }
        if abatement:
            res["abatementDateTime"] = abatement.isoformat()
        if recorder:
            res["recorder"] = recorder
            res["asserter"] = recorder
        if note:
            res["note"] = [{"text": note}]
        return self.add(res)

    def observation(
        self,
        patient,
        code: dict,
        when: date | str,
        *,
        category: str = "laboratory",
        value=None,
        components: list[dict] | None = None,
        performer=None,
        encounter=None,
        device=None,
        note: str = "",
        interpretation: str = "",
        period_minutes: int | None = None,
        reference_range: tuple[float, float, str] | None = None,
    ) -> dict:
        res = {
            "resourceType": "Observation",
            "status": "final",
            "category": [{"coding": [{"system": OBS_CATEGORY, "code": category}]}],
            "code": code,
            "subject": patient,
        }
        start = when if isinstance(when, str) else at(when)
        if period_minutes:
            end = datetime.fromisoformat(start) + timedelta(minutes=period_minutes)
            res["effectivePeriod"] = {"start": start, "end": end.isoformat()}
        else:
            res["effectiveDateTime"] = start
        if isinstance(value, dict) and "value" in value:
            res["valueQuantity"] = value
        elif isinstance(value, dict):
            res["valueCodeableConcept"] = value
        elif isinstance(value, str):
            if len(value) == 10 and value[4] == "-":
                res["valueDateTime"] = value
            else:
                res["valueString"] = value
        if components:
            res["component"] = components
        if performer:
            res["performer"] = [performer]
        if encounter:
            res["encounter"] = encounter
        if device:
            res["device"] = device
        if note:
            res["note"] = [{"text": note}]
        if interpretation:
            res["interpretation"] = [{"text": interpretation}]
        if reference_range:
            low, high, unit = reference_range
            res["referenceRange"] = [
                {"low": quantity(low, unit), "high": quantity(high, unit), "text": f"{low}–{high}"}
            ]
        return self.add(res)

    def blood_pressure(self, patient, when: date, systolic: int, diastolic: int, **kw) -> dict:
        return self.observation(
            patient,
            loinc(
                "85354-9", "Blood pressure panel with all children optional", "Tension artérielle"
            ),
            when,
            category="vital-signs",
            components=[
                {
                    "code": loinc("8480-6", "Systolic blood pressure", "Pression systolique"),
                    "valueQuantity": quantity(systolic, "mmHg", "mm[Hg]"),
                },
                {
                    "code": loinc("8462-4", "Diastolic blood pressure", "Pression diastolique"),
                    "valueQuantity": quantity(diastolic, "mmHg", "mm[Hg]"),
                },
            ],
            **kw,
        )

    def weight(self, patient, when: date, kg: float, **kw) -> dict:
        return self.observation(
            patient,
            loinc("29463-7", "Body weight", "Poids"),
            when,
            category="vital-signs",
            value=quantity(kg, "kg"),
            **kw,
        )

    def blood_group(self, patient, when: date, group: str, performer=None) -> dict:
        return self.observation(
            patient,
            loinc("882-1", "ABO and Rh group [Type] in Blood", "Groupe sanguin ABO et rhésus"),
            when,
            value={"text": group},
            performer=performer,
        )

    def encounter(
        self,
        patient,
        kind: dict,
        day: date,
        *,
        practitioner=None,
        organisation=None,
        reason: str = "",
        minutes: int = 30,
        hour: int = 9,
        klass: str = "AMB",
    ) -> dict:
        start = at(day, hour)
        end = (datetime.fromisoformat(start) + timedelta(minutes=minutes)).isoformat()
        res = {
            "resourceType": "Encounter",
            "status": "finished",
            "class": {"system": ACT_CODE, "code": klass},
            "type": [kind],
            "subject": patient,
            "period": {"start": start, "end": end},
        }
        if practitioner:
            res["participant"] = [{"individual": practitioner}]
        if organisation:
            res["serviceProvider"] = organisation
        if reason:
            res["reasonCode"] = [{"text": reason}]
        return self.add(res)

    def procedure(
        self,
        patient,
        code: dict,
        day: date | str,
        *,
        performer=None,
        encounter=None,
        reason=None,
        note: str = "",
        outcome: str = "",
        body_site: dict | None = None,
    ) -> dict:
        res = {
            "resourceType": "Procedure",
            "status": "completed",
            "code": code,
            "subject": patient,
            "performedDateTime": day if isinstance(day, str) else at(day),
        }
        if performer:
            res["performer"] = [{"actor": performer}]
        if encounter:
            res["encounter"] = encounter
        if reason:
            res["reasonReference"] = [reason]
        if body_site:
            res["bodySite"] = [body_site]
        if outcome:
            res["outcome"] = {"text": outcome}
        if note:
            res["note"] = [{"text": note}]
        return self.add(res)

    def report(
        self,
        patient,
        code: dict,
        day: date,
        *,
        service: str,
        results: list[dict],
        performer=None,
        conclusion: str = "",
    ) -> dict:
        res = {
            "resourceType": "DiagnosticReport",
            "status": "final",
            "category": [{"coding": [{"system": DIAG_SERVICE, "code": service}]}],
            "code": code,
            "subject": patient,
            "effectiveDateTime": at(day),
            "issued": at(day, 18),
        }
        if results:
            res["result"] = results
        if performer:
            res["performer"] = [performer]
        if conclusion:
            res["conclusion"] = conclusion
        return self.add(res)

    def medication(
        self,
        patient,
        cis: str,
        name: str,
        text: str,
        authored: date,
        *,
        requester=None,
        reason=None,
        dosage: str,
        per_day: int | None = None,
        dose: float = 1,
        dose_unit: str = "comprimé",
        as_needed: bool = False,
        status: str = "active",
        route: dict | None = ORAL_ROUTE,
        validity_days: int = 90,
        repeats: int = 0,
        atc: tuple[str, str] | None = None,
    ) -> dict:
        coding = [{"system": CIS, "code": cis, "display": name}]
        if atc:
            coding.append({"system": ATC, "code": atc[0], "display": atc[1]})
        dosage_instruction = {"text": dosage, "asNeededBoolean": as_needed}
        if per_day:
            dosage_instruction["timing"] = {
                "repeat": {"frequency": per_day, "period": 1, "periodUnit": "d"}
            }
        if route:
            dosage_instruction["route"] = route
        dosage_instruction["doseAndRate"] = [{"doseQuantity": {"value": dose, "unit": dose_unit}}]
        end = authored + timedelta(days=validity_days)
        res = {
            "resourceType": "MedicationRequest",
            "status": status,
            "intent": "order",
            "medicationCodeableConcept": {"coding": coding, "text": text},
            "subject": patient,
            "authoredOn": authored.isoformat(),
            "dosageInstruction": [dosage_instruction],
            "dispenseRequest": {
                "validityPeriod": {"start": authored.isoformat(), "end": end.isoformat()},
                "numberOfRepeatsAllowed": repeats,
            },
        }
        if requester:
            res["requester"] = requester
        if reason:
            res["reasonReference"] = [reason]
        return self.add(res)

    def immunization(
        self,
        patient,
        atc: tuple[str, str],
        product: tuple[str, str] | None,
        text: str,
        day: date,
        *,
        performer=None,
        lot: str = "",
        dose: int | None = None,
        note: str = "",
        primary_source: bool = True,
    ) -> dict:
        coding = [{"system": ATC, "code": atc[0], "display": atc[1]}]
        if product:
            coding.append({"system": CIS, "code": product[0], "display": product[1]})
        res = {
            "resourceType": "Immunization",
            "status": "completed",
            "vaccineCode": {"coding": coding, "text": text},
            "patient": patient,
            "occurrenceDateTime": at(day, 10),
            "primarySource": primary_source,
            "route": IM_ROUTE,
        }
        if lot:
            res["lotNumber"] = lot
        if performer:
            res["performer"] = [{"actor": performer}]
        if dose:
            res["protocolApplied"] = [{"doseNumberPositiveInt": dose}]
        if note:
            res["note"] = [{"text": note}]
        return self.add(res)

    def allergy(
        self,
        patient,
        code: dict,
        recorded: date,
        *,
        category: str | None = None,
        criticality: str = "low",
        reaction: tuple[str, str, str] | None = None,
        recorder=None,
        note: str = "",
        kind: str = "allergy",
    ) -> dict:
        res = {
            "resourceType": "AllergyIntolerance",
            "clinicalStatus": {"coding": [{"system": ALLERGY_CLINICAL, "code": "active"}]},
            "verificationStatus": {
                "coding": [{"system": ALLERGY_VERIFICATION, "code": "confirmed"}]
            },
            "code": code,
            "patient": patient,
            "recordedDate": recorded.isoformat(),
        }
        if category:
            res["type"] = kind
            res["category"] = [category]
            res["criticality"] = criticality
        if reaction:
            sct, display, text = reaction
            res["reaction"] = [{"manifestation": [snomed(sct, display, text)]}]
        if recorder:
            res["recorder"] = recorder
        if note:
            res["note"] = [{"text": note}]
        return self.add(res)


def _display_of(resource: dict) -> str:
    if resource.get("name") and isinstance(resource["name"], str):
        return resource["name"]
    names = resource.get("name") or []
    if names:
        n = names[0]
        return " ".join([*n.get("prefix", []), *n.get("given", []), n.get("family", "")]).strip()
    return ""
