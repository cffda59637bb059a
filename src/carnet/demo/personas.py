# ruff: noqa: S106 - demo passwords, published on purpose in ACCOUNTS.md
"""The demo people, drawn from the personas of the Toulouse citizens' workshop (2019).

The workshop worked on four personas: "le sportif" (a runner whose race data — heart rate —
should reach every doctor following his rehabilitation), "la femme enceinte" (all her
prenatal examinations in one place), "le diabétique" (reminders for his daily medicines)
and "le parent aidant" (a daughter who helps her father and talks with his doctor). Here
they are people with accounts, their médecin traitant and specialists, and a help point.

Every name is invented. RPPS numbers are 11 digits with a valid Luhn key, in a range
(10999990…) that the national register does not use. Telephone numbers are in the ranges
ARCEP reserves for fiction (05 36 49…, 06 39 98…). E-mail addresses use demo.carnet.fr.
Passwords are published in ACCOUNTS.md: these accounts are for demonstration only.
"""

from __future__ import annotations

from dataclasses import dataclass

DOMAIN = "demo.carnet.fr"


@dataclass(frozen=True)
class Account:
    key: str
    email: str
    password: str
    role: str
    display_name: str
    who: str  # one line for ACCOUNTS.md, in French
    rpps: str = ""
    profession: str = ""
    organisation: str = ""
    # Directory data for practitioners: (given, family, prefix), G15 profession code, phone.
    given: str = ""
    family: str = ""
    prefix: str = ""
    profession_code: str = ""
    phone: str = ""
    organisation_key: str = ""
    tries: str = ""  # what a visitor can try with this account (ACCOUNTS.md, README)


# --- Places --------------------------------------------------------------------------------

ORGANISATIONS = {
    "msp": {
        "name": "Maison de santé pluriprofessionnelle Saint-Cyprien",
        "phone": "05 36 49 10 00",
        "line": "12 allées Charles-de-Fitte",
    },
    "cardio": {
        "name": "Cabinet de cardiologie des Minimes",
        "phone": "05 36 49 20 00",
        "line": "40 avenue des Minimes",
    },
    "sage-femme": {
        "name": "Cabinet de sages-femmes des Amidonniers",
        "phone": "05 36 49 30 00",
        "line": "8 rue des Amidonniers",
    },
    "kine": {
        "name": "Cabinet de kinésithérapie du Busca",
        "phone": "05 36 49 40 00",
        "line": "21 boulevard des Récollets",
    },
    "endocrino": {
        "name": "Cabinet d'endocrinologie-diabétologie de Rangueil",
        "phone": "05 36 49 50 00",
        "line": "3 avenue de Rangueil",
    },
    "ophtalmo": {
        "name": "Centre d'ophtalmologie Jolimont",
        "phone": "05 36 49 60 00",
        "line": "15 avenue de Lyon",
    },
    "labo": {
        "name": "Laboratoire de biologie médicale Garonne",
        "phone": "05 36 49 70 00",
        "line": "2 place Intérieure Saint-Cyprien",
    },
}

# --- Health professionals ------------------------------------------------------------------

GP = Account(
    key="gp",
    email=f"claire.garonne@{DOMAIN}",
    password="Stetho-Tilleul-Horizon-84",
    role="practitioner",
    display_name="Dr Claire Garonne",
    who="médecin généraliste, médecin traitant de tous les patients de démonstration",
    tries=(
        "her workspace: her patients, Sophie's unread message, Karim's metformin renewal, two"
        " appointments coming; she is on call for the urgent chat"
    ),
    rpps="10999990012",
    profession="Médecin généraliste",
    organisation=ORGANISATIONS["msp"]["name"],
    given="Claire",
    family="Garonne",
    prefix="Dr",
    profession_code="10",
    phone="05 36 49 10 01",
    organisation_key="msp",
)
CARDIOLOGIST = Account(
    key="cardiologist",
    email=f"marc.capitole@{DOMAIN}",
    password="Rythme-Sinus-Ecluse-36",
    role="practitioner",
    display_name="Dr Marc Capitole",
    who="cardiologue, suit Henri Marty",
    tries=(
        "Henri's record, shared with him for a year (problems, treatments, results, measurements)"
    ),
    rpps="10999990020",
    profession="Cardiologue",
    organisation=ORGANISATIONS["cardio"]["name"],
    given="Marc",
    family="Capitole",
    prefix="Dr",
    profession_code="10",
    phone="05 36 49 20 01",
    organisation_key="cardio",
)
MIDWIFE = Account(
    key="midwife",
    email=f"ines.brienne@{DOMAIN}",
    password="Luna-Bercail-Pervenche-22",
    role="practitioner",
    display_name="Inès Brienne",
    who="sage-femme, suit la grossesse de Léa Fontaine",
    tries="Léa's prenatal record and her own opening hours",
    rpps="10999990038",
    profession="Sage-femme",
    organisation=ORGANISATIONS["sage-femme"]["name"],
    given="Inès",
    family="Brienne",
    prefix="",
    profession_code="50",
    phone="05 36 49 30 01",
    organisation_key="sage-femme",
)
PHYSIO = Account(
    key="physio",
    email=f"julien.carmes@{DOMAIN}",
    password="Genouillere-Torrent-Bleu-75",
    role="practitioner",
    display_name="Julien Carmes",
    who="masseur-kinésithérapeute, rééducation du genou d'Antoine Roussel",
    tries="Antoine's knee rehabilitation and his watch's heart rate",
    rpps="10999990046",
    profession="Masseur-kinésithérapeute",
    organisation=ORGANISATIONS["kine"]["name"],
    given="Julien",
    family="Carmes",
    prefix="",
    profession_code="70",
    phone="05 36 49 40 01",
    organisation_key="kine",
)
ENDOCRINOLOGIST = Account(
    key="endocrinologist",
    email=f"nadia.bazacle@{DOMAIN}",
    password="Insuline-Glycine-Pont-48",
    role="practitioner",
    display_name="Dr Nadia Bazacle",
    who="endocrinologue-diabétologue, suit Karim Haddad",
    tries="Karim's HbA1c series and treatments; write to Dr Garonne within his care team",
    rpps="10999990053",
    profession="Endocrinologue-diabétologue",
    organisation=ORGANISATIONS["endocrino"]["name"],
    given="Nadia",
    family="Bazacle",
    prefix="Dr",
    profession_code="10",
    phone="05 36 49 50 01",
    organisation_key="endocrino",
)
OPHTHALMOLOGIST = Account(
    key="ophthalmologist",
    email=f"paul.jolimont@{DOMAIN}",
    password="Retine-Lanterne-Brume-53",
    role="practitioner",
    display_name="Dr Paul Jolimont",
    who="ophtalmologiste, fond d'œil de Karim Haddad",
    tries="Karim's fundus results: only what he chose to share",
    rpps="10999990061",
    profession="Ophtalmologiste",
    organisation=ORGANISATIONS["ophtalmo"]["name"],
    given="Paul",
    family="Jolimont",
    prefix="Dr",
    profession_code="10",
    phone="05 36 49 60 01",
    organisation_key="ophtalmo",
)
PRACTITIONERS = [GP, CARDIOLOGIST, MIDWIFE, PHYSIO, ENDOCRINOLOGIST, OPHTHALMOLOGIST]

# --- Citizens ------------------------------------------------------------------------------

RUNNER = Account(
    key="runner",
    email=f"antoine.roussel@{DOMAIN}",
    password="Foulee-Rapide-Brique-42",
    role="citizen",
    display_name="Antoine Roussel",
    who="coureur de 34 ans en rééducation du genou, montre cardio (« le sportif »)",
    tries="his watch data in his measurements; share with his physiotherapist; try the urgent chat",
)
PREGNANT = Account(
    key="pregnant",
    email=f"lea.fontaine@{DOMAIN}",
    password="Berceau-Lavande-Printemps-27",
    role="citizen",
    display_name="Léa Fontaine",
    who="31 ans, enceinte de 22 semaines d'aménorrhée (« la femme enceinte »)",
    tries="her pregnancy follow-up at 22 weeks in the reminders; book with her midwife",
)
DIABETIC = Account(
    key="diabetic",
    email=f"karim.haddad@{DOMAIN}",
    password="Sucre-Olivier-Marche-58",
    role="citizen",
    display_name="Karim Haddad",
    who="59 ans, diabète de type 2 sous metformine (« le diabétique »)",
    tries=(
        "his diabetes follow-up and medicine reminders; his metformin renewal waits for Dr "
        "Garonne; his appointment in two days"
    ),
)
DAUGHTER = Account(
    key="daughter",
    email=f"sophie.esquirol@{DOMAIN}",
    password="Parapluie-Violette-Canal-63",
    role="citizen",
    display_name="Sophie Esquirol",
    who="54 ans, aide son père Henri Marty (« le parent aidant »)",
    tries=(
        "act for her father from « Mes proches »: his record, his appointment next week, her "
        "conversation with his doctor; book and write to his doctor"
    ),
)
FATHER = Account(
    key="father",
    email=f"henri.marty@{DOMAIN}",
    password="Cassoulet-Pendule-Jardin-19",
    role="citizen",
    display_name="Henri Marty",
    who="84 ans, père de Sophie : hypertension, fibrillation atriale, plusieurs traitements",
    tries=(
        "see in his access history what Sophie did for him; change or end her proxy; his "
        "médecin traitant and cardiologist in sharing"
    ),
)
CITIZENS = [RUNNER, PREGNANT, DIABETIC, DAUGHTER, FATHER]

# --- Help point and research ---------------------------------------------------------------

ADVISOR = Account(
    key="advisor",
    email=f"elodie.lalande@{DOMAIN}",
    password="Guichet-Tournesol-Place-16",
    role="advisor",
    display_name="Élodie Lalande",
    who="conseillère numérique d'un point d'accueil public",
    tries=(
        "the questions Sophie and Henri left in the help point's inbox; help Henri at the "
        "desk with the code he makes in « Être aidé à un guichet » (kiosk mode: signed out "
        "after 3 minutes without activity); create a Carnet for someone with no email"
    ),
    organisation="France Services de Muret",
)
RESEARCHER = Account(
    key="researcher",
    email=f"anne.ramonville@{DOMAIN}",
    password="Cohorte-Ardoise-Rivage-91",
    role="researcher",
    display_name="Anne Ramonville",
    who="chercheuse en santé publique, données agrégées seulement",
    tries="aggregate figures only: no one's record",
    organisation="Équipe de recherche en santé publique, Toulouse",
)

ACCOUNTS = [*CITIZENS, *PRACTITIONERS, ADVISOR, RESEARCHER]


def accounts_markdown() -> str:
    """The text of ACCOUNTS.md (a test checks that the file says exactly this)."""
    lines = [
        "# Comptes de démonstration / Demo accounts",
        "",
        "`carnet demo` creates these accounts, the health records of the five citizens and "
        "what they have already done, so that every story of the workshop can be played: "
        "everyone has named Dr Claire Garonne as médecin traitant and shares part of their "
        "record with the specialist who follows them, Henri Marty has given his daughter "
        "Sophie a proxy, the practitioners publish their opening hours, appointments are "
        "booked, Sophie has written to her father's doctor, Karim waits for a renewal. Every "
        "name, RPPS number, address and telephone number is invented; the passwords are "
        "public: never use these accounts outside a demonstration. Running `carnet demo` "
        "again changes nothing (a step a visitor has undone is not played again); "
        "`carnet demo --list` prints this list.",
        "",
        "| Who | Email | Password | Role | What to try |",
        "|---|---|---|---|---|",
    ]
    for a in ACCOUNTS:
        who = f"**{a.display_name}** — {a.who}"
        if a.rpps:
            who += f" · RPPS {a.rpps}"
        if a.organisation:
            who += f" · {a.organisation}"
        lines.append(f"| {who} | `{a.email}` | `{a.password}` | {a.role} | {a.tries} |")
    lines += [
        "",
        "Sophie Esquirol helps her father Henri Marty: she is the emergency contact and next "
        "of kin in his record (Patient.contact), and his proxy in Carnet (read, appointments, "
        "messages), chosen by him: after signing in she finds him under « Mes proches ». "
        "Dr Claire Garonne is everyone's médecin traitant, in the records "
        "(Patient.generalPractitioner) and in Carnet's sharing. The practitioners are also in "
        "the shared directory as FHIR Practitioner resources, identified by their RPPS number. "
        "Dates follow the day `carnet demo` first ran: Henri's appointment is in the week "
        "after, Karim's two days after.",
        "",
    ]
    return "\n".join(lines)


def by_key(key: str) -> Account:
    for account in ACCOUNTS:
        if account.key == key:
            return account
    raise KeyError(key)
