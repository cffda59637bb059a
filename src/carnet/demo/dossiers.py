"""The health record of each demo citizen, as one FHIR R4 transaction Bundle.

Dates count back from ``today``: the pregnancy is always at 22 weeks of amenorrhoea, the
last HbA1c always five months old, the watch data always the last six weeks. Medicines
carry their CIS code and name from the Base de données publique des médicaments; vaccines
their ATC code (as in the French vaccination value sets) and the CIS of the product.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from . import personas as p
from .fhirbuild import (
    CONTACT_ROLE,
    DEMO_ORG,
    IDNPS,
    PROFESSION,
    RELATIONSHIP,
    RPPS,
    RecordBuilder,
    at,
    birth_date,
    last_campaign,
    loinc,
    quantity,
    snomed,
)

# --- Vaccines: (ATC code, ATC label in French) and (CIS, product name) ---------------------

DTP = ("J07CA01", "diphtérie-poliomyélite-tétanos")
DTCAP = ("J07CA02", "diphtérie-coqueluche-poliomyélite-tétanos")
PNEUMO = ("J07AL", "vaccins pneumococciques")
HEP_B = ("J07BC01", "hépatite B, antigène purifié")
ROR = ("J07BD52", "rougeole en association aux oreillons et à la rubéole, virus vivants atténués")
FLU = ("J07BB02", "grippe, inactivé, virion fragmenté ou antigènes de surface")
COVID = ("J07BX03", "vaccins contre la COVID-19")
PREGNANCY_DAYS = 22 * 7 + 3  # Léa's pregnancy today: 22 weeks and 3 days of amenorrhoea

REVAXIS = ("60917345", "REVAXIS, suspension injectable en seringue préremplie")
REPEVAX = ("67619892", "REPEVAX, suspension injectable en seringue préremplie")
PREVENAR13 = ("67786749", "PREVENAR 13 suspension injectable")
PNEUMOVAX = ("60614280", "PNEUMOVAX, solution injectable en seringue préremplie")
ENGERIX = ("62279329", "ENGERIX B 20 microgrammes/1 ml, suspension injectable")
PRIORIX = ("61896473", "PRIORIX, poudre et solvant pour solution injectable")
VAXIGRIPTETRA = ("61402736", "VAXIGRIPTETRA, suspension injectable en seringue préremplie")
EFLUELDA = ("67823603", "EFLUELDA, suspension injectable en seringue préremplie")
COMIRNATY = ("65456578", "COMIRNATY 30 microgrammes/dose, dispersion injectable")


# --- Directory data shared by every record -------------------------------------------------


def practitioner_resource(account: p.Account) -> dict:
    org = p.ORGANISATIONS[account.organisation_key]
    name = {"use": "official", "family": account.family, "given": [account.given]}
    if account.prefix:
        name["prefix"] = [account.prefix]
    return {
        "resourceType": "Practitioner",
        "identifier": [
            {
                "use": "official",
                "type": {
                    "coding": [
                        {"system": "http://interopsante.org/CodeSystem/v2-0203", "code": "RPPS"}
                    ]
                },
                "system": RPPS,
                "value": account.rpps,
            },
            {
                "use": "official",
                "type": {
                    "coding": [
                        {"system": "http://interopsante.org/CodeSystem/v2-0203", "code": "IDNPS"}
                    ]
                },
                "system": IDNPS,
                "value": f"8{account.rpps}",
            },
        ],
        "active": True,
        "name": [name],
        "telecom": [
            {"system": "phone", "value": account.phone, "use": "work"},
            {"system": "email", "value": account.email, "use": "work"},
        ],
        "address": [
            {
                "use": "work",
                "text": f"{org['name']}, {org['line']}, 31000 Toulouse",
                "line": [org["line"]],
                "city": "Toulouse",
                "postalCode": "31000",
                "country": "FR",
            }
        ],
        "qualification": [
            {
                "code": {
                    "coding": [{"system": PROFESSION, "code": account.profession_code}],
                    "text": account.profession,
                }
            }
        ],
        "communication": [{"coding": [{"system": "urn:ietf:bcp:47", "code": "fr"}]}],
    }


def organisation_resource(key: str) -> dict:
    org = p.ORGANISATIONS[key]
    return {
        "resourceType": "Organization",
        "identifier": [{"system": DEMO_ORG, "value": key}],
        "active": True,
        "name": org["name"],
        "telecom": [{"system": "phone", "value": org["phone"], "use": "work"}],
        "address": [
            {
                "use": "work",
                "line": [org["line"]],
                "city": "Toulouse",
                "postalCode": "31000",
                "country": "FR",
            }
        ],
    }


def pro(b: RecordBuilder, account: p.Account) -> dict:
    return b.shared(f"Practitioner/{account.key}", practitioner_resource(account))


def org(b: RecordBuilder, key: str) -> dict:
    return b.shared(f"Organization/{key}", organisation_resource(key))


def contact(
    given: str, family: str, relation: tuple[str, str], phone: str, *, next_of_kin: bool = False
) -> dict:
    roles = [
        {"coding": [{"system": CONTACT_ROLE, "code": "C", "display": "Emergency Contact"}]},
        {
            "coding": [{"system": RELATIONSHIP, "code": relation[0]}],
            "text": relation[1],
        },
    ]
    if next_of_kin:
        roles.insert(
            1, {"coding": [{"system": CONTACT_ROLE, "code": "N", "display": "Next-of-Kin"}]}
        )
    return {
        "relationship": roles,
        "name": {"use": "usual", "family": family, "given": [given]},
        "telecom": [{"system": "phone", "value": phone, "use": "mobile"}],
    }


def patient_resource(
    b: RecordBuilder,
    account: p.Account,
    *,
    given: str,
    family: str,
    gender: str,
    birth: str,
    line: str,
    phone: str,
    contacts: list[dict],
    languages: tuple[str, ...] = ("fr",),
    marital: str | None = None,
    postal_code: str = "31300",
) -> dict:
    res = {
        "resourceType": "Patient",
        "active": True,
        "name": [{"use": "official", "family": family, "given": [given]}],
        "telecom": [
            {"system": "phone", "value": phone, "use": "mobile"},
            {"system": "email", "value": account.email, "use": "home"},
        ],
        "gender": gender,
        "birthDate": birth,
        "address": [
            {
                "use": "home",
                "line": [line],
                "city": "Toulouse",
                "postalCode": postal_code,
                "country": "FR",
            }
        ],
        "contact": contacts,
        "communication": [
            {
                "language": {"coding": [{"system": "urn:ietf:bcp:47", "code": lang}]},
                "preferred": n == 0,
            }
            for n, lang in enumerate(languages)
        ],
        "generalPractitioner": [pro(b, p.GP)],
    }
    if marital:
        res["maritalStatus"] = {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus",
                    "code": marital,
                }
            ]
        }
    return b.add(res)


def no_known_allergy(b: RecordBuilder, patient, day: date) -> dict:
    return b.allergy(
        patient,
        snomed("716186003", "No known allergy", "Aucune allergie connue"),
        day,
        recorder=pro(b, p.GP),
    )


# --- Antoine Roussel, the runner -----------------------------------------------------------


def runner(today: date) -> dict:
    b = RecordBuilder(p.RUNNER.key, today)
    rnd = random.Random(1)
    gp, kine = pro(b, p.GP), pro(b, p.PHYSIO)
    birth = birth_date(today, 34, 3, 14)
    patient = patient_resource(
        b,
        p.RUNNER,
        given="Antoine",
        family="Roussel",
        gender="male",
        birth=birth,
        line="27 rue de la Colombette",
        postal_code="31000",
        phone="06 39 98 11 01",
        contacts=[contact("Camille", "Durand", ("DOMPART", "Compagne"), "06 39 98 11 02")],
    )
    born = date.fromisoformat(birth)
    injury = b.days_ago(70)

    # Knee injury on a trail, seen the next day by his médecin traitant.
    visit = b.encounter(
        patient,
        snomed("185347001", "Encounter for problem", "Consultation pour traumatisme du genou"),
        injury + timedelta(days=1),
        practitioner=gp,
        organisation=org(b, "msp"),
        reason="Douleur et gonflement du genou droit après une chute en trail",
    )
    knee = b.condition(
        patient,
        snomed(
            "444470001",
            "Injury of anterior cruciate ligament",
            "Entorse grave du genou droit avec rupture du ligament croisé antérieur",
        ),
        injury,
        recorder=gp,
        note="Torsion du genou en descente lors d'un trail. IRM : rupture du ligament croisé "
        "antérieur, ménisques intacts. Traitement fonctionnel par rééducation, sans chirurgie "
        "pour l'instant.",
    )
    b.procedure(
        patient,
        snomed("74016001", "Knee X-ray", "Radiographie du genou droit"),
        injury + timedelta(days=1),
        performer=gp,
        encounter=visit,
        reason=knee,
        outcome="Pas de fracture, épanchement articulaire.",
    )
    b.medication(
        patient,
        "60234100",
        "DOLIPRANE 1000 mg, comprimé",
        "Doliprane 1000 mg (paracétamol), comprimé",
        injury + timedelta(days=1),
        requester=gp,
        reason=knee,
        dosage="1 comprimé si douleur, jusqu'à 3 fois par jour, en laissant au moins 6 heures "
        "entre deux prises",
        as_needed=True,
        atc=("N02BE01", "paracétamol"),
    )
    b.medication(
        patient,
        "61381943",
        "KETOPROFENE BIOGARAN 2,5 %, gel",
        "Kétoprofène 2,5 % gel",
        injury + timedelta(days=1),
        requester=gp,
        reason=knee,
        dosage="2 applications par jour sur le genou pendant 7 jours, sans exposition au soleil",
        per_day=2,
        dose_unit="application",
        route=snomed("6064005", "Topical route", "voie cutanée"),
        status="completed",
        validity_days=7,
        atc=("M02AA10", "kétoprofène"),
    )
    b.add(
        {
            "resourceType": "ServiceRequest",
            "status": "active",
            "intent": "order",
            "code": snomed("91251008", "Physical therapy procedure", "Rééducation du genou droit"),
            "subject": patient,
            "authoredOn": (injury + timedelta(days=1)).isoformat(),
            "requester": gp,
            "performer": [kine],
            "reasonReference": [knee],
            "quantityQuantity": {"value": 20, "unit": "séances"},
            "note": [
                {
                    "text": "20 séances de kinésithérapie, 2 par semaine. Reprise de la "
                    "course selon l'évolution."
                }
            ],
        }
    )

    # Physiotherapy, twice a week since eight weeks ago; the pain recedes.
    sessions = [
        d
        for week in range(8)
        for d in (b.days_ago(56 - 7 * week), b.days_ago(53 - 7 * week))
        if d < today
    ]
    for n, day in enumerate(sessions, start=1):
        enc = b.encounter(
            patient,
            snomed("390906007", "Follow-up encounter", f"Séance de kinésithérapie n° {n}"),
            day,
            practitioner=kine,
            organisation=org(b, "kine"),
            minutes=45,
            hour=18,
        )
        b.procedure(
            patient,
            snomed(
                "91251008",
                "Physical therapy procedure",
                "Rééducation du genou droit : renforcement du quadriceps, proprioception",
            ),
            at(day, 18),
            performer=kine,
            encounter=enc,
            reason=knee,
            note="Travail sur plateau instable et vélo. Bonne progression."
            if n > 8
            else "Glaçage, mobilisation douce, renforcement isométrique.",
        )
        b.observation(
            patient,
            loinc(
                "72514-3",
                "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
                "Douleur du genou (échelle de 0 à 10)",
            ),
            at(day, 18),
            category="survey",
            value=quantity(max(1, 7 - n // 2), "{score}"),
            performer=kine,
            encounter=enc,
        )
    b.encounter(
        patient,
        snomed("390906007", "Follow-up encounter", "Consultation de suivi du genou"),
        b.days_ago(25),
        practitioner=gp,
        organisation=org(b, "msp"),
        reason="Contrôle : genou stable, reprise progressive de la course autorisée",
    )

    # His cardio watch: steps and resting heart rate every day, heart rate on each run.
    watch = b.add(
        {
            "resourceType": "Device",
            "status": "active",
            "deviceName": [{"name": "Montre cardio GPS", "type": "user-friendly-name"}],
            "type": {"text": "Montre connectée avec cardiofréquencemètre"},
            "patient": patient,
            "note": [{"text": "Données synchronisées depuis l'application de la montre."}],
        }
    )
    runs = {b.days_ago(d): 20 + 3 * i for i, d in enumerate((20, 17, 14, 11, 8, 5, 2))}
    for days in range(42, 0, -1):
        day = b.days_ago(days)
        progress = (42 - days) / 42
        steps = int(4500 + 5000 * progress + rnd.randint(-900, 900))
        if day in runs:
            steps += 4200 + 130 * runs[day]
        b.observation(
            patient,
            loinc("41950-7", "Number of steps in 24 hour Measured", "Nombre de pas sur 24 heures"),
            at(day, 23, 30),
            category="activity",
            value=quantity(steps, "pas", "/d"),
            device=watch,
        )
        b.observation(
            patient,
            loinc("40443-4", "Heart rate --resting", "Fréquence cardiaque au repos"),
            at(day, 7),
            category="vital-signs",
            value=quantity(round(61 - 6 * progress + rnd.uniform(-1.5, 1.5)), "bpm", "/min"),
            device=watch,
        )
    for day, minutes in runs.items():
        km = round(minutes / 6.1, 1)
        b.observation(
            patient,
            loinc("8867-4", "Heart rate", "Fréquence cardiaque moyenne pendant la course"),
            at(day, 19),
            category="activity",
            value=quantity(round(150 - minutes / 8 + rnd.uniform(-2, 2)), "bpm", "/min"),
            device=watch,
            period_minutes=minutes,
            note=f"Footing de {minutes} min, {str(km).replace('.', ',')} km, terrain plat.",
        )

    # History: vaccinations from the paper carnet de santé, blood group, allergies.
    for dose, months in ((1, 12), (2, 18)):
        b.immunization(
            patient,
            ROR,
            None,
            "Rougeole-oreillons-rubéole (ROR)",
            born + timedelta(days=30 * months),
            dose=dose,
            primary_source=False,
            note="Recopié du carnet de santé papier.",
        )
    for dose, months in ((1, 0), (2, 1), (3, 6)):
        b.immunization(
            patient,
            HEP_B,
            ENGERIX,
            "Hépatite B",
            born + timedelta(days=365 * 11 + 30 * months),
            dose=dose,
            primary_source=False,
            note="Vaccination au collège. Recopié du carnet de santé papier.",
        )
    b.immunization(
        patient,
        DTCAP,
        REPEVAX,
        "Rappel diphtérie-tétanos-coqueluche-polio (dTcaP) de 25 ans",
        born + timedelta(days=365 * 25 + 40),
        performer=gp,
        lot="X3B441V",
    )
    b.immunization(
        patient, COVID, COMIRNATY, "COVID-19", b.days_ago(3 * 365 + 20), lot="GH7612", dose=3
    )
    no_known_allergy(b, patient, injury + timedelta(days=1))
    b.blood_group(patient, born + timedelta(days=365 * 22), "O positif (O Rh+)")
    return b.bundle()


# --- Léa Fontaine, pregnant ----------------------------------------------------------------


def pregnant(today: date) -> dict:
    b = RecordBuilder(p.PREGNANT.key, today)
    gp, sf = pro(b, p.GP), pro(b, p.MIDWIFE)
    birth = birth_date(today, 31, 7, 9)
    patient = patient_resource(
        b,
        p.PREGNANT,
        given="Léa",
        family="Fontaine",
        gender="female",
        birth=birth,
        line="5 rue des Amidonniers",
        postal_code="31000",
        phone="06 39 98 22 01",
        contacts=[contact("Maxime", "Bérard", ("DOMPART", "Conjoint"), "06 39 98 22 02")],
    )
    born = date.fromisoformat(birth)
    lmp = b.days_ago(PREGNANCY_DAYS)

    def sa(weeks: int, days: int = 0) -> date:
        return lmp + timedelta(days=7 * weeks + days)

    due = lmp + timedelta(days=280)
    pregnancy = b.condition(
        patient,
        snomed("72892002", "Normal pregnancy", "Grossesse unique en cours"),
        lmp + timedelta(days=14),
        recorder=sf,
        note=f"Début de grossesse estimé le {(lmp + timedelta(days=14)).strftime('%d/%m/%Y')}, "
        f"terme prévu le {due.strftime('%d/%m/%Y')}. Premier enfant.",
    )
    b.medication(
        patient,
        "64732689",
        "SPECIAFOLDINE 0,4 mg, comprimé",
        "Acide folique 0,4 mg (Spéciafoldine)",
        lmp - timedelta(days=60),
        requester=gp,
        dosage="1 comprimé par jour, à commencer avant la conception et jusqu'à 12 semaines "
        "d'aménorrhée",
        per_day=1,
        status="completed",
        validity_days=60 + 12 * 7,
        atc=("B03BB01", "acide folique"),
    )

    # Prenatal visits with the midwife.
    visits = {
        10: ("424441002", "Prenatal initial visit", "Première consultation prénatale", 62.0),
        16: ("424619006", "Prenatal visit", "Consultation prénatale du 4e mois", 63.5),
        20: ("424619006", "Prenatal visit", "Consultation prénatale du 5e mois", 65.0),
    }
    fetal_heart = {16: 150, 20: 145}
    for weeks, (code, display, text, kg) in visits.items():
        day = sa(weeks, 1)
        enc = b.encounter(
            patient,
            snomed(code, display, text),
            day,
            practitioner=sf,
            organisation=org(b, "sage-femme"),
            reason="Suivi de grossesse",
            minutes=40,
        )
        b.observation(
            patient,
            loinc("18185-9", "Gestational age", "Âge gestationnel (semaines d'aménorrhée)"),
            day,
            category="exam",
            value=quantity(weeks, "semaines", "wk"),
            performer=sf,
            encounter=enc,
        )
        b.weight(patient, day, kg, performer=sf, encounter=enc)
        b.blood_pressure(
            patient, day, 112 + weeks // 5, 68 + weeks // 8, performer=sf, encounter=enc
        )
        if weeks in fetal_heart:
            b.observation(
                patient,
                loinc("55283-6", "Fetal Heart rate", "Rythme cardiaque fœtal"),
                day,
                category="exam",
                value=quantity(fetal_heart[weeks], "bpm", "/min"),
                performer=sf,
                encounter=enc,
            )
            b.observation(
                patient,
                loinc("11881-0", "Uterus Fundal height Tape measure", "Hauteur utérine"),
                day,
                category="exam",
                value=quantity(weeks, "cm"),
                performer=sf,
                encounter=enc,
            )
        if weeks == 10:
            b.observation(
                patient,
                loinc("8665-2", "Last menstrual period start date", "Date des dernières règles"),
                day,
                category="exam",
                value=lmp.isoformat(),
                performer=sf,
                encounter=enc,
            )
            b.observation(
                patient,
                loinc("11778-8", "Delivery date Estimated", "Date prévue d'accouchement"),
                day,
                category="exam",
                value=due.isoformat(),
                performer=sf,
                encounter=enc,
                note="Déclaration de grossesse faite à la CPAM et à la CAF.",
            )

    # Blood tests: first-trimester check-up, then toxoplasmosis every month.
    lab_day = sa(9, 2)
    labo = org(b, "labo")
    b.blood_group(patient, lab_day, "A positif (A Rh+), phénotype Rh-Kell déterminé")
    b.observation(
        patient,
        loinc(
            "890-4",
            "Blood group antibody screen [Presence] in Serum or Plasma",
            "Recherche d'agglutinines irrégulières (RAI)",
        ),
        lab_day,
        value={"text": "Négative"},
    )
    b.observation(
        patient,
        loinc(
            "5334-8",
            "Rubella virus IgG Ab [Units/volume] in Serum or Plasma by Immunoassay",
            "Sérologie rubéole (IgG)",
        ),
        lab_day,
        value=quantity(48, "UI/mL", "[iU]/mL"),
        interpretation="Immunisée",
    )
    b.observation(
        patient,
        loinc("1558-6", "Fasting glucose [Mass/volume] in Serum or Plasma", "Glycémie à jeun"),
        lab_day,
        value=quantity(0.82, "g/L"),
        reference_range=(0.7, 0.92, "g/L"),
    )
    b.observation(
        patient,
        loinc("718-7", "Hemoglobin [Mass/volume] in Blood", "Hémoglobine"),
        lab_day,
        value=quantity(12.8, "g/dL"),
        reference_range=(11.5, 15.5, "g/dL"),
    )
    for weeks in (9, 13, 17, 21):
        b.observation(
            patient,
            loinc(
                "8039-0",
                "Toxoplasma gondii IgG Ab [Units/volume] in Serum",
                "Sérologie toxoplasmose (IgG)",
            ),
            sa(weeks, 2),
            value=quantity(1, "UI/mL", "[iU]/mL"),
            interpretation="Négative : non immunisée, contrôle mensuel",
        )
    hb = b.observation(
        patient,
        loinc("718-7", "Hemoglobin [Mass/volume] in Blood", "Hémoglobine"),
        sa(20),
        value=quantity(11.1, "g/dL"),
        reference_range=(11.0, 15.0, "g/dL"),
    )
    ferritin = b.observation(
        patient,
        loinc("2276-4", "Ferritin [Mass/volume] in Serum or Plasma", "Ferritine"),
        sa(20),
        value=quantity(14, "µg/L", "ug/L"),
        reference_range=(15, 150, "µg/L"),
        interpretation="Basse : carence en fer",
    )
    b.report(
        patient,
        loinc("24360-0", "Hemoglobin and Hematocrit panel - Blood", "Bilan martial du 5e mois"),
        sa(20),
        service="LAB",
        results=[hb, ferritin],
        performer=labo,
        conclusion="Carence en fer débutante. Supplémentation prescrite.",
    )
    b.medication(
        patient,
        "68269288",
        "TARDYFERON 80 mg, comprimé pelliculé",
        "Fer 80 mg (Tardyféron)",
        sa(20, 1),
        requester=sf,
        dosage="1 comprimé par jour, de préférence à jeun, avec un verre d'eau",
        per_day=1,
        validity_days=90,
        atc=("B03AA07", "sulfate ferreux"),
    )

    # Ultrasound scans.
    b.procedure(
        patient,
        snomed(
            "169230002", "Ultrasound scan for fetal viability", "Échographie du premier trimestre"
        ),
        sa(12, 3),
        performer=sf,
        reason=pregnancy,
    )
    b.report(
        patient,
        loinc("11525-3", "US Pelvis Fetal for pregnancy", "Échographie de datation (12 SA)"),
        sa(12, 3),
        service="RAD",
        results=[],
        performer=sf,
        conclusion="Grossesse unique évolutive. Longueur cranio-caudale 58 mm, clarté nucale "
        "1,4 mm. Terme confirmé.",
    )
    b.procedure(
        patient,
        snomed("271442007", "Fetal anatomy study", "Échographie morphologique du 2e trimestre"),
        sa(22),
        performer=sf,
        reason=pregnancy,
        outcome="Morphologie normale",
    )
    b.report(
        patient,
        loinc("11525-3", "US Pelvis Fetal for pregnancy", "Échographie morphologique (22 SA)"),
        sa(22),
        service="RAD",
        results=[],
        performer=sf,
        conclusion="Morphologie fœtale sans anomalie visible. Biométries au 45e percentile. "
        "Placenta antérieur, non bas inséré. Liquide amniotique normal.",
    )

    # Vaccinations, allergy.
    b.immunization(
        patient,
        DTCAP,
        REPEVAX,
        "Coqueluche pendant la grossesse (dTcaP), recommandée dès 20 SA",
        sa(21, 1),
        performer=sf,
        lot="Y2C118A",
    )
    campaign = last_campaign(today)
    if campaign > lmp:
        b.immunization(
            patient,
            FLU,
            VAXIGRIPTETRA,
            "Grippe saisonnière (femme enceinte)",
            campaign,
            performer=sf,
            lot="W8K302",
        )
    for dose, months in ((1, 12), (2, 18)):
        b.immunization(
            patient,
            ROR,
            None,
            "Rougeole-oreillons-rubéole (ROR)",
            born + timedelta(days=30 * months),
            dose=dose,
            primary_source=False,
            note="Recopié du carnet de santé papier.",
        )
    b.immunization(
        patient, COVID, COMIRNATY, "COVID-19", b.days_ago(3 * 365 + 45), lot="FL3209", dose=3
    )
    b.allergy(
        patient,
        snomed("419474003", "Allergy to mould", "Allergie aux moisissures"),
        b.days_ago(6 * 365),
        category="environment",
        reaction=("267101005", "Nasal discharge", "Rhinite, écoulement nasal"),
        recorder=gp,
    )
    return b.bundle()


# --- Karim Haddad, type 2 diabetes ---------------------------------------------------------


def diabetic(today: date) -> dict:
    b = RecordBuilder(p.DIABETIC.key, today)
    gp, endo, ophtalmo = pro(b, p.GP), pro(b, p.ENDOCRINOLOGIST), pro(b, p.OPHTHALMOLOGIST)
    birth = birth_date(today, 59, 11, 3)
    patient = patient_resource(
        b,
        p.DIABETIC,
        given="Karim",
        family="Haddad",
        gender="male",
        birth=birth,
        line="14 rue Réclusane",
        phone="06 39 98 33 01",
        contacts=[contact("Samira", "Haddad", ("WIFE", "Épouse"), "06 39 98 33 02")],
        languages=("fr", "ar"),
        marital="M",
    )

    def months_ago(m: int) -> date:
        return b.days_ago(round(30.44 * m))

    diabetes = b.condition(
        patient,
        snomed("44054006", "Diabetes mellitus type 2", "Diabète de type 2"),
        b.days_ago(6 * 365),
        recorder=gp,
        note="Découvert sur une glycémie à jeun à 1,48 g/L lors d'un bilan de routine.",
    )
    lipids = b.condition(
        patient,
        snomed("55822004", "Hyperlipidemia", "Excès de cholestérol (hypercholestérolémie)"),
        b.days_ago(4 * 365),
        recorder=gp,
    )

    series = [
        (23, 8.1, 1.62, 96, (142, 88)),
        (20, 7.8, 1.55, 95, (140, 86)),
        (17, 7.6, 1.48, 94, (138, 85)),
        (14, 7.3, 1.40, 93, (136, 84)),
        (11, 7.4, 1.42, 93, (135, 84)),
        (8, 7.0, 1.31, 92, (133, 82)),
        (5, 6.9, 1.28, 91, (132, 82)),
    ]
    for months, hba1c, glucose, kg, (sys, dia) in series:
        lab = months_ago(months)
        b.observation(
            patient,
            loinc(
                "4548-4",
                "Hemoglobin A1c/Hemoglobin.total in Blood",
                "Hémoglobine glyquée (HbA1c)",
            ),
            lab,
            value=quantity(hba1c, "%"),
            reference_range=(4.0, 6.0, "%"),
            interpretation="Objectif personnel : inférieure à 7 %",
        )
        b.observation(
            patient,
            loinc("1558-6", "Fasting glucose [Mass/volume] in Serum or Plasma", "Glycémie à jeun"),
            lab,
            value=quantity(glucose, "g/L"),
            reference_range=(0.7, 1.1, "g/L"),
        )
        consult = lab + timedelta(days=7)
        specialist = months in (17, 5)
        enc = b.encounter(
            patient,
            snomed(
                "390906007",
                "Follow-up encounter",
                "Consultation de diabétologie" if specialist else "Suivi du diabète",
            ),
            consult,
            practitioner=endo if specialist else gp,
            organisation=org(b, "endocrino" if specialist else "msp"),
            reason="Suivi du diabète de type 2",
        )
        b.weight(patient, consult, kg, encounter=enc)
        b.observation(
            patient,
            loinc("39156-5", "Body mass index (BMI) [Ratio]", "Indice de masse corporelle"),
            consult,
            category="vital-signs",
            value=quantity(round(kg / 1.76**2, 1), "kg/m2", "kg/m2"),
            encounter=enc,
        )
        b.blood_pressure(patient, consult, sys, dia, encounter=enc)
    last_lab = months_ago(5)
    b.observation(
        patient,
        loinc(
            "18262-6",
            "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay",
            "Cholestérol LDL",
        ),
        last_lab,
        value=quantity(1.05, "g/L"),
        reference_range=(0.0, 1.0, "g/L"),
    )
    b.observation(
        patient,
        loinc(
            "33914-3",
            "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma "
            "or Blood by Creatinine-based formula (MDRD)",
            "Débit de filtration glomérulaire estimé",
        ),
        last_lab,
        value=quantity(88, "mL/min/1,73 m²", "mL/min/{1.73_m2}"),
    )
    b.procedure(
        patient,
        snomed(
            "53524009",
            "Ophthalmoscopy",
            "Fond d'œil (rétinographie) : dépistage de la rétinopathie diabétique",
        ),
        months_ago(10),
        performer=ophtalmo,
        reason=diabetes,
        outcome="Pas de rétinopathie diabétique. Contrôle dans un an.",
    )
    b.medication(
        patient,
        "67346461",
        "METFORMINE BIOGARAN 1000 mg, comprimé pelliculé",
        "Metformine 1000 mg",
        months_ago(2),
        requester=gp,
        reason=diabetes,
        dosage="1 comprimé matin et soir, au milieu du repas",
        per_day=2,
        validity_days=90,
        repeats=2,
        atc=("A10BA02", "metformine"),
    )
    b.medication(
        patient,
        "68212077",
        "ATORVASTATINE BIOGARAN 20 mg, comprimé pelliculé",
        "Atorvastatine 20 mg",
        months_ago(2),
        requester=gp,
        reason=lipids,
        dosage="1 comprimé le soir",
        per_day=1,
        validity_days=90,
        repeats=2,
        atc=("C10AA05", "atorvastatine"),
    )
    for years in (1, 0):
        day = last_campaign(today, years)
        b.immunization(
            patient, FLU, VAXIGRIPTETRA, "Grippe saisonnière", day, performer=gp, lot=f"V{years}41K"
        )
        b.immunization(patient, COVID, COMIRNATY, "COVID-19 (rappel d'automne)", day, lot="HK093")
    b.immunization(
        patient,
        PNEUMO,
        PREVENAR13,
        "Pneumocoque (patient diabétique)",
        b.days_ago(3 * 365),
        performer=gp,
        lot="AP5521",
    )
    b.immunization(
        patient,
        DTP,
        REVAXIS,
        "Rappel diphtérie-tétanos-polio de 45 ans",
        b.days_ago(14 * 365),
        performer=gp,
        lot="T0916",
    )
    no_known_allergy(b, patient, b.days_ago(6 * 365))
    b.blood_group(patient, b.days_ago(20 * 365), "B positif (B Rh+)")
    return b.bundle()


# --- Sophie Esquirol, who helps her father -------------------------------------------------


def daughter(today: date) -> dict:
    b = RecordBuilder(p.DAUGHTER.key, today)
    gp = pro(b, p.GP)
    birth = birth_date(today, 54, 1, 21)
    patient = patient_resource(
        b,
        p.DAUGHTER,
        given="Sophie",
        family="Esquirol",
        gender="female",
        birth=birth,
        line="9 rue du Pont-Vieux",
        phone="06 39 98 44 01",
        contacts=[contact("Pierre", "Esquirol", ("HUSB", "Mari"), "06 39 98 44 02")],
        marital="M",
    )
    thyroid = b.condition(
        patient,
        snomed("40930008", "Hypothyroidism", "Hypothyroïdie (thyroïdite de Hashimoto)"),
        b.days_ago(8 * 365),
        recorder=gp,
    )
    visit = b.encounter(
        patient,
        snomed("390906007", "Follow-up encounter", "Consultation de suivi"),
        b.days_ago(95),
        practitioner=gp,
        organisation=org(b, "msp"),
        reason="Renouvellement du traitement thyroïdien ; fatigue liée à l'aide apportée à son père",
    )
    b.observation(
        patient,
        loinc("3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", "TSH (thyréostimuline)"),
        b.days_ago(100),
        value=quantity(2.1, "mUI/L", "m[iU]/L"),
        reference_range=(0.4, 4.0, "mUI/L"),
    )
    b.blood_pressure(patient, b.days_ago(95), 124, 76, encounter=visit)
    b.weight(patient, b.days_ago(95), 61.5, encounter=visit)
    b.medication(
        patient,
        "65143010",
        "LEVOTHYROX 50 microgrammes, comprimé sécable",
        "Lévothyroxine 50 µg (Levothyrox)",
        b.days_ago(95),
        requester=gp,
        reason=thyroid,
        dosage="1 comprimé le matin à jeun, 30 minutes avant le petit-déjeuner",
        per_day=1,
        validity_days=90,
        repeats=3,
        atc=("H03AA01", "lévothyroxine sodique"),
    )
    b.allergy(
        patient,
        snomed("300913006", "Shellfish allergy", "Allergie aux crustacés"),
        b.days_ago(20 * 365),
        category="food",
        criticality="high",
        reaction=("126485001", "Urticaria", "Urticaire et gonflement des lèvres"),
        recorder=gp,
    )
    b.immunization(
        patient,
        DTCAP,
        REPEVAX,
        "Rappel diphtérie-tétanos-coqueluche-polio de 45 ans",
        b.days_ago(9 * 365),
        performer=gp,
        lot="R4D207",
    )
    campaign = last_campaign(today)
    b.immunization(
        patient,
        FLU,
        VAXIGRIPTETRA,
        "Grippe saisonnière (aidante d'une personne âgée)",
        campaign,
        performer=gp,
        lot="W8K302",
    )
    b.immunization(patient, COVID, COMIRNATY, "COVID-19", b.days_ago(3 * 365 + 70), lot="FK1120")
    b.blood_group(patient, b.days_ago(30 * 365), "A négatif (A Rh−)")
    return b.bundle()


# --- Henri Marty, her father ---------------------------------------------------------------


def father(today: date) -> dict:
    b = RecordBuilder(p.FATHER.key, today)
    gp, cardio = pro(b, p.GP), pro(b, p.CARDIOLOGIST)
    birth = birth_date(today, 84, 6, 2)
    patient = patient_resource(
        b,
        p.FATHER,
        given="Henri",
        family="Marty",
        gender="male",
        birth=birth,
        line="31 rue de la République",
        phone="06 39 98 55 01",
        contacts=[
            contact("Sophie", "Esquirol", ("DAU", "Fille"), "06 39 98 44 01", next_of_kin=True)
        ],
        marital="W",
    )
    hypertension = b.condition(
        patient,
        snomed("59621000", "Essential hypertension", "Hypertension artérielle"),
        b.days_ago(22 * 365),
        recorder=gp,
    )
    af = b.condition(
        patient,
        snomed("49436004", "Atrial fibrillation", "Fibrillation atriale (trouble du rythme)"),
        b.days_ago(4 * 365),
        recorder=cardio,
        note="Fibrillation atriale permanente, découverte devant des palpitations. "
        "Anticoagulation au long cours.",
    )
    lipids = b.condition(
        patient,
        snomed("55822004", "Hyperlipidemia", "Excès de cholestérol (hypercholestérolémie)"),
        b.days_ago(15 * 365),
        recorder=gp,
    )
    arthrosis = b.condition(
        patient,
        snomed("239873007", "Osteoarthritis of knee", "Arthrose du genou gauche"),
        b.days_ago(10 * 365),
        recorder=gp,
    )

    # Cardiology follow-up, then his médecin traitant.
    cardio_day = b.days_ago(90)
    enc = b.encounter(
        patient,
        snomed("390906007", "Follow-up encounter", "Consultation de cardiologie"),
        cardio_day,
        practitioner=cardio,
        organisation=org(b, "cardio"),
        reason="Suivi annuel de la fibrillation atriale",
        minutes=40,
    )
    b.procedure(
        patient,
        snomed("29303009", "Electrocardiographic procedure", "Électrocardiogramme (ECG)"),
        cardio_day,
        performer=cardio,
        encounter=enc,
        reason=af,
        outcome="Fibrillation atriale à 72/min, pas de trouble de conduction.",
    )
    b.blood_pressure(patient, cardio_day, 138, 78, performer=cardio, encounter=enc)
    b.observation(
        patient,
        loinc("8867-4", "Heart rate", "Fréquence cardiaque"),
        cardio_day,
        category="vital-signs",
        value=quantity(72, "bpm", "/min"),
        performer=cardio,
        encounter=enc,
    )
    gp_day = b.days_ago(40)
    gp_visit = b.encounter(
        patient,
        snomed("390906007", "Follow-up encounter", "Visite à domicile du médecin traitant"),
        gp_day,
        practitioner=gp,
        organisation=org(b, "msp"),
        reason="Renouvellement des traitements, en présence de sa fille",
        klass="HH",
    )
    b.blood_pressure(patient, gp_day, 134, 76, performer=gp, encounter=gp_visit)
    b.weight(patient, gp_day, 63.0, performer=gp, encounter=gp_visit)
    lab_day = b.days_ago(45)
    b.observation(
        patient,
        loinc("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "Créatinine"),
        lab_day,
        value=quantity(11.8, "mg/L"),
        reference_range=(7.0, 12.0, "mg/L"),
    )
    b.observation(
        patient,
        loinc(
            "33914-3",
            "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma "
            "or Blood by Creatinine-based formula (MDRD)",
            "Débit de filtration glomérulaire estimé",
        ),
        lab_day,
        value=quantity(52, "mL/min/1,73 m²", "mL/min/{1.73_m2}"),
        interpretation="Insuffisance rénale modérée : adapter les doses",
    )

    meds: list[tuple] = [
        (
            "69340279",
            "ELIQUIS 2,5 mg, comprimé pelliculé",
            "Apixaban 2,5 mg (Eliquis)",
            cardio_day,
            cardio,
            af,
            "1 comprimé matin et soir, à heure fixe",
            2,
            ("B01AF02", "apixaban"),
        ),
        (
            "67728468",
            "BISOPROLOL ACCORD HEALTHCARE 2,5 mg, comprimé pelliculé sécable",
            "Bisoprolol 2,5 mg",
            cardio_day,
            cardio,
            af,
            "1 comprimé le matin",
            1,
            ("C07AB07", "bisoprolol"),
        ),
        (
            "61599041",
            "RAMIPRIL BIOGARAN 5 mg, comprimé sécable",
            "Ramipril 5 mg",
            gp_day,
            gp,
            hypertension,
            "1 comprimé le matin",
            1,
            ("C09AA05", "ramipril"),
        ),
        (
            "68212077",
            "ATORVASTATINE BIOGARAN 20 mg, comprimé pelliculé",
            "Atorvastatine 20 mg",
            gp_day,
            gp,
            lipids,
            "1 comprimé le soir",
            1,
            ("C10AA05", "atorvastatine"),
        ),
    ]
    for cis, name, text, day, who, reason, dosage, per_day, atc in meds:
        b.medication(
            patient,
            cis,
            text=text,
            name=name,
            authored=day,
            requester=who,
            reason=reason,
            dosage=dosage,
            per_day=per_day,
            validity_days=90,
            repeats=2,
            atc=atc,
        )
    b.medication(
        patient,
        "69767594",
        "PARACETAMOL ARROW 1 g, comprimé",
        "Paracétamol 1 g",
        gp_day,
        requester=gp,
        reason=arthrosis,
        dosage="1 comprimé si douleur, 3 fois par jour au maximum",
        as_needed=True,
        validity_days=90,
        repeats=2,
        atc=("N02BE01", "paracétamol"),
    )

    b.allergy(
        patient,
        snomed("91936005", "Allergy to penicillin", "Allergie à la pénicilline"),
        b.days_ago(40 * 365),
        category="medication",
        criticality="high",
        reaction=("126485001", "Urticaria", "Urticaire généralisée"),
        recorder=gp,
    )
    b.allergy(
        patient,
        snomed("303300008", "Egg protein", "Allergie aux protéines de l'œuf (légère)"),
        b.days_ago(60 * 365),
        category="food",
        recorder=gp,
        note="Vaccin antigrippal toléré sans réaction.",
    )

    for years in (1, 0):
        day = last_campaign(today, years)
        b.immunization(
            patient,
            FLU,
            EFLUELDA,
            "Grippe saisonnière (vaccin haute dose, 65 ans et plus)",
            day,
            performer=gp,
            lot=f"E{years}72Q",
        )
        b.immunization(
            patient, COVID, COMIRNATY, "COVID-19 (rappel d'automne)", day, performer=gp, lot="HK093"
        )
    pneumo = b.days_ago(3 * 365)
    b.immunization(
        patient,
        PNEUMO,
        PREVENAR13,
        "Pneumocoque (vaccin conjugué)",
        pneumo,
        performer=gp,
        dose=1,
        lot="AP5520",
    )
    b.immunization(
        patient,
        PNEUMO,
        PNEUMOVAX,
        "Pneumocoque (vaccin polyosidique, 8 semaines après)",
        pneumo + timedelta(weeks=8),
        performer=gp,
        dose=2,
        lot="PV2210",
    )
    b.immunization(
        patient,
        DTP,
        REVAXIS,
        "Rappel tétanos-diphtérie-polio de 75 ans (prochain à 85 ans)",
        b.days_ago(9 * 365),
        performer=gp,
        lot="T0388",
    )
    b.blood_group(patient, b.days_ago(12 * 365), "O positif (O Rh+)")
    return b.bundle()


RECORDS: dict[str, Callable[[date], dict]] = {
    p.RUNNER.key: runner,
    p.PREGNANT.key: pregnant,
    p.DIABETIC.key: diabetic,
    p.DAUGHTER.key: daughter,
    p.FATHER.key: father,
}


def bundle_for(key: str, today: date) -> dict:
    return RECORDS[key](today)
