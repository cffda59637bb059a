"""`carnet demo`: the workshop's personas as accounts with real-looking French records."""

from __future__ import annotations

import csv
import gzip
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from carnet.access import audit, proxies
from carnet.access import services as access
from carnet.access.models import AuditEntry, Grant, Proxy
from carnet.access.services import Action, Actor, Purpose
from carnet.accounts.models import User
from carnet.accounts.services import patient_of
from carnet.care.models import (
    AnswerHabit,
    Appointment,
    AppointmentType,
    Conversation,
    ConversationMessage,
    Renewal,
    Schedule,
)
from carnet.chat import services as chat
from carnet.chat.models import OnCall
from carnet.demo import dossiers, personas
from carnet.demo.management.commands.demo import Command
from carnet.notify.models import Message
from carnet.records import services as records
from carnet.reminders import services as reminders
from carnet.reminders.models import Enrolment

SHARED = Path(__file__).resolve().parent / "data" / "fr-reference"
ATC = "http://www.whocc.no/atc"
CIS = "urn:oid:1.2.250.1.213.2.3.1"


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded():
    return run_demo()


def record_of(account: personas.Account) -> list[dict]:
    user = User.objects.get(email=account.email)
    return records.everything(Actor.of_user(user), patient_of(user).pk, Purpose.SELF)


def of_type(resources: list[dict], rtype: str) -> list[dict]:
    return [r for r in resources if r["resourceType"] == rtype]


def codes(resource: dict, field: str = "code") -> set[str]:
    return {c["code"] for c in resource.get(field, {}).get("coding", [])}


def with_code(resources: list[dict], code: str, field: str = "code") -> list[dict]:
    return [r for r in resources if code in codes(r, field)]


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def test_the_command_creates_every_account_with_its_role(loaded):
    assert "13 accounts created" in loaded
    for account in personas.ACCOUNTS:
        user = User.objects.get(email=account.email)
        assert user.role == account.role
        assert user.display_name == account.display_name
        assert user.check_password(account.password)
        assert account.email.endswith(("@demo.carnet.fr", "@example.fr"))
        if account.role == "practitioner":
            assert re.fullmatch(r"\d{11}", user.rpps) and luhn_ok(user.rpps)
            assert user.profession and user.organisation
        if account.role == "citizen":
            assert patient_of(user) is not None
    roles = {a.role for a in personas.ACCOUNTS}
    assert roles == {"citizen", "practitioner", "advisor", "researcher"}
    advisor = User.objects.get(email=personas.ADVISOR.email)
    assert advisor.organisation == "France Services de Muret"
    assert advisor.desk.help_point.town == "Muret"  # her help point, for « Guichet »
    professions = {a.profession for a in personas.PRACTITIONERS}
    assert {"Médecin généraliste", "Cardiologue", "Sage-femme", "Masseur-kinésithérapeute"} <= (
        professions
    )


def test_every_citizen_has_the_basics_of_a_record(loaded):
    gp_rpps = personas.GP.rpps
    for account in personas.CITIZENS:
        res = record_of(account)
        (patient,) = of_type(res, "Patient")
        assert patient["name"][0]["family"] in account.display_name
        # An emergency contact, the médecin traitant, vaccinations, allergies, blood group.
        contact = patient["contact"][0]
        assert any("C" in codes({"code": rel}) for rel in contact["relationship"])
        assert contact["telecom"][0]["value"]
        gp_ref = patient["generalPractitioner"][0]["reference"]
        gp = next(r for r in res if f"Practitioner/{r.get('id')}" == gp_ref)
        assert gp["identifier"][0]["value"] == gp_rpps
        assert of_type(res, "Immunization")
        assert all(
            codes(i, "vaccineCode") & {c for c, _ in _vaccines()}
            for i in of_type(res, "Immunization")
        )
        assert of_type(res, "AllergyIntolerance")
        assert with_code(of_type(res, "Observation"), "882-1"), account.key
        # French text throughout: every condition and medicine is named in French.
        for cond in of_type(res, "Condition"):
            assert cond["code"]["text"] and cond["onsetDateTime"]
        for med in of_type(res, "MedicationRequest"):
            assert med["dosageInstruction"][0]["text"]
            assert CIS in {c["system"] for c in med["medicationCodeableConcept"]["coding"]}


def _vaccines():
    return [
        dossiers.DTP,
        dossiers.DTCAP,
        dossiers.PNEUMO,
        dossiers.HEP_B,
        dossiers.ROR,
        dossiers.FLU,
        dossiers.COVID,
    ]


def test_the_runner_has_his_watch_data_and_his_rehabilitation(loaded):
    res = record_of(personas.RUNNER)
    (knee,) = of_type(res, "Condition")
    assert "ligament croisé antérieur" in knee["code"]["text"]
    assert "444470001" in codes(knee)
    obs = of_type(res, "Observation")
    steps = with_code(obs, "41950-7")
    resting = with_code(obs, "40443-4")
    runs = with_code(obs, "8867-4")
    assert len(steps) == len(resting) == 42
    assert runs and all("effectivePeriod" in r and r["device"] for r in runs)
    newest = max(date.fromisoformat(s["effectiveDateTime"][:10]) for s in steps)
    assert (date.today() - newest).days <= 2
    physio = with_code(of_type(res, "Procedure"), "91251008")
    assert len(physio) >= 12
    assert any("kinésithérapie" in e["type"][0]["text"] for e in of_type(res, "Encounter"))
    assert of_type(res, "Device")[0]["deviceName"][0]["name"] == "Montre cardio GPS"
    analgesic = [
        m
        for m in of_type(res, "MedicationRequest")
        if "N02BE01" in codes(m, "medicationCodeableConcept")
    ]
    assert analgesic and analgesic[0]["dosageInstruction"][0]["asNeededBoolean"] is True


def test_the_pregnant_woman_is_at_22_weeks_with_her_prenatal_file(loaded):
    res = record_of(personas.PREGNANT)
    (pregnancy,) = of_type(res, "Condition")
    assert "72892002" in codes(pregnancy) and "Grossesse" in pregnancy["code"]["text"]
    (lmp,) = with_code(of_type(res, "Observation"), "8665-2")
    weeks = (date.today() - date.fromisoformat(lmp["valueDateTime"])).days / 7
    assert 22 <= weeks < 23
    obs = of_type(res, "Observation")
    for code in ("11881-0", "55283-6", "8039-0", "5334-8", "2276-4", "85354-9", "11778-8"):
        assert with_code(obs, code), code
    scans = of_type(res, "DiagnosticReport")
    assert any("morphologique" in r["code"]["text"] for r in scans)
    assert {"169230002", "271442007"} <= set().union(*(codes(p) for p in of_type(res, "Procedure")))
    meds = {m["medicationCodeableConcept"]["text"]: m for m in of_type(res, "MedicationRequest")}
    assert any("Acide folique" in t for t in meds) and any("Fer" in t for t in meds)


def test_the_man_with_diabetes_has_his_hba1c_series_and_metformin(loaded):
    user = User.objects.get(email=personas.DIABETIC.email)
    actor, pid = Actor.of_user(user), patient_of(user).pk
    page = records.search(actor, pid, "Observation", Purpose.SELF, code=["http://loinc.org|4548-4"])
    assert page.total == 7
    last = date.fromisoformat(page.resources[0]["effectiveDateTime"][:10])
    assert 140 <= (date.today() - last).days <= 165  # about five months ago
    assert page.resources[0]["code"]["text"] == "Hémoglobine glyquée (HbA1c)"
    res = record_of(personas.DIABETIC)
    (diabetes,) = with_code(of_type(res, "Condition"), "44054006")
    assert diabetes["code"]["text"] == "Diabète de type 2"
    (metformin,) = [
        m
        for m in of_type(res, "MedicationRequest")
        if "A10BA02" in codes(m, "medicationCodeableConcept")
    ]
    dosage = metformin["dosageInstruction"][0]
    assert dosage["timing"]["repeat"]["frequency"] == 2 and "matin et soir" in dosage["text"]
    assert "67346461" in codes(metformin, "medicationCodeableConcept")
    obs = of_type(res, "Observation")
    for code in ("1558-6", "85354-9", "29463-7"):
        assert with_code(obs, code), code
    (eye,) = with_code(of_type(res, "Procedure"), "53524009")
    assert "rétinopathie" in eye["outcome"]["text"]


def test_the_father_and_his_daughter_both_have_accounts(loaded):
    daughter = User.objects.get(email=personas.DAUGHTER.email)
    father = User.objects.get(email=personas.FATHER.email)
    assert daughter.role == father.role == "citizen"
    res = record_of(personas.FATHER)
    (patient,) = of_type(res, "Patient")
    contact = patient["contact"][0]
    assert contact["name"]["family"] == "Esquirol" and contact["name"]["given"] == ["Sophie"]
    (her,) = of_type(record_of(personas.DAUGHTER), "Patient")
    assert contact["telecom"][0]["value"] == her["telecom"][0]["value"]
    assert {"49436004", "59621000"} <= set().union(*(codes(c) for c in of_type(res, "Condition")))
    assert len(of_type(res, "MedicationRequest")) >= 4
    assert len(of_type(res, "AllergyIntolerance")) >= 2
    vaccines = set().union(*(codes(i, "vaccineCode") for i in of_type(res, "Immunization")))
    # flu, COVID, pneumococcal, tetanus (dTP)
    assert {"J07BB02", "J07BX03", "J07AL", "J07CA01"} <= vaccines
    practitioners = {p["identifier"][0]["value"] for p in of_type(res, "Practitioner")}
    assert personas.CARDIOLOGIST.rpps in practitioners


def user_of(account: personas.Account) -> User:
    return User.objects.get(email=account.email)


def pid_of(account: personas.Account) -> int:
    return patient_of(user_of(account)).pk


def english_page(client, account: personas.Account, url: str) -> str:
    client.cookies["django_language"] = "en"
    client.force_login(user_of(account))
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_sophie_may_act_for_her_father_and_has_booked_his_appointment(loaded, client):
    sophie, henri = user_of(personas.DAUGHTER), pid_of(personas.FATHER)
    (info,) = proxies.represented_by(sophie)
    assert info.patient_id == henri and info.basis == "choice"
    assert info.permissions == {"read", "appointments", "messages"}
    for permission in ("read", "appointments", "messages"):
        assert proxies.may(sophie, henri, permission), permission
    assert not proxies.represented_by(user_of(personas.FATHER))
    assert "Henri Marty" in english_page(client, personas.DAUGHTER, reverse("coffre:spaces"))
    # She booked his next appointment with Dr Garonne, for next week, as his proxy.
    gp = user_of(personas.GP)
    (appt,) = Appointment.objects.filter(patient_id=henri)
    assert appt.practitioner_id == gp.pk and appt.booked_by_id == sophie.pk
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    assert monday <= timezone.localtime(appt.start).date() < monday + timedelta(days=7)
    # Henri's history says who did it: his daughter, acting for him.
    booked = AuditEntry.objects.filter(patient_id=henri, action="appointments")
    assert [(e.actor_id, e.purpose) for e in booked] == [(sophie.pk, Purpose.PROXY)]


def test_dr_garonne_is_the_medecin_traitant_and_sees_her_patients(loaded, client):
    gp = user_of(personas.GP)
    for account in personas.CITIZENS:
        (referent,) = Grant.objects.filter(patient_id=pid_of(account), kind="referent")
        assert referent.grantee_id == gp.pk and referent.revoked_at is None, account.key
    html = english_page(client, personas.GP, reverse("coffre:pro_patients"))
    for account in personas.CITIZENS:
        assert account.display_name in html, account.key
    # The specialists see the people who share with them, and no one else.
    html = english_page(client, personas.CARDIOLOGIST, reverse("coffre:pro_patients"))
    assert "Henri Marty" in html and "Karim Haddad" not in html
    html = english_page(client, personas.FATHER, reverse("coffre:sharing"))
    assert "You have not named your médecin traitant" not in html
    assert "Claire Garonne" in html and "Marc Capitole" in html


def test_the_gp_workspace_has_a_message_a_renewal_and_appointments_waiting(loaded, client):
    gp = user_of(personas.GP)
    html = english_page(client, personas.GP, reverse("care:pro_home"))
    assert "1 unread message" in html and "1 renewal request" in html
    assert "Henri Marty" in html and "Karim Haddad" in html  # the coming appointments
    (conv,) = Conversation.objects.filter(practitioner_id=gp.pk)
    lines = list(ConversationMessage.objects.filter(conversation=conv).order_by("id"))
    assert [m.from_practitioner for m in lines] == [False, True, False]
    assert {m.author_id for m in lines} == {gp.pk, user_of(personas.DAUGHTER).pk}
    assert [m.read_at is None for m in lines] == [False, False, True]
    (renewal,) = Renewal.objects.all()
    assert renewal.patient_id == pid_of(personas.DIABETIC) and renewal.status == "pending"
    assert renewal.practitioner_id == gp.pk
    html = english_page(client, personas.GP, reverse("care:pro_renewals"))
    assert "Metformine 1000 mg" in html
    # Everyone publishes hours; Dr Garonne is on call, so the urgent chat can be tried.
    assert Schedule.objects.filter(published=True).count() == len(personas.PRACTITIONERS)
    assert chat.staffed()["general"] == 1 and chat.on_call_for("general") == [gp.pk]


def test_the_follow_up_programmes_are_started_so_their_steps_show(loaded):
    today = timezone.localdate()
    for account, programme, start in (
        (personas.DIABETIC, "diabetes-t2", today - timedelta(days=182)),
        (personas.PREGNANT, "pregnancy", today - timedelta(days=dossiers.PREGNANCY_DAYS)),
    ):
        pid = pid_of(account)
        own = access.decide(Actor.of_user(user_of(account)), pid, Action.READ, Purpose.SELF)
        enrolled = reminders.enrolments(own)[programme]
        assert enrolled == {"programme": programme, "start": start.isoformat(), "status": "active"}
        ov = reminders.overview(Actor.of_user(user_of(account)), pid)
        (active,) = [p for p in ov.programmes if p.id == programme]
        assert active.start == start and active.origin == "person"
        steps = [r for r in ov.of_kind("programme") if r.extra["programme"] == programme]
        assert len(steps) >= 5, programme


def story_counts() -> dict[str, int]:
    models = (Grant, Proxy, Schedule, AppointmentType, Appointment, AnswerHabit, Conversation)
    models += (ConversationMessage, Renewal, Enrolment, OnCall, AuditEntry, Message)
    return {m.__name__: m.objects.count() for m in models}


def test_running_it_twice_plays_the_stories_once_and_the_audit_chains_verify(loaded):
    before = story_counts()
    assert before["Appointment"] == 2 and before["Proxy"] == 1 and before["OnCall"] == 1
    assert "nothing changed" in run_demo()
    assert story_counts() == before
    checked, problems = audit.verify_all()
    assert checked == before["AuditEntry"] > 0 and problems == []
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "OK" in out.getvalue()


def test_without_stories_it_loads_accounts_and_records_only_then_plays_them_later():
    out = io.StringIO()
    call_command("demo", "--without-stories", stdout=out)
    assert "13 accounts created" in out.getvalue() and "0 story steps" in out.getvalue()
    assert not Grant.objects.exists() and not Proxy.objects.exists()
    assert not Appointment.objects.exists() and not OnCall.objects.exists()
    out = run_demo()  # the same database, later: the stories are played then
    assert "0 accounts created" in out and "25 story steps played" in out
    assert Grant.objects.filter(kind="referent").count() == len(personas.CITIZENS)


def test_a_step_undone_by_a_visitor_is_not_played_again(loaded):
    sophie, henri = user_of(personas.DAUGHTER), pid_of(personas.FATHER)
    (proxy,) = Proxy.objects.filter(patient_id=henri)
    assert proxies.revoke_proxy(Actor.of_user(user_of(personas.FATHER)), henri, proxy.pk)
    assert "nothing changed" in run_demo()
    assert not proxies.represented_by(sophie)


def test_running_it_twice_changes_nothing(loaded):
    before = {
        a.email: records.count_by_type(
            Actor.of_user(u := User.objects.get(email=a.email)), patient_of(u).pk, Purpose.SELF
        )
        for a in personas.CITIZENS
    }
    users = User.objects.count()
    out = run_demo()
    assert "nothing changed" in out
    assert User.objects.count() == users
    for a in personas.CITIZENS:
        u = User.objects.get(email=a.email)
        assert (
            records.count_by_type(Actor.of_user(u), patient_of(u).pk, Purpose.SELF)
            == before[a.email]
        )
    # Practitioners stay single entries of the shared directory.
    res = record_of(personas.FATHER) + record_of(personas.DIABETIC)
    gp_ids = {
        p["id"]
        for p in of_type(res, "Practitioner")
        if p["identifier"][0]["value"] == personas.GP.rpps
    }
    assert len(gp_ids) == 1


def test_an_existing_account_is_left_alone():
    User.objects.create_user(email=personas.RUNNER.email, password="Un-autre-mot-de-passe-7")
    out = run_demo()
    assert "12 accounts created" in out and "1 existing account left unchanged" in out
    runner = User.objects.get(email=personas.RUNNER.email)
    assert runner.check_password("Un-autre-mot-de-passe-7")
    # The stories leave that account alone and are played for everyone else.
    assert not Grant.objects.filter(grantee_id=User.objects.get(email=personas.PHYSIO.email).pk)
    assert Grant.objects.filter(kind="referent").count() == len(personas.CITIZENS) - 1


def test_every_demo_password_passes_the_validators():
    seen = set()
    for a in personas.ACCOUNTS:
        user = User(email=a.email, display_name=a.display_name, role=a.role)
        validate_password(a.password, user)  # raises ValidationError when refused
        assert len(a.password) >= 12
        assert a.password not in seen
        seen.add(a.password)


def test_accounts_md_lists_every_account_and_password():
    text = (Path(personas.__file__).parent / "ACCOUNTS.md").read_text(encoding="utf-8")
    assert text == personas.accounts_markdown()
    for a in personas.ACCOUNTS:
        assert f"`{a.email}`" in text and f"`{a.password}`" in text


@pytest.mark.no_db
def test_the_readme_says_what_to_try_with_each_account():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for a in personas.ACCOUNTS:
        assert a.tries, a.key
        row = next(line for line in readme.splitlines() if f"`{a.email}`" in line)
        assert row.endswith(f"| {a.tries} |"), a.key


def test_help_says_what_it_does():
    text = Command().create_parser("carnet", "demo").format_help()
    assert "idempotent" in text and "ACCOUNTS.md" in text


def test_dates_follow_today():
    later = date.today() + timedelta(days=400)
    bundle = dossiers.bundle_for(personas.PREGNANT.key, later)
    (lmp,) = [e["resource"] for e in bundle["entry"] if "8665-2" in codes(e["resource"])]
    assert (later - date.fromisoformat(lmp["valueDateTime"])).days == 22 * 7 + 3
    for key in dossiers.RECORDS:
        for e in dossiers.bundle_for(key, later)["entry"]:
            for field in ("effectiveDateTime", "performedDateTime", "occurrenceDateTime"):
                if field in e["resource"]:
                    assert e["resource"][field][:10] <= later.isoformat(), (key, field)


@pytest.mark.no_db
def test_medicine_and_vaccine_codes_exist_in_the_french_references():
    cis_file = SHARED / "bdpm" / "CIS_bdpm.txt.gz"
    with gzip.open(cis_file, "rt", encoding="latin-1") as f:
        names = {row[0]: row[1] for row in csv.reader(f, delimiter="\t") if row}
    used = set()
    for key in dossiers.RECORDS:
        for e in dossiers.bundle_for(key, date.today())["entry"]:
            r = e["resource"]
            for field in ("medicationCodeableConcept", "vaccineCode"):
                for c in r.get(field, {}).get("coding", []):
                    if c["system"] == CIS:
                        used.add(c["code"])
                        assert c["code"] in names, c
                        assert names[c["code"]].startswith(c["display"].split(",")[0]), c
                    if c["system"] == ATC and field == "vaccineCode":
                        assert c["code"].startswith("J07"), c
    assert len(used) >= 15


def test_the_groups_have_their_moderators_and_an_answered_question(loaded):
    from carnet.community.models import Membership, Post

    midwife = Membership.objects.get(user__email=personas.by_key("midwife").email)
    assert midwife.role == "moderator" and midwife.group.slug == "grossesse"
    lea = Membership.objects.get(user__email=personas.by_key("pregnant").email)
    assert lea.pseudonym == "Petite graine"
    assert Post.objects.filter(author=midwife, professional=True, status="visible").exists()
