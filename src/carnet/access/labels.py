"""The vocabulary of the Coffre: what kind of item a resource is, and how sensitive.

Every item of a record carries labels, computed once when it is written:

- ``scope:<category>`` — the resource category a practitioner's grant can cover
  (consultations, problems, results, treatments, vaccines, documents, measurements,
  administrative, other). FHIR types are mapped to categories here and nowhere else.
- ``conf:N|R|V`` — FHIR confidentiality (normal, restricted, very restricted), from
  ``meta.security`` (v3-Confidentiality); N when absent.
- ``sens:<category>`` — sensitivity categories (mental health, sexual and reproductive
  health, HIV/STI, addiction, genetics, violence), from ``meta.security`` (v3-ActCode)
  and inferred from a small, documented list of codes (``INFERRED`` below).
- ``set:identity`` — the Patient resource: any live grant, proxy or emergency sees it.
- ``set:emergency`` — the item belongs to the emergency dataset (allergies, active
  problems, current treatments, blood group, advance directives, the Patient resource
  with its emergency contacts).

The person's own choices add masks (see ``models.ItemMask``): ``mask:referent`` (only
my médecin traitant), ``mask:self`` (only me), ``mask:no-emergency`` and
``mask:not-parents`` (a minor of 15 or more keeping care confidential from parents).

Labels are stored as blind-index tokens (HMAC under the patient's key, see
``records.store``), never in clear: a sensitivity category says something about a
person's health.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db import models
from django.utils.translation import gettext_lazy as _

# --- Scope categories --------------------------------------------------------------------


class Category(models.TextChoices):
    CONSULTATIONS = "consultations", _("consultations and care plans")
    PROBLEMS = "problems", _("health problems and allergies")
    RESULTS = "results", _("test results and imaging")
    TREATMENTS = "treatments", _("treatments and prescriptions")
    VACCINES = "vaccines", _("vaccinations")
    DOCUMENTS = "documents", _("documents")
    MEASUREMENTS = "measurements", _("measurements (weight, blood pressure, activity…)")
    ADMINISTRATIVE = "administrative", _("administrative (claims, reimbursements)")
    OTHER = "other", _("other items")


CATEGORIES: tuple[str, ...] = tuple(c.value for c in Category)
# Grants store their categories as a bitmask: one bit per category, in this order.
CATEGORY_BITS = {c: 1 << i for i, c in enumerate(CATEGORIES)}
ALL_CATEGORIES_MASK = (1 << len(CATEGORIES)) - 1

TYPE_CATEGORY = {
    "Encounter": Category.CONSULTATIONS,
    "CarePlan": Category.CONSULTATIONS,
    "CareTeam": Category.CONSULTATIONS,
    "Goal": Category.CONSULTATIONS,
    "Procedure": Category.CONSULTATIONS,
    "ServiceRequest": Category.CONSULTATIONS,
    "Appointment": Category.CONSULTATIONS,
    "Condition": Category.PROBLEMS,
    "AllergyIntolerance": Category.PROBLEMS,
    "FamilyMemberHistory": Category.PROBLEMS,
    "DiagnosticReport": Category.RESULTS,
    "ImagingStudy": Category.RESULTS,
    "Specimen": Category.RESULTS,
    "Observation": Category.RESULTS,  # vital signs and activity: measurements (below)
    "MedicationRequest": Category.TREATMENTS,
    "MedicationStatement": Category.TREATMENTS,
    "MedicationAdministration": Category.TREATMENTS,
    "MedicationDispense": Category.TREATMENTS,
    "Medication": Category.TREATMENTS,
    "Device": Category.TREATMENTS,
    "DeviceRequest": Category.TREATMENTS,
    "SupplyDelivery": Category.TREATMENTS,
    "Immunization": Category.VACCINES,
    "DocumentReference": Category.DOCUMENTS,
    "Binary": Category.DOCUMENTS,
    "Media": Category.DOCUMENTS,
    "Consent": Category.DOCUMENTS,
    "Claim": Category.ADMINISTRATIVE,
    "ExplanationOfBenefit": Category.ADMINISTRATIVE,
    "Coverage": Category.ADMINISTRATIVE,
    "Provenance": Category.ADMINISTRATIVE,
    # The Patient resource (identity, emergency contacts) is administrative; any live
    # grant, proxy or emergency access sees it (see policy.View.allows).
    "Patient": Category.ADMINISTRATIVE,
}
MEASUREMENT_OBSERVATION_CATEGORIES = {"vital-signs", "activity", "survey", "fitness"}


def category_of(resource: dict) -> str:
    rtype = resource.get("resourceType", "")
    if rtype == "Observation":
        for _system, code in _codings(resource.get("category")):
            if code in MEASUREMENT_OBSERVATION_CATEGORIES:
                return Category.MEASUREMENTS
    return TYPE_CATEGORY.get(rtype, Category.OTHER)


def categories_mask(categories: Iterable[str]) -> int:
    """The bitmask of a set of categories; ValueError on an unknown one."""
    mask = 0
    for c in categories:
        mask |= CATEGORY_BITS[Category(c)]
    return mask


def categories_of_mask(mask: int) -> frozenset[str]:
    return frozenset(c for c, bit in CATEGORY_BITS.items() if mask & bit)


# --- Confidentiality and sensitivity ------------------------------------------------------

LEVELS = ("N", "R", "V")  # normal < restricted < very restricted


class Level(models.TextChoices):
    NORMAL = "N", _("normal")
    RESTRICTED = "R", _("sensitive (restricted)")
    VERY_RESTRICTED = "V", _("very sensitive (very restricted)")


class Sensitivity(models.TextChoices):
    MENTAL_HEALTH = "PSY", _("mental health")
    SEXUAL_HEALTH = "SEX", _("sexual and reproductive health")
    HIV_STI = "HIV", _("HIV and sexually transmitted infections")
    ADDICTION = "SUD", _("addiction")
    GENETICS = "GDIS", _("genetics")
    VIOLENCE = "SDV", _("violence")


SENSITIVITIES: tuple[str, ...] = tuple(s.value for s in Sensitivity)

CONFIDENTIALITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
ACTCODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
# v3-ActCode sensitivity codes (and their common synonyms) to our categories.
ACTCODE_SENSITIVITY = {
    "PSY": "PSY",
    "PSYTHPN": "PSY",
    "MH": "PSY",
    "SEX": "SEX",
    "SRH": "SEX",
    "SEXUALITY": "SEX",
    "HIV": "HIV",
    "STD": "HIV",
    "ETH": "SUD",
    "SUD": "SUD",
    "ETHUD": "SUD",
    "OPIOIDUD": "SUD",
    "GDIS": "GDIS",
    "GENETIC": "GDIS",
    "SDV": "SDV",
    "DOMVIO": "SDV",
    "CHILDABUSE": "SDV",
    "ELDERABUSE": "SDV",
}

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
# Inferred sensitivity: a deliberately small list for the common cases. A code found here
# (in the resource's main code) labels the item even when its sender did not. It does not
# try to be complete: the person can always mask an item themself.
INFERRED: dict[tuple[str, str], str] = {
    # Mental health (SNOMED): depression, anxiety, schizophrenia, bipolar, PTSD, suicide attempt
    (SNOMED, "35489007"): "PSY",
    (SNOMED, "370143000"): "PSY",
    (SNOMED, "36923009"): "PSY",
    (SNOMED, "197480006"): "PSY",
    (SNOMED, "58214004"): "PSY",
    (SNOMED, "13746004"): "PSY",
    (SNOMED, "47505003"): "PSY",
    (SNOMED, "82313006"): "PSY",
    (SNOMED, "74732009"): "PSY",  # mental disorder
    # Depression and anxiety screening instruments (LOINC): PHQ-9, PHQ-2, GAD-7
    (LOINC, "44249-1"): "PSY",
    (LOINC, "44261-6"): "PSY",
    (LOINC, "55757-9"): "PSY",
    (LOINC, "69737-5"): "PSY",
    (LOINC, "70274-6"): "PSY",
    # HIV and STI: HIV disease, HIV tests, chlamydia, gonorrhoea, syphilis
    (SNOMED, "86406008"): "HIV",
    (SNOMED, "165816005"): "HIV",
    (LOINC, "75622-1"): "HIV",
    (LOINC, "7917-8"): "HIV",
    (LOINC, "56888-1"): "HIV",
    (LOINC, "68961-2"): "HIV",
    (SNOMED, "105629000"): "HIV",
    (SNOMED, "15628003"): "HIV",
    (SNOMED, "76272004"): "HIV",
    # Sexual and reproductive health: termination of pregnancy, contraception
    (SNOMED, "386639001"): "SEX",
    (SNOMED, "714812005"): "SEX",
    (SNOMED, "57797005"): "SEX",
    (SNOMED, "5935008"): "SEX",
    (SNOMED, "169553002"): "SEX",
    # Addiction: alcohol, opioid, drug dependence, drug overdose
    (SNOMED, "7200002"): "SUD",
    (SNOMED, "75544000"): "SUD",
    (SNOMED, "191816009"): "SUD",
    (SNOMED, "55680006"): "SUD",
    (SNOMED, "66590003"): "SUD",
    # Genetics: genetic disorder, genetic test results
    (SNOMED, "32895009"): "GDIS",
    (SNOMED, "405824009"): "GDIS",
    # Violence: domestic abuse, child abuse, victim of sexual aggression
    (SNOMED, "95930005"): "SDV",
    (SNOMED, "397940009"): "SDV",
}
# ICD-10 chapters by prefix: F (mental and behavioural; F10–F19 addiction), B20–B24 (HIV),
# O04 (medical abortion), Z21 (HIV status), T74 (maltreatment).
ICD10_PREFIXES = (
    ("F1", "SUD"),
    ("F", "PSY"),
    ("B2", "HIV"),
    ("Z21", "HIV"),
    ("O04", "SEX"),
    ("T74", "SDV"),
)

# --- The emergency dataset ----------------------------------------------------------------

BLOOD_GROUP_LOINC = {"882-1", "883-9", "10331-7", "34474-7"}
ADVANCE_DIRECTIVE_LOINC = {"42348-3", "75320-2", "81351-9"}


def _codings(concept) -> Iterator[tuple[str, str]]:
    concepts = concept if isinstance(concept, list) else [concept]
    for c in concepts:
        if not isinstance(c, dict):
            continue
        for coding in c.get("coding") or []:
            if isinstance(coding, dict) and isinstance(coding.get("code"), str):
                yield coding.get("system") or "", coding["code"]


def _main_codings(resource: dict) -> list[tuple[str, str]]:
    out = []
    for name in ("code", "vaccineCode", "medicationCodeableConcept", "type", "reasonCode"):
        if name in resource:
            out.extend(_codings(resource[name]))
    return out


def _status(resource: dict, name: str) -> str:
    value = resource.get(name)
    if isinstance(value, str):
        return value
    codes = [c for _s, c in _codings(value)]
    return codes[0] if codes else ""


def in_emergency_set(resource: dict) -> bool:
    rtype = resource.get("resourceType")
    if rtype in ("Patient", "AllergyIntolerance"):
        return rtype == "Patient" or _status(resource, "clinicalStatus") in ("", "active")
    if rtype == "Condition":
        return _status(resource, "clinicalStatus") in ("active", "recurrence", "relapse")
    if rtype in ("MedicationRequest", "MedicationStatement"):
        return resource.get("status") in ("active", "intended", "on-hold")
    codes = {(s, c) for s, c in _main_codings(resource)}
    if rtype == "Observation":
        return any(s == LOINC and c in BLOOD_GROUP_LOINC for s, c in codes)
    if rtype in ("DocumentReference", "Consent"):
        if any(s == LOINC and c in ADVANCE_DIRECTIVE_LOINC for s, c in codes):
            return True
        return any(c in ("adr", "acd") for _s, c in _codings(resource.get("category")))
    return False


def of_resource(resource: dict) -> list[str]:
    """The labels of a resource: ``scope:…``, ``conf:…``, ``sens:…`` and ``set:emergency``."""
    level = "N"
    sens: set[str] = set()
    for tag in (resource.get("meta") or {}).get("security") or []:
        if not isinstance(tag, dict) or not isinstance(tag.get("code"), str):
            continue
        code = tag["code"].upper()
        system = tag.get("system") or ""
        if system == CONFIDENTIALITY_SYSTEM and code in ("R", "V"):
            level = max(level, code, key=LEVELS.index)
        elif system == CONFIDENTIALITY_SYSTEM and code in ("U", "L", "M", "N"):
            continue
        elif code in ACTCODE_SENSITIVITY and system in (ACTCODE_SYSTEM, ""):
            sens.add(ACTCODE_SENSITIVITY[code])
    for system, code in _main_codings(resource):
        found = INFERRED.get((system, code))
        if found is None and system.startswith(ICD10):
            found = next((s for p, s in ICD10_PREFIXES if code.upper().startswith(p)), None)
        if found:
            sens.add(found)
    out = [f"scope:{category_of(resource)}", f"conf:{level}"]
    out += sorted(f"sens:{s}" for s in sens)
    if in_emergency_set(resource):
        out.append("set:emergency")
    if resource.get("resourceType") == "Patient":
        out.append("set:identity")
    return out


# Every value a stored label can take: the store recognises an item's labels from their
# blind tokens by trying these (there are few, so it costs a few HMACs per request).
VOCABULARY: tuple[str, ...] = (
    tuple(f"scope:{c}" for c in CATEGORIES)
    + tuple(f"conf:{lv}" for lv in LEVELS)
    + tuple(f"sens:{s}" for s in SENSITIVITIES)
    + ("set:emergency", "set:identity")
)


def level_of(labels: Iterable[str]) -> str:
    """The effective confidentiality: a sensitivity category makes an item at least R."""
    level = "N"
    for label in labels:
        if label.startswith("conf:") and label[5:] in LEVELS:
            level = max(level, label[5:], key=LEVELS.index)
        elif label.startswith("sens:"):
            level = max(level, "R", key=LEVELS.index)
    return level
