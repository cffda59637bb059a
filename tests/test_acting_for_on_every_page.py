"""Acting for someone holds on every page of the citizen's menu, for each permission.

Sophie acts for her father Henri. Every page of the menu (record, add, import, export,
documents, sharing, access history, reminders, agenda, appointments, messages, emergency
card) is about Henri's record when she was given the permission it needs, or says plainly
that Henri did not give it (403) — never Sophie's own record instead. Her own record holds
markers (« Sophiesecret », her doctor « Dr Ownshare », her subject « Sophiesubject ») that no
page may show while she acts for him.
"""

from __future__ import annotations

import itertools
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from carnet.access import grants, proxies
from carnet.access.models import AuditEntry, Grant
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.care import appointments, messaging
from carnet.records import services as records

from .acting import MENU
from .people import practitioner_account

PASSWORD = "a long enough passphrase"
_n = itertools.count(1)

GRANTS = {
    "read": ("read",),
    "appointments": ("appointments",),
    "messages": ("messages",),
    "manage": ("manage",),
    "everything": ("read", "appointments", "messages", "manage"),
}
# What of Henri's record a page shows, when it may be shown.
HENRI_SHOWS = {
    "records:timeline": "Henrisecret",
    "coffre:sharing": "Henridoc",
    "care:appointments": "Henridoc",
    "care:conversations": "Henrisubject",
    "records:card": "Henrisecret",
}
SOPHIE_OWN = ("Sophiesecret", "Ownshare", "Sophiesubject")
REFUSED = "ne vous a pas donné la permission"
# The appointments page lists every doctor one may book with, Sophie's among them.
LISTS_EVERY_DOCTOR = {"care:appointments"}


def _citizen(name: str):
    n = next(_n)
    return accounts.create_user(f"c{n}@example.org", PASSWORD, display_name=name, language="fr")


def _doctor(name: str):
    n = next(_n)
    return practitioner_account(
        f"dr{n}@example.org",
        PASSWORD,
        rpps=f"{30000000000 + n}",
        display_name=name,
        profession="médecin généraliste",
    )


def _record(person, family: str, given: str, condition: str) -> int:
    pid = accounts.patient_of(person).pk
    me = Actor.of_user(person)
    card = records.create(
        me,
        pid,
        {"resourceType": "Patient", "name": [{"family": family, "given": [given]}]},
        Purpose.SELF,
    )
    records.create(
        me,
        pid,
        {
            "resourceType": "AllergyIntolerance",
            "code": {"text": condition},
            "criticality": "high",
            "patient": {"reference": f"Patient/{card['id']}"},
        },
        Purpose.SELF,
    )
    return pid


def _care(person, pid: int, doctor, subject: str) -> None:
    """A share with ``doctor``, an appointment with them and a conversation about ``subject``."""
    me = Actor.of_user(person)
    grants.share(me, pid, doctor.pk, categories=["problems"], duration="month")
    kind = appointments.schedule_of(doctor.pk)[1][0]
    first = next(iter(appointments.free_slots(doctor.pk, kind.pk).values()))[0]
    appointments.book(me, pid, doctor.pk, kind.pk, first)
    messaging.start(me, pid, doctor.pk, subject, "Bonjour docteur.")


def _open_hours(doctor) -> None:
    appointments.publish(
        Actor.of_user(doctor), {d: [["08:00", "18:00"]] for d in range(7)}, [("Consultation", 20)]
    )


@pytest.fixture
def family(db, settings):
    """Henri and his daughter Sophie, each with a record, a doctor, an appointment, a thread."""
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 3600
    henri, sophie = _citizen("Henri Marty"), _citizen("Sophie Esquirol")
    henri_doc, sophie_doc = _doctor("Dr Henridoc"), _doctor("Dr Ownshare")
    for doctor in (henri_doc, sophie_doc):
        _open_hours(doctor)
    henri_pid = _record(henri, "Marty", "Henri", "Henrisecret")
    sophie_pid = _record(sophie, "Esquirol", "Sophie", "Sophiesecret")
    _care(henri, henri_pid, henri_doc, "Henrisubject")
    _care(sophie, sophie_pid, sophie_doc, "Sophiesubject")
    return henri, sophie, henri_pid, henri_doc


def _acting(client, henri, sophie, pid, permissions):
    proxies.add_proxy(Actor.of_user(henri), pid, sophie.pk, permissions=permissions)
    client.force_login(sophie)
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
    assert client.post(reverse("coffre:act_for", args=[pid])).status_code == 302
    return client


@pytest.mark.parametrize("granted", sorted(GRANTS))
def test_every_menu_page_is_about_the_represented_person_or_says_it_was_not_given(
    client, family, granted
):
    henri, sophie, pid, _doc = family
    _acting(client, henri, sophie, pid, GRANTS[granted])
    for name, need in MENU:
        response = client.get(reverse(name))
        body = response.content.decode()
        where = f"{name} with {granted}"
        own = SOPHIE_OWN if name not in LISTS_EVERY_DOCTOR else ("Sophiesecret", "Sophiesubject")
        mine = [m for m in own if m in body]
        assert not mine, f"{where}: shows Sophie's own {mine}"
        assert "Vous agissez pour" in body and "Henri Marty" in body, where
        if need is None or need in GRANTS[granted]:
            assert response.status_code == 200, (where, response.status_code)
            assert REFUSED not in body, where
            shown = HENRI_SHOWS.get(name)
            if shown:
                assert shown in body, f"{where}: Henri's {shown} is not shown"
        else:
            assert response.status_code == 403, (where, response.status_code)
            assert f"Henri Marty {REFUSED}" in body, where
            assert reverse("coffre:proxy_record") in body, f"{where}: no way back"
            assert "Henrisecret" not in body and "Henridoc" not in body, where


def test_each_page_says_whose_record_it_is(client, family):
    henri, sophie, pid, _doc = family
    _acting(client, henri, sophie, pid, GRANTS["everything"])
    titles = {
        "records:export": "Télécharger le dossier de Henri Marty",
        "coffre:sharing": "Partager le dossier de Henri Marty",
        "records:import": "Importer un fichier dans le dossier de Henri Marty",
        "records:entry_index": "Ajouter au dossier de Henri Marty",
        "coffre:history": "Qui a consulté le dossier de Henri Marty",
        "care:appointments": "Rendez-vous de Henri Marty",
        "care:conversations": "Messages pour Henri Marty",
    }
    for name, title in titles.items():
        body = client.get(reverse(name)).content.decode()
        assert title in body, name
        assert "Télécharger mon dossier" not in body, name
    hub = client.get(reverse("coffre:proxy_record")).content.decode()
    assert "Télécharger le dossier de Henri Marty" in hub
    assert "Partager le dossier de Henri Marty" in hub


def test_the_export_is_the_represented_persons_record(client, family):
    henri, sophie, pid, _doc = family
    _acting(client, henri, sophie, pid, GRANTS["everything"])
    response = client.post(reverse("records:export"), {"format": "json"})
    assert response.status_code == 200
    body = json.dumps(json.loads(response.content), ensure_ascii=False)
    assert "Henrisecret" in body and "Sophiesecret" not in body
    assert AuditEntry.objects.filter(
        patient_id=pid, actor_id=sophie.pk, action="export", purpose="proxy", decision="permit"
    ).exists()


def test_a_reader_cannot_download_the_record(client, family):
    henri, sophie, pid, _doc = family
    _acting(client, henri, sophie, pid, GRANTS["read"])
    response = client.post(reverse("records:export"), {"format": "json"})
    assert response.status_code == 403
    assert "Henrisecret" not in response.content.decode()
    assert not AuditEntry.objects.filter(
        patient_id=pid, actor_id=sophie.pk, action="export", decision="permit"
    ).exists()


def test_sharing_done_for_him_lands_in_his_record_and_his_history(client, family):
    henri, sophie, pid, _doc = family
    _acting(client, henri, sophie, pid, GRANTS["everything"])
    other = _doctor("Dr Claire Garonne")
    done = client.post(
        reverse("coffre:sharing_share", args=[other.pk]),
        {"categories": ["problems"], "max_level": "N", "mode": "read", "duration": "month"},
    )
    assert done.status_code == 302
    assert Grant.objects.filter(patient_id=pid, grantee_id=other.pk).exists()
    own = accounts.patient_of(sophie).pk
    assert not Grant.objects.filter(patient_id=own, grantee_id=other.pk).exists()
    entry = AuditEntry.objects.get(patient_id=pid, actor_id=sophie.pk, action="grant")
    assert entry.purpose == "proxy" and entry.decision == "permit"
    # Henri reads it in his history, with his daughter named.
    client.force_login(henri)
    history = client.get(reverse("coffre:history")).content.decode()
    assert "Sophie Esquirol" in history and "Dr Claire Garonne" in history


def test_a_reader_cannot_share_and_nothing_changes(client, family):
    henri, sophie, pid, _doc = family
    _acting(client, henri, sophie, pid, GRANTS["read"])
    other = _doctor("Dr Claire Garonne")
    refused = client.post(
        reverse("coffre:sharing_share", args=[other.pk]),
        {"categories": ["problems"], "max_level": "N", "mode": "read", "duration": "month"},
    )
    assert refused.status_code == 403 and REFUSED in refused.content.decode()
    assert not Grant.objects.filter(grantee_id=other.pk).exists()


def test_an_entry_added_for_him_goes_into_his_record(client, family):
    henri, sophie, pid, _doc = family
    _acting(client, henri, sophie, pid, GRANTS["everything"])
    page = client.get(reverse("records:entry_add", args=["antecedent"]))
    assert page.status_code == 200
    form = page.context["form"]
    assert "name" in form.fields
    saved = client.post(
        reverse("records:entry_add", args=["antecedent"]), {"name": "Henriajout", "current": "yes"}
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    mine = records.everything(Actor.of_user(sophie), accounts.patient_of(sophie).pk, "self")
    assert "Henriajout" not in json.dumps(mine, ensure_ascii=False)
    his = records.everything(Actor.of_user(henri), pid, "self")
    assert "Henriajout" in json.dumps(his, ensure_ascii=False)


@pytest.fixture
def immediate():
    """The import job runs in the request (as the worker of `carnet serve` would, later)."""
    HUEY.immediate = True
    yield
    HUEY.immediate = False


def test_a_file_imported_for_him_goes_into_his_record(client, family, immediate):
    henri, sophie, pid, _doc = family
    _acting(client, henri, sophie, pid, GRANTS["everything"])
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:p",
                "resource": {
                    "resourceType": "Patient",
                    "name": [{"family": "Marty", "given": ["Henri"]}],
                },
            },
            {
                "fullUrl": "urn:uuid:c",
                "resource": {
                    "resourceType": "Condition",
                    "code": {"text": "Henrimport"},
                    "subject": {"reference": "urn:uuid:p"},
                },
            },
        ],
    }
    upload = SimpleUploadedFile("dossier.json", json.dumps(bundle).encode())
    response = client.post(reverse("records:import"), {"file": upload})
    assert response.status_code == 302
    job = client.get(response["Location"]).content.decode()
    his = records.everything(Actor.of_user(henri), pid, "self")
    assert "Henrimport" in json.dumps(his, ensure_ascii=False), job[job.find("<main") :][:1500]
    own = accounts.patient_of(sophie).pk
    mine = records.everything(Actor.of_user(sophie), own, "self")
    assert "Henrimport" not in json.dumps(mine, ensure_ascii=False)
    assert AuditEntry.objects.filter(
        patient_id=pid, actor_id=sophie.pk, action="import", purpose="proxy", decision="permit"
    ).exists()
