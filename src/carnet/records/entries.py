"""What a person, or a practitioner they let write, enters by hand, turned into FHIR R4
resources and saved through ``services``.

The same forms and builders serve both. An ``Author`` says who writes and why: the person
themself (purpose *self*; the item says so in FHIR — asserter, informant, performer or
``primarySource: false`` pointing at the person) or a practitioner with a write grant
(purpose *treatment*; the item names their directory Practitioner as performer,
recorder or asserter). ``services.create`` asks ``access`` (a practitioner writes only
within the categories and level of a live write grant), records the author as the item's
source, and audits it in one transaction.

    add(actor, patient_id, kind, form)            -> the saved resource (the person's own)
    add(actor, patient_id, kind, form, author=…)  -> the same, written by ``author``
    add_contact(actor, patient_id, form)          -> the updated Patient resource
    KINDS, MEASURE_KINDS                          the person's entry kinds, by URL slug
    PRO_KINDS                                     what a practitioner may add, by URL slug
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from carnet.access import labels as access_labels
from carnet.access import masks
from carnet.access import services as access
from carnet.access.services import Action, Actor, NotFound, Purpose
from carnet.notify import services as notify

from . import data, fhir, forms, services, store, words
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
# Who entered the item by hand, as a tag any reader of the FHIR resource can see.
ENTERED_BY_PERSON = {"system": "https://carnet.example/fhir/entry", "code": "entered-by-patient"}
ENTERED_BY_PRACTITIONER = {
    "system": "https://carnet.example/fhir/entry",
    "code": "entered-by-practitioner",
}
# A practitioner's national identifier, as the demo and the imported directories name it.
RPPS_SYSTEM = "http://rpps.fr"
CONSULTATION = {"system": SNOMED, "code": "11429006", "display": "Consultation"}


@dataclass(frozen=True)
class Author:
    """Who writes an entry: the person (``reference`` None) or a practitioner.

    ``reference`` is the practitioner's directory Practitioner (``{"reference": …,
    "display": …}``); ``purpose`` is what ``access`` is asked for; ``profession`` goes
    into the item's provenance so that the person reads "added by Dr X, GP".
    """

    actor: Actor
    purpose: str = Purpose.SELF
    reference: dict | None = None
    profession: str = ""

    @property
    def is_person(self) -> bool:
        return self.reference is None


@dataclass(frozen=True)
class Kind:
    slug: str
    title: object  # the form's heading
    intro: object
    form: type
    # What it writes, as access sees it (``labels.category_of`` of a resource of that kind).
    category: str = ""


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


def _probe(kind: str) -> dict:
    """A resource of the kind's type and category, to ask access about before any form."""
    if kind in forms.MEASURES:
        return {
            "resourceType": "Observation",
            "status": "final",
            "category": [
                {"coding": [{"system": OBS_CATEGORY, "code": forms.MEASURES[kind].category}]}
            ],
        }
    return {
        "resourceType": {
            "vaccin": "Immunization",
            "allergie": "AllergyIntolerance",
            "consultation": "Procedure",
        }[kind]
    }


def _category(kind: str) -> str:
    """The access category of what an entry kind writes (as ``labels`` files it)."""
    return str(access_labels.category_of(_probe(kind)))


# What a practitioner may add to a record shared with them in writing, each within the
# grant's categories. Prescriptions are not here: they are issued by answering a renewal
# request (care.renewals), the one path where a practitioner writes a MedicationRequest.
PRO_KINDS = {
    **{
        key: Kind(
            key,
            format_lazy(_("Add a measurement: {what}"), what=m.label),
            _("The value you measured, and when."),
            forms.MeasurementForm,
            _category(key),
        )
        for key, m in forms.MEASURES.items()
    },
    "vaccin": Kind(
        "vaccin",
        _("Record a vaccination you gave"),
        _("The vaccine, the day and its batch number: the person's reminders follow from it."),
        forms.VaccinationForm,
        _category("vaccin"),
    ),
    "allergie": Kind(
        "allergie",
        _("Record an allergy"),
        _(
            "A medicine, a food or anything else the person reacts to. It is shown first in an emergency."
        ),
        forms.AllergyForm,
        _category("allergie"),
    ),
    "consultation": Kind(
        "consultation",
        _("Write a consultation note"),
        _(
            "A short note the person reads in their record: why they came, what you found, what was decided."
        ),
        forms.ConsultationForm,
        _category("consultation"),
    ),
}


def kind_of(slug: str) -> Kind | None:
    return KINDS.get(slug) or MEASURE_KINDS.get(slug)


def form_for(kind: str, post=None, *, for_practitioner: bool = False):
    """The empty or posted form of an entry kind (the same for the person and a practitioner)."""
    if kind in forms.MEASURES:
        return forms.MeasurementForm(forms.MEASURES[kind], post, for_practitioner=for_practitioner)
    found = PRO_KINDS.get(kind) if for_practitioner else kind_of(kind)
    return found.form(post, for_practitioner=for_practitioner)


# --- The person's own Patient resource ------------------------------------------------------


def own_patient(actor: Actor, patient_id: int, purpose: str = Purpose.SELF) -> dict:
    """The record's Patient resource, created (empty) the first time something is entered."""
    page = services.search(actor, patient_id, "Patient", purpose, count=1)
    if page.resources:
        return page.resources[0]
    return services.create(actor, patient_id, {"resourceType": "Patient"}, purpose)


def practitioner_author(user) -> Author:
    """The practitioner ``user`` as the author of entries (their directory Practitioner).

    The Practitioner resource is public directory data, shared by every record: found by
    the RPPS number, or added once from the account (name, RPPS, profession).
    """
    name = str(user)
    resource = {
        "resourceType": "Practitioner",
        "identifier": [{"use": "official", "system": RPPS_SYSTEM, "value": user.rpps}],
        "active": True,
        "name": [{"text": name}],
    }
    if user.profession:
        resource["qualification"] = [{"code": {"text": user.profession}}]
    fhir.validate(resource)
    fid, _created = store.upsert_shared(resource)
    return Author(
        actor=Actor.of_user(user),
        purpose=Purpose.TREATMENT,
        reference={"reference": f"Practitioner/{fid}", "display": name},
        profession=user.profession,
    )


def _now() -> str:
    return timezone.now().astimezone(UTC).replace(microsecond=0).isoformat()


def _day(value) -> str:
    return value.isoformat()


def _meta(by: dict | None = None) -> dict:
    if by is not None:
        return {"tag": [dict(ENTERED_BY_PRACTITIONER, display="Entered by a health professional")]}
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


def allergy(cd: dict, concept: dict, subject: dict, by: dict | None = None) -> dict:
    """``by``: the practitioner recording it (None: the person says it themself)."""
    res = {
        "resourceType": "AllergyIntolerance",
        "meta": _meta(by),
        "clinicalStatus": {"coding": [{"system": ALLERGY_CLINICAL, "code": "active"}]},
        "verificationStatus": {"coding": [{"system": ALLERGY_VERIFICATION, "code": "unconfirmed"}]},
        "type": cd["kind"],
        "criticality": "high" if cd.get("serious") else "unable-to-assess",
        "code": concept,
        "patient": subject,
        "recordedDate": _now(),
        "asserter": by or subject,
    }
    if by is not None:
        res["recorder"] = by
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


def vaccination(cd: dict, vaccine: data.Concept, subject: dict, by: dict | None = None) -> dict:
    """``by``: the practitioner who gave it (None: copied by the person from their booklet)."""
    text = _text(cd.get("product") or "") or vaccine.display
    res = {
        "resourceType": "Immunization",
        "meta": _meta(by),
        "status": "completed",
        "vaccineCode": {"coding": [vaccine.coding()], "text": text},
        "patient": subject,
        "occurrenceDateTime": _day(cd["day"]),
        "recorded": _now(),
    }
    if by is not None:
        # Recorded by whoever vaccinated: the primary source.
        res["primarySource"] = True
        res["performer"] = [{"actor": by}]
    else:
        # Copied by the person from their booklet, not recorded by whoever vaccinated them.
        res["primarySource"] = False
        res["reportOrigin"] = {
            "coding": [{"system": IMMUNIZATION_ORIGIN, "code": "record"}],
            "text": "vaccination booklet",
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


def measurement(measure: forms.Measure, cd: dict, subject: dict, by: dict | None = None) -> dict:
    """``by``: the practitioner who measured (None: the person, with their own device)."""
    when = cd["when"].astimezone(UTC).replace(microsecond=0).isoformat()
    res = {
        "resourceType": "Observation",
        "meta": _meta(by),
        "status": "final",
        "category": [{"coding": [{"system": OBS_CATEGORY, "code": measure.category}]}],
        "code": {
            "coding": [{"system": LOINC, "code": measure.loinc, "display": measure.display}],
            "text": str(measure.label),
        },
        "subject": subject,
        "effectiveDateTime": when,
        "performer": [by or subject],
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


def consultation(cd: dict, subject: dict, by: dict) -> dict:
    """A practitioner's short consultation note: a Procedure "consultation" with its note.

    A Procedure is what the record already shows as a visit's act (care category
    *consultations*, the practitioner as performer, the note as "your care team's
    comment"), without a document to open.
    """
    res = {
        "resourceType": "Procedure",
        "meta": _meta(by),
        "status": "completed",
        "category": {"coding": [CONSULTATION]},
        "code": {"coding": [CONSULTATION], "text": _text(cd["reason"])},
        "subject": subject,
        "performedDateTime": _day(cd["day"]),
        "recorder": by,
        "performer": [{"actor": by}],
        "note": [{"text": cd["text"].strip(), "time": _now(), "authorReference": by}],
    }
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


def build(kind: str, form, subject: dict, by: dict | None = None) -> dict:
    """The FHIR resource of one entry; ``by`` is the practitioner writing it, if any."""
    cd = form.cleaned_data
    if by is not None and kind not in PRO_KINDS:
        raise ValueError(f"a practitioner does not add {kind!r} entries")
    if kind == "antecedent":
        return condition(cd, subject)
    if kind == "famille":
        return family(cd, subject)
    if kind == "allergie":
        return allergy(cd, form.concept(), subject, by)
    if kind == "traitement":
        return treatment(cd, form.chosen(), subject)
    if kind == "vaccin":
        return vaccination(cd, form.concept(), subject, by)
    if kind == "directives":
        return directive(cd, subject)
    if kind == "groupe-sanguin":
        return blood_group(cd, subject)
    if kind == "consultation" and by is not None:
        return consultation(cd, subject, by)
    if kind in forms.MEASURES:
        return measurement(forms.MEASURES[kind], cd, subject, by)
    raise ValueError(f"unknown entry kind {kind!r}")


def add(
    actor: Actor,
    patient_id: int,
    kind: str,
    form,
    *,
    author: Author | None = None,
    not_parents: bool = False,
) -> dict:
    """Save one entry from a valid form; raises InvalidResource (nothing saved) or NotFound.

    Without ``author`` the person writes in their own record. A practitioner's ``author``
    writes with purpose *treatment*: ``access`` refuses (NotFound) unless a live write
    grant covers the item's category and level. ``not_parents``: the practitioner records
    the minor's wish that their parents do not see it (``masks.keep_from_parents``), in
    the same transaction, so that the item is never visible to them, even for an instant.
    """
    if not_parents:
        with transaction.atomic():
            saved = add(actor, patient_id, kind, form, author=author)
            masks.keep_from_parents(actor, patient_id, saved["resourceType"], saved["id"])
        return saved
    author = author or Author(actor)
    if kind == "contact":
        if not author.is_person:
            raise NotFound()
        return add_contact(actor, patient_id, form, author.purpose)
    patient = own_patient(actor, patient_id, author.purpose)
    resource = build(kind, form, {"reference": f"Patient/{patient['id']}"}, author.reference)
    if author.is_person:
        return services.create(actor, patient_id, resource, author.purpose)
    saved = services.create(
        actor,
        patient_id,
        resource,
        author.purpose,
        provenance={"profession": author.profession} if author.profession else None,
    )
    # The person is told that something was added, never what (see notify.events).
    notify.notify_patient(patient_id, "record_added", key=f"record-added-{saved['id']}")
    return saved


def writable_kinds(actor: Actor, patient_id: int) -> dict[str, Kind] | None:
    """What ``actor`` may add to the record for care, by slug (decided, not audited).

    None when they may add nothing at all (no live grant, a read-only one, not a
    practitioner); otherwise the ``PRO_KINDS`` the grant's categories and level cover,
    possibly none. ``services.create`` decides again, and audits, when an item is saved.
    """
    if actor.role != "practitioner":
        return None
    decision = access.decide(actor, patient_id, Action.CREATE, Purpose.TREATMENT)
    if not decision.permit or decision.view is None:
        return None
    return {
        slug: kind
        for slug, kind in PRO_KINDS.items()
        if decision.view.allows(access_labels.of_resource(_probe(slug)))
    }


def add_contact(actor: Actor, patient_id: int, form, purpose: str = Purpose.SELF) -> dict:
    """Add an emergency contact to the person's Patient resource (a new version of it)."""
    patient = own_patient(actor, patient_id, purpose)
    updated = {k: v for k, v in patient.items() if k != "meta"}
    contacts = list(updated.get("contact") or [])
    if len(contacts) >= 10:
        raise InvalidResource("too many contacts")
    updated["contact"] = contacts + [contact(form.cleaned_data)]
    return services.update(actor, updated, purpose)


def emergency_contacts(actor: Actor, patient_id: int, purpose: str = Purpose.SELF) -> list[dict]:
    """The emergency contacts of the record, as plain values for a page."""
    page = services.search(actor, patient_id, "Patient", purpose, count=1)
    out = []
    # Names and relations as the emergency view says them (``words.person_of``).
    for c in words.person_of(page.resources[:1])["contacts"]:
        out.append(
            {"name": c["name"], "relation": c["relation"], "phone": next(iter(c["phones"]), "")}
        )
    return out
