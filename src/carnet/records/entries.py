"""What a person enters by hand, turned into FHIR R4 resources and saved through ``services``.

Every item is recorded as entered by the person: it says so in FHIR (asserter, informant,
performer or ``primarySource: false`` pointing at the person), and ``services.create``
records the person as its source (validated, encrypted and audited in one transaction).

    add(actor, patient_id, kind, form)     -> the saved resource
    add_contact(actor, patient_id, form)   -> the updated Patient resource
    KINDS                                  the entry kinds, by URL slug
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from carnet.access.services import Actor, Purpose

from . import data, forms, services
from .fhir import InvalidResource

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
CONTACT_ROLE = "http://terminology.hl7.org/CodeSystem/v2-0131"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
IMMUNIZATION_ORIGIN = "http://terminology.hl7.org/CodeSystem/immunization-origin"
# What the person entered themself, as a tag any reader of the FHIR resource can see.
ENTERED_BY_PERSON = {"system": "https://carnet.example/fhir/entry", "code": "entered-by-patient"}


@dataclass(frozen=True)
class Kind:
    slug: str
    title: object  # the form's heading
    intro: object
    form: type


KINDS = {
    "antecedent": Kind(
        "antecedent",
        _("Add an illness or an operation"),
        _("Your medical history: illnesses you have or had, operations, long stays in hospital."),
        forms.ConditionForm,
    ),
    "famille": Kind(
        "famille",
        _("Add an illness in your family"),
        _("Some illnesses run in families: your doctor may want to know about them."),
        forms.FamilyForm,
    ),
    "allergie": Kind(
        "allergie",
        _("Add an allergy"),
        _(
            "A medicine, a food or anything else you react to. In an emergency, this is shown first."
        ),
        forms.AllergyForm,
    ),
    "traitement": Kind(
        "traitement",
        _("Add a treatment"),
        _("A medicine you take now. Look for it by the name written on the box."),
        forms.TreatmentForm,
    ),
    "vaccin": Kind(
        "vaccin",
        _("Add a vaccination"),
        _("Copy it from your vaccination booklet (carnet de vaccination or carnet de santé)."),
        forms.VaccinationForm,
    ),
    "directives": Kind(
        "directives",
        _("Advance directives"),
        _(
            "Advance directives say what care you want, or do not want, at the end of life if you can no longer say it. Say here that you have written them and where they are kept."
        ),
        forms.DirectiveForm,
    ),
    "contact": Kind(
        "contact",
        _("Add an emergency contact"),
        _("The person to call if something happens to you."),
        forms.ContactForm,
    ),
    "groupe-sanguin": Kind(
        "groupe-sanguin",
        _("My blood group"),
        _("Your blood group is written on your blood group card (carte de groupe sanguin)."),
        forms.BloodGroupForm,
    ),
}
MEASURE_KINDS = {
    key: Kind(
        key,
        # Lazy on both sides: translated when shown, in the reader's language.
        format_lazy(_("Add a measurement: {what}"), what=m.label),
        _("Type the value shown by your device."),
        forms.MeasurementForm,
    )
    for key, m in forms.MEASURES.items()
}


def kind_of(slug: str) -> Kind | None:
    return KINDS.get(slug) or MEASURE_KINDS.get(slug)


# --- The person's own Patient resource ------------------------------------------------------


def own_patient(actor: Actor, patient_id: int) -> dict:
    """The record's Patient resource, created (empty) the first time something is entered."""
    page = services.search(actor, patient_id, "Patient", Purpose.SELF, count=1)
    if page.resources:
        return page.resources[0]
    return services.create(actor, patient_id, {"resourceType": "Patient"}, Purpose.SELF)


def _now() -> str:
    return timezone.now().astimezone(UTC).replace(microsecond=0).isoformat()


def _day(value) -> str:
    return value.isoformat()


def _meta() -> dict:
    return {"tag": [dict(ENTERED_BY_PERSON, display="Entered by the person")]}


def _text(value: str) -> str:
    return " ".join((value or "").split())


def _note(value: str) -> list[dict]:
    value = (value or "").strip()
    return [{"text": value, "time": _now()}] if value else []


# --- Builders --------------------------------------------------------------------------------


def condition(cd: dict, subject: dict) -> dict:
    status = "active" if cd["current"] else "resolved"
    res = {
        "resourceType": "Condition",
        "meta": _meta(),
        "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": status}]},
        "verificationStatus": {
            "coding": [{"system": CONDITION_VERIFICATION, "code": "unconfirmed"}]
        },
        "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "problem-list-item"}]}],
        "code": {"text": _text(cd["name"])},
        "subject": subject,
        "recordedDate": _now(),
        "asserter": subject,
    }
    if cd.get("since"):
        res["onsetDateTime"] = str(cd["since"])
    if _note(cd.get("note")):
        res["note"] = _note(cd["note"])
    return res


def family(cd: dict, subject: dict) -> dict:
    code = cd["relative"]
    display = dict(forms.RELATIVES)[code]
    cond = {"code": {"text": _text(cd["condition"])}}
    if cd.get("age") is not None:
        cond["onsetAge"] = {"value": cd["age"], "unit": "a", "system": UCUM, "code": "a"}
    res = {
        "resourceType": "FamilyMemberHistory",
        "meta": _meta(),
        "status": "completed",
        "patient": subject,
        "date": _now(),
        "relationship": {
            "coding": [{"system": ROLE_CODE, "code": code}],
            "text": str(display),
        },
        "condition": [cond],
    }
    if _note(cd.get("note")):
        res["note"] = _note(cd["note"])
    return res


def allergy(cd: dict, concept: dict, subject: dict) -> dict:
    res = {
        "resourceType": "AllergyIntolerance",
        "meta": _meta(),
        "clinicalStatus": {"coding": [{"system": ALLERGY_CLINICAL, "code": "active"}]},
        "verificationStatus": {"coding": [{"system": ALLERGY_VERIFICATION, "code": "unconfirmed"}]},
        "type": cd["kind"],
        "criticality": "high" if cd.get("serious") else "unable-to-assess",
        "code": concept,
        "patient": subject,
        "recordedDate": _now(),
        "asserter": subject,
    }
    if cd.get("since"):
        res["onsetDateTime"] = str(cd["since"])
    if (cd.get("reaction") or "").strip():
        res["reaction"] = [{"manifestation": [{"text": _text(cd["reaction"])}]}]
    return res


def treatment(cd: dict, medicine: data.Medicine | None, subject: dict) -> dict:
    if medicine is not None:
        concept = {
            "coding": [{"system": data.CIS_SYSTEM, "code": medicine.cis, "display": medicine.name}],
            "text": medicine.name,
        }
    else:
        concept = {"text": _text(cd["name"])}
    res = {
        "resourceType": "MedicationStatement",
        "meta": _meta(),
        "status": "active",
        "medicationCodeableConcept": concept,
        "subject": subject,
        "dateAsserted": _now(),
        "informationSource": subject,
    }
    if cd.get("since"):
        res["effectivePeriod"] = {"start": _day(cd["since"])}
    if (cd.get("dosage") or "").strip():
        res["dosage"] = [{"text": _text(cd["dosage"])}]
    if (cd.get("reason") or "").strip():
        res["reasonCode"] = [{"text": _text(cd["reason"])}]
    return res


def vaccination(cd: dict, vaccine: data.Concept, subject: dict) -> dict:
    text = _text(cd.get("product") or "") or vaccine.display
    res = {
        "resourceType": "Immunization",
        "meta": _meta(),
        "status": "completed",
        "vaccineCode": {"coding": [vaccine.coding()], "text": text},
        "patient": subject,
        "occurrenceDateTime": _day(cd["day"]),
        "recorded": _now(),
        # Copied by the person from their booklet, not recorded by whoever vaccinated them.
        "primarySource": False,
        "reportOrigin": {
            "coding": [{"system": IMMUNIZATION_ORIGIN, "code": "record"}],
            "text": "vaccination booklet",
        },
    }
    if (cd.get("lot") or "").strip():
        res["lotNumber"] = cd["lot"].strip()
    if cd.get("dose"):
        res["protocolApplied"] = [{"doseNumberPositiveInt": cd["dose"]}]
    return res


def _quantity(value, unit: str, code: str) -> dict:
    number = float(value)
    return {
        "value": int(number) if number.is_integer() else number,
        "unit": unit,
        "system": UCUM,
        "code": code,
    }


def measurement(measure: forms.Measure, cd: dict, subject: dict) -> dict:
    when = cd["when"].astimezone(UTC).replace(microsecond=0).isoformat()
    res = {
        "resourceType": "Observation",
        "meta": _meta(),
        "status": "final",
        "category": [{"coding": [{"system": OBS_CATEGORY, "code": measure.category}]}],
        "code": {
            "coding": [{"system": LOINC, "code": measure.loinc, "display": measure.display}],
            "text": str(measure.label),
        },
        "subject": subject,
        "effectiveDateTime": when,
        "performer": [subject],
    }
    numbers = cd["numbers"]
    if measure.key == "tension":
        res["component"] = [
            {
                "code": {
                    "coding": [
                        {"system": LOINC, "code": "8480-6", "display": "Systolic blood pressure"}
                    ]
                },
                "valueQuantity": _quantity(numbers[0], "mmHg", "mm[Hg]"),
            },
            {
                "code": {
                    "coding": [
                        {"system": LOINC, "code": "8462-4", "display": "Diastolic blood pressure"}
                    ]
                },
                "valueQuantity": _quantity(numbers[1], "mmHg", "mm[Hg]"),
            },
        ]
    elif measure.key == "glycemie" and cd.get("glucose_unit") == "mmol/L":
        res["code"]["coding"] = [
            {
                "system": LOINC,
                "code": "14743-9",
                "display": "Glucose [Moles/volume] in Capillary blood by Glucometer",
            }
        ]
        res["valueQuantity"] = _quantity(numbers[0], "mmol/L", "mmol/L")
    else:
        res["valueQuantity"] = _quantity(numbers[0], measure.unit, measure.ucum)
    return res


def directive(cd: dict, subject: dict) -> dict:
    lines = [str(forms.DIRECTIVE_WHERE) + " " + _text(cd["where"])]
    if (cd.get("trusted_person") or "").strip():
        lines.append(str(_("Trusted person:")) + " " + _text(cd["trusted_person"]))
    if (cd.get("wishes") or "").strip():
        lines += ["", cd["wishes"].strip()]
    body = "\n".join(lines).encode()
    res = {
        "resourceType": "Consent",
        "meta": _meta(),
        "status": "active",
        "scope": {
            "coding": [{"system": CONSENT_SCOPE, "code": "adr"}],
            "text": "Advance directive",
        },
        "category": [
            {"coding": [{"system": LOINC, "code": "42348-3", "display": "Advance directives"}]}
        ],
        "patient": subject,
        "dateTime": _now(),
        "performer": [subject],
        "policyRule": {"text": "Directives anticipées (code de la santé publique, art. L1111-11)"},
        "sourceAttachment": {
            "contentType": "text/plain; charset=utf-8",
            "data": base64.b64encode(body).decode(),
            "title": "Directives anticipées",
        },
    }
    if cd.get("written"):
        res["sourceAttachment"]["creation"] = _day(cd["written"])
    return res


def blood_group(cd: dict, subject: dict) -> dict:
    code = cd["group"]
    return {
        "resourceType": "Observation",
        "meta": _meta(),
        "status": "final",
        "category": [{"coding": [{"system": OBS_CATEGORY, "code": "laboratory"}]}],
        "code": {
            "coding": [
                {"system": LOINC, "code": "882-1", "display": "ABO and Rh group [Type] in Blood"}
            ],
            "text": str(_("Blood group")),
        },
        "subject": subject,
        "effectiveDateTime": _now(),
        "performer": [subject],
        "valueCodeableConcept": {
            "coding": [
                {"system": SNOMED, "code": code, "display": forms.BLOOD_GROUP_DISPLAY[code]}
            ],
            "text": dict(forms.BLOOD_GROUPS)[code],
        },
    }


def contact(cd: dict) -> dict:
    relation = cd["relation"]
    telecom = [{"system": "phone", "value": cd["phone"], "use": "mobile"}]
    if cd.get("email"):
        telecom.append({"system": "email", "value": cd["email"]})
    return {
        "relationship": [
            {"coding": [{"system": CONTACT_ROLE, "code": "C", "display": "Emergency Contact"}]},
            {
                "coding": [{"system": ROLE_CODE, "code": relation}],
                "text": str(dict(forms.CONTACT_RELATIONS)[relation]),
            },
        ],
        "name": {"text": _text(cd["name"])},
        "telecom": telecom,
    }


# --- Saving ----------------------------------------------------------------------------------


def build(kind: str, form, subject: dict) -> dict:
    cd = form.cleaned_data
    if kind == "antecedent":
        return condition(cd, subject)
    if kind == "famille":
        return family(cd, subject)
    if kind == "allergie":
        return allergy(cd, form.concept(), subject)
    if kind == "traitement":
        return treatment(cd, form.chosen(), subject)
    if kind == "vaccin":
        return vaccination(cd, form.concept(), subject)
    if kind == "directives":
        return directive(cd, subject)
    if kind == "groupe-sanguin":
        return blood_group(cd, subject)
    if kind in forms.MEASURES:
        return measurement(forms.MEASURES[kind], cd, subject)
    raise ValueError(f"unknown entry kind {kind!r}")


def add(actor: Actor, patient_id: int, kind: str, form) -> dict:
    """Save one entry from a valid form; raises InvalidResource (nothing saved) or NotFound."""
    if kind == "contact":
        return add_contact(actor, patient_id, form)
    patient = own_patient(actor, patient_id)
    resource = build(kind, form, {"reference": f"Patient/{patient['id']}"})
    return services.create(actor, patient_id, resource, Purpose.SELF)


def add_contact(actor: Actor, patient_id: int, form) -> dict:
    """Add an emergency contact to the person's Patient resource (a new version of it)."""
    patient = own_patient(actor, patient_id)
    updated = {k: v for k, v in patient.items() if k != "meta"}
    contacts = list(updated.get("contact") or [])
    if len(contacts) >= 10:
        raise InvalidResource("too many contacts")
    updated["contact"] = contacts + [contact(form.cleaned_data)]
    return services.update(actor, updated, Purpose.SELF)


def emergency_contacts(actor: Actor, patient_id: int) -> list[dict]:
    """The emergency contacts of the record, as plain values for a page."""
    page = services.search(actor, patient_id, "Patient", Purpose.SELF, count=1)
    out = []
    for c in (page.resources[0].get("contact") or []) if page.resources else []:
        relation = next((r.get("text") for r in c.get("relationship") or [] if r.get("text")), "")
        phone = next(
            (t.get("value") for t in c.get("telecom") or [] if t.get("system") == "phone"), ""
        )
        out.append(
            {"name": (c.get("name") or {}).get("text", ""), "relation": relation, "phone": phone}
        )
    return out
